from odoo import api, fields, models

from odoo.addons.base.models.res_partner import _tz_get


class LpCampaignConfig(models.Model):
    """How a company talks to its customers, for campaigns and triggers
    alike: the local sending window, the frequency cap, the default control
    share, the response window and the price of an SMS part. One record per
    company, created on first use."""

    _name = "lp.campaign.config"
    _description = "Campaign Settings"
    _rec_name = "company_id"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    hour_from = fields.Float(
        string="Send from",
        default=10.0,
        required=True,
        help="Messages go out from this local hour of each customer...",
    )
    hour_to = fields.Float(
        string="Send until",
        default=21.0,
        required=True,
        help="...and not after this one: nobody gets a message at night.",
    )
    tz = fields.Selection(
        _tz_get,
        string="Default time zone",
        default=lambda self: self.env.company.partner_id.tz or self.env.user.tz,
        help="For customers without a time zone of their own.",
    )
    cap_messages = fields.Integer(
        string="At most (messages)",
        default=3,
        help="Frequency cap: no customer gets more than this many messages "
        "(campaigns and triggers together) over the period below. 0: no cap.",
    )
    cap_days = fields.Integer(string="Per (days)", default=7)
    control_percent = fields.Float(
        string="Control group (%)",
        default=10.0,
        help="Share of the audience held out at random, to measure what the "
        "messages brought.",
    )
    response_days = fields.Integer(
        string="Response window (days)",
        default=14,
        help="Purchases within this many days after sending count as a response.",
    )
    sms_part_price = fields.Monetary(
        string="Price of an SMS part",
        help="What the operator charges per SMS part: the cost of a campaign.",
    )

    _company_unique = models.UniqueIndex("(company_id)")
    _window_valid = models.Constraint(
        "CHECK(hour_from >= 0 AND hour_from < hour_to AND hour_to <= 24)",
        "The sending window starts before it ends, within the day.",
    )
    _positive = models.Constraint(
        "CHECK(cap_messages >= 0 AND cap_days > 0 AND response_days > 0 "
        "AND control_percent >= 0 AND control_percent < 100 AND sms_part_price >= 0)",
        "Cap, windows, control share and prices cannot be negative; the "
        "control group is less than the whole audience.",
    )

    @api.model
    def action_open_company_settings(self):
        """Open the current company's campaign settings (created on first use)."""
        self.check_access("write")
        config = self._for_company(self.env.company)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Campaign Settings"),
            "res_model": self._name,
            "res_id": config.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    @api.model
    def _for_company(self, company=None):
        """The settings of ``company`` (default: the current one), created
        with default values when missing."""
        company = company or self.env.company
        config = self.sudo().search([("company_id", "=", company.id)], limit=1)
        if not config:
            config = self.sudo().create({"company_id": company.id})
        return config
