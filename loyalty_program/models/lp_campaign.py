from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..tools import placeholders, sms_parts


class LpCampaign(models.Model):
    """A message to a segment, on each customer's channel, in their
    daytime, with a control group that says whether it paid.

    Flow: draft (prepare: the audience is frozen into recipient rows and
    counted) -> scheduled (one mailing per channel and send moment, in the
    queue) -> sending -> done; cancel before anything is sent. The
    machinery is :class:`lp.message.dispatch`; the results are in
    ``lp_campaign_results.py``."""

    _name = "lp.campaign"
    _description = "Loyalty Campaign"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users", string="Responsible", default=lambda self: self.env.user
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("scheduled", "Scheduled"),
            ("sending", "Sending"),
            ("done", "Done"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
        group_expand=True,
    )
    segment_id = fields.Many2one(
        "lp.segment",
        domain="[('company_id', '=', company_id)]",
        help="The customers to reach; or leave empty and set conditions below.",
    )
    domain = fields.Char(
        string="Customers",
        default="[]",
        help="Conditions on customers, when no segment is chosen.",
    )
    program_id = fields.Many2one(
        "lp.program",
        domain="[('company_id', '=', company_id)]",
        default=lambda self: self.env["lp.program"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        ),
        help="Balance, tier, card and gift come from the customers' membership "
        "in this program.",
    )
    channel = fields.Selection(
        [("auto", "Each customer's own"), ("email", "Email"), ("sms", "SMS")],
        default="auto",
        required=True,
        help="Each customer's own: the preferred channel when they consented "
        "to it, else email, else SMS. Nobody gets a message on a channel "
        "they did not consent to.",
    )
    send_date = fields.Date(
        string="Send on",
        default=fields.Date.context_today,
        required=True,
        help="Each customer gets the message at the start of the sending "
        "window in their own time zone on this day (or at once when the "
        "window is open, or the next day when it is over).",
    )
    control_percent = fields.Float(
        string="Control group (%)",
        default=lambda self: (
            self.env["lp.campaign.config"]._for_company().control_percent
        ),
    )
    gift_points = fields.Float(
        digits=(16, 2), help="Points credited to each customer when sent."
    )
    gift_lifetime_days = fields.Integer(string="Gift lifetime (days)", default=30)
    email_subject = fields.Char(translate=True)
    email_body = fields.Html(translate=True, sanitize_attributes=False)
    sms_body = fields.Text(string="SMS text", translate=True)
    sms_info = fields.Char(string="SMS length", compute="_compute_sms_info")
    placeholders_help = fields.Char(compute="_compute_placeholders_help")
    utm_campaign_id = fields.Many2one("utm.campaign", readonly=True, copy=False)
    mailing_ids = fields.One2many("mailing.mailing", "lp_campaign_id", readonly=True)
    mailing_count = fields.Integer(compute="_compute_mailing_count")
    recipient_ids = fields.One2many("lp.campaign.recipient", "campaign_id")
    prepared_date = fields.Datetime(readonly=True, copy=False)
    # Preview, written when prepared
    audience_count = fields.Integer(string="Audience", readonly=True, copy=False)
    email_count = fields.Integer(string="By email", readonly=True, copy=False)
    sms_count = fields.Integer(string="By SMS", readonly=True, copy=False)
    control_count = fields.Integer(string="Control group", readonly=True, copy=False)
    no_consent_count = fields.Integer(string="No consent", readonly=True, copy=False)
    no_address_count = fields.Integer(
        string="No valid address", readonly=True, copy=False
    )
    blacklisted_count = fields.Integer(string="Blacklisted", readonly=True, copy=False)
    capped_count = fields.Integer(string="Frequency cap", readonly=True, copy=False)
    bucket_count = fields.Integer(string="Send moments", readonly=True, copy=False)
    first_send = fields.Datetime(readonly=True, copy=False)
    last_send = fields.Datetime(readonly=True, copy=False)
    sms_longest = fields.Text(string="Longest SMS", readonly=True, copy=False)
    sms_longest_parts = fields.Integer(readonly=True, copy=False)
    sms_total_parts = fields.Integer(string="SMS parts", readonly=True, copy=False)
    sms_cost = fields.Monetary(string="Estimated SMS cost", readonly=True, copy=False)
    gift_total = fields.Float(string="Gift points to credit", readonly=True, copy=False)

    _control_range = models.Constraint(
        "CHECK(control_percent >= 0 AND control_percent < 100)",
        "The control group is a share of the audience below 100%.",
    )
    _gift_positive = models.Constraint(
        "CHECK(gift_points >= 0 AND gift_lifetime_days >= 0)",
        "A gift and its lifetime cannot be negative.",
    )

    @api.depends("sms_body", "recipient_ids")
    def _compute_sms_info(self):
        for campaign in self:
            text = campaign._sms_sample()
            segments = sms_parts.count(text)
            campaign.sms_info = self.env._(
                "%(chars)s characters, %(parts)s part(s) (%(encoding)s)",
                chars=segments.units,
                parts=segments.parts,
                encoding="GSM-7" if segments.encoding == "gsm7" else "Unicode",
            )

    def _compute_placeholders_help(self):
        names = " ".join("{%s}" % name for name in placeholders.NAMES)
        for campaign in self:
            campaign.placeholders_help = names

    def _compute_mailing_count(self):
        for campaign in self:
            campaign.mailing_count = len(campaign.sudo().mailing_ids)

    @api.constrains("domain")
    def _check_domain(self):
        for campaign in self:
            try:
                campaign._audience_sql()
            except (ValueError, SyntaxError, TypeError, KeyError) as error:
                raise ValidationError(
                    self.env._("The conditions are not valid: %(error)s", error=error)
                ) from error

    @api.ondelete(at_uninstall=False)
    def _unlink_if_not_sent(self):
        if any(c.state in ("scheduled", "sending", "done") for c in self):
            raise UserError(
                self.env._("Cancel a scheduled campaign before deleting it.")
            )

    # Actions

    def action_prepare(self):
        """Freeze the audience into recipient rows and count the preview."""
        self._check_manager()
        for campaign in self:
            campaign._check_state("draft")
            campaign._check_send_date()
            campaign._prepare()
        return True

    def action_schedule(self):
        """Put one mailing per channel and send moment into the queue, with
        the figures of the preview: send moments fixed now, the frequency
        cap enforced again. When the figures are no longer those of the
        preview, nothing is queued and the preview shows the new ones
        (:meth:`_schedule`). A campaign is scheduled once."""
        self._check_manager()
        warnings = []
        for campaign in self:
            campaign._check_state("draft")
            campaign._check_send_date()
            campaign._check_previewed()
            campaign._check_texts()
            warning = campaign._schedule()
            if warning:
                warnings.append(warning)
        if warnings:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "sticky": True,
                    "message": "\n".join(warnings),
                    "next": {"type": "ir.actions.client", "tag": "soft_reload"},
                },
            }
        return True

    def action_cancel(self):
        self._check_manager()
        for campaign in self:
            campaign._check_state("draft", "scheduled")
            mailings = campaign.sudo().mailing_ids
            started = mailings.filtered(lambda m: m.state not in ("draft", "in_queue"))
            if started or campaign._has_sent():
                raise UserError(
                    self.env._(
                        "%(campaign)s has started sending: it can no longer be "
                        "cancelled.",
                        campaign=campaign.name,
                    )
                )
            mailings = mailings.with_context(lp_dispatch=True)
            mailings.action_cancel()
            mailings.unlink()
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE lp_campaign_recipient SET state = 'cancel'
                     WHERE campaign_id = %s AND state IN ('target', 'scheduled')
                    """,
                    campaign.id,
                )
            )
            self.env["lp.campaign.recipient"].invalidate_model(["state"])
            campaign.state = "cancel"
        return True

    def action_reset_draft(self):
        self._check_manager()
        for campaign in self:
            campaign._check_state("cancel")
            campaign.write(
                {"state": "draft", "prepared_date": False, "preview_warning": False}
            )
        return True

    @api.readonly
    def action_view_recipients(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_program.action_lp_campaign_recipient"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"search_default_group_state": 1}
        return action

    @api.readonly
    def action_view_mailings(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mailings"),
            "res_model": "mailing.mailing",
            "view_mode": "list,form",
            "domain": [("lp_campaign_id", "=", self.id)],
            "context": {"create": False},
        }

    # Business methods

    def _check_manager(self):
        if not self.env.user.has_group("loyalty_program.group_lp_manager"):
            raise AccessError(self.env._("Only loyalty managers run campaigns."))
        self.check_access("write")

    def _check_state(self, *states):
        self.ensure_one()
        if self.state not in states:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(campaign)s is %(state)s: this cannot be done now.",
                    campaign=self.name,
                    state=labels[self.state],
                )
            )

    def _has_sent(self):
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                "SELECT 1 FROM lp_campaign_recipient WHERE campaign_id = %s "
                "AND state IN ('sent', 'failed') LIMIT 1",
                self.id,
            )
        )
        return bool(self.env.cr.fetchone())
