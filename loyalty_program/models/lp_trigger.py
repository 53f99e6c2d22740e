from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import placeholders

KINDS = [
    ("birthday", "Birthday"),
    ("winback", "Win-back"),
    ("expiry", "Points about to expire"),
    ("welcome", "Welcome"),
    ("tier_upgrade", "Tier upgrade"),
    ("tier_downgrade", "Tier downgrade warning"),
    ("post_purchase", "Post-purchase thanks"),
]
# Placeholders a trigger adds to the campaign ones.
TRIGGER_PLACEHOLDERS = ("points", "date", "spend_left")


class LpTrigger(models.Model):
    """An automated message: configured once, switched on, and sent every
    day by the trigger job (``lp_trigger_run.py``) to the customers it finds
    due, through the campaign machinery (:class:`lp.message.dispatch`): each
    customer's channel and consent, their local daytime, the frequency cap,
    a control group and an optional gift. Each (trigger, customer, occasion)
    is sent once (``lp.trigger.message``).

    What makes a customer due is the ``kind``; the SQL of each kind is in
    ``lp_trigger_due.py`` (``_due_<kind>``, meant to be overridden or
    extended with new kinds)."""

    _name = "lp.trigger"
    _description = "Loyalty Trigger"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    kind = fields.Selection(KINDS, required=True)
    enabled = fields.Boolean(
        string="Switched on",
        tracking=True,
        copy=False,
        help="When on, the daily trigger job sends this trigger's messages.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    program_id = fields.Many2one(
        "lp.program",
        domain="[('company_id', '=', company_id)]",
        help="The program whose members are reached (balance, tier, points). "
        "Empty: the company's first program.",
    )
    days = fields.Integer(
        help="Birthday: days before the birthday (0: on the day). Win-back: "
        "days without a purchase (rule 'days'). Points about to expire: days "
        "before the expiry. Tier downgrade: days of warning.",
    )
    hours = fields.Integer(help="Post-purchase: hours after the purchase.")
    catch_up_days = fields.Integer(
        string="Catch up (days)",
        default=1,
        help="A day the job did not run is caught up for this many days "
        "after; the occasion is still sent once.",
    )
    winback_rule = fields.Selection(
        [("rfm", "Sleeping per RFM"), ("days", "No purchase for N days")],
        default="rfm",
        help="Sleeping per RFM: the customer has just joined the RFM group "
        "Sleeping (statistics settings). A customer is won back at most "
        "once per sleeping spell.",
    )
    channel = fields.Selection(
        [("auto", "Each customer's own"), ("email", "Email"), ("sms", "SMS")],
        default="auto",
        required=True,
    )
    control_percent = fields.Float(string="Control group (%)", default=10.0)
    hour_from = fields.Float(string="Send from", default=10.0, required=True)
    hour_to = fields.Float(string="Send until", default=21.0, required=True)
    cap_messages = fields.Integer(
        string="At most (messages)",
        default=3,
        help="Skip customers who got this many messages (campaigns and "
        "triggers together) over the period below. The company's cap "
        "(campaign settings) holds too: this one can only be stricter. "
        "0: the company's only.",
    )
    cap_days = fields.Integer(string="Per (days)", default=7)
    gift_points = fields.Float(
        digits=(16, 2), help="Points credited to each customer when sent."
    )
    gift_lifetime_days = fields.Integer(string="Gift lifetime (days)", default=30)
    response_days = fields.Integer(string="Response window (days)", default=14)
    email_subject = fields.Char(translate=True)
    email_body = fields.Html(translate=True, sanitize_attributes=False)
    sms_body = fields.Text(string="SMS text", translate=True)
    placeholders_help = fields.Char(compute="_compute_placeholders_help")
    run_ids = fields.One2many("lp.trigger.run", "trigger_id", readonly=True)
    last_run_date = fields.Datetime(readonly=True, copy=False)
    message_count = fields.Integer(string="Occasions", compute="_compute_message_count")

    _control_range = models.Constraint(
        "CHECK(control_percent >= 0 AND control_percent < 100)",
        "The control group is a share of the customers below 100%.",
    )
    _values_positive = models.Constraint(
        "CHECK(days >= 0 AND hours >= 0 AND catch_up_days >= 0 "
        "AND gift_points >= 0 AND gift_lifetime_days >= 0 AND cap_messages >= 0 "
        "AND cap_days > 0 AND response_days > 0)",
        "Days, hours, gifts, caps and windows cannot be negative.",
    )
    _window_valid = models.Constraint(
        "CHECK(hour_from >= 0 AND hour_from < hour_to AND hour_to <= 24)",
        "The sending window starts before it ends, within the day.",
    )

    def _compute_placeholders_help(self):
        names = placeholders.NAMES + TRIGGER_PLACEHOLDERS
        for trigger in self:
            trigger.placeholders_help = " ".join("{%s}" % name for name in names)

    def _compute_message_count(self):
        counts = dict(
            self.env["lp.trigger.message"]._read_group(
                [("trigger_id", "in", self.ids)], ["trigger_id"], ["__count"]
            )
        )
        for trigger in self:
            trigger.message_count = counts.get(trigger, 0)

    @api.constrains("enabled", "program_id", "company_id")
    def _check_program(self):
        for trigger in self:
            if trigger.program_id and trigger.program_id.company_id != (
                trigger.company_id
            ):
                raise ValidationError(
                    self.env._(
                        "%(trigger)s reaches the members of a program of its own "
                        "company.",
                        trigger=trigger.name,
                    )
                )
        for trigger in self.filtered("enabled"):
            if not trigger._program():
                raise ValidationError(
                    self.env._(
                        "%(trigger)s needs a loyalty program of its company "
                        "before it is switched on.",
                        trigger=trigger.name,
                    )
                )

    def write(self, vals):
        if "kind" in vals and self.env["lp.trigger.message"].sudo().search_count(
            [("trigger_id", "in", self.filtered(lambda t: t.kind != vals["kind"]).ids)],
            limit=1,
        ):
            raise UserError(
                self.env._(
                    "A trigger that has reached customers keeps its kind: its "
                    "occasions are those of the kind. Create a new trigger instead."
                )
            )
        return super().write(vals)

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if "name" not in (default or {}) and not self.env.context.get(
            "lp_ready_trigger"
        ):
            for trigger, vals in zip(self, vals_list, strict=True):
                vals["name"] = self.env._("%(name)s (copy)", name=trigger.name)
        return vals_list

    # Actions

    def action_enable(self):
        self._check_manager()
        self.write({"enabled": True})
        return True

    def action_disable(self):
        self._check_manager()
        self.write({"enabled": False})
        return True

    def action_run_now(self):
        """Run the switched-on triggers for today at once (what the daily job
        does); who was already reached is not reached again."""
        self._check_manager()
        for trigger in self.filtered("enabled"):
            trigger.sudo()._run()
        return True

    @api.readonly
    def action_view_messages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_program.action_lp_trigger_message"
        )
        action["domain"] = [("trigger_id", "=", self.id)]
        return action

    # Business methods

    def _check_manager(self):
        if not self.env.user.has_group("loyalty_program.group_lp_manager"):
            raise AccessError(self.env._("Only loyalty managers run triggers."))
        self.check_access("write")

    def _program(self):
        self.ensure_one()
        return self.program_id or self.env["lp.program"].sudo().search(
            [("company_id", "=", self.company_id.id)], order="id", limit=1
        )

    def _config(self):
        """The company's campaign settings with this trigger's own window:
        what :meth:`lp.message.dispatch._prepare` reads (the caps are
        :meth:`_caps`)."""
        self.ensure_one()
        company = self.env["lp.campaign.config"]._for_company(self.company_id)
        return TriggerConfig(
            tz=company.tz,
            hour_from=self.hour_from,
            hour_to=self.hour_to,
            cap_messages=company.cap_messages,
            cap_days=company.cap_days,
            sms_part_price=company.sms_part_price,
        )

    def _caps(self):
        """The frequency caps the trigger's messages obey: the company's
        (campaign settings: campaigns and triggers together) and the
        trigger's own, which can therefore only be stricter."""
        self.ensure_one()
        dispatch = self.env["lp.message.dispatch"]
        company = self.env["lp.campaign.config"]._for_company(self.company_id)
        return dispatch._caps(company) + dispatch._caps(self)


class TriggerConfig:
    """The attributes of ``lp.campaign.config`` the dispatch reads."""

    def __init__(self, **values):
        self.__dict__.update(values)
