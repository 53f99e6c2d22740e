from odoo import api, fields, models
from odoo.tools import SQL

STATES = [
    ("skipped", "Skipped"),
    ("control", "Control group"),
    ("target", "To send"),
    ("scheduled", "Scheduled"),
    ("sent", "Sent"),
    ("failed", "Not delivered"),
    ("cancel", "Cancelled"),
]
REASONS = [
    ("no_consent", "No consent"),
    ("no_address", "No valid address"),
    ("blacklisted", "Blacklisted"),
    ("capped", "Frequency cap"),
    ("opted_out", "Opted out before sending"),
]
CHANNELS = [("email", "Email"), ("sms", "SMS")]


class LpCampaignRecipient(models.Model):
    """One customer of a campaign (or of a trigger's run): target or
    control, the channel, why they were skipped, when the message goes out,
    the snapshot of what the message says, and the response.

    Rows are written set-based by :class:`lp.message.dispatch`. The
    recipients are the target of the ``mailing.mailing`` records (one per
    channel and send moment), so a mailing sends exactly the stored rows and
    a trace points at its row; the texts are rendered per row from the
    campaign's templates, in the customer's language."""

    _name = "lp.campaign.recipient"
    _description = "Campaign Recipient"
    # a thread, because mass mailing keeps traces, opt-outs and unsubscribe
    # links only for thread models; rows are written by SQL, so no message
    # or follower is ever created for them
    _inherit = ["mail.thread"]
    _order = "id"
    _rec_name = "partner_id"
    _mailing_enabled = True
    _primary_email = "email"

    campaign_id = fields.Many2one(
        "lp.campaign", index="btree_not_null", ondelete="cascade", readonly=True
    )
    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    member_id = fields.Many2one("lp.member", readonly=True, ondelete="set null")
    state = fields.Selection(STATES, required=True, readonly=True, index=True)
    reason = fields.Selection(REASONS, readonly=True)
    is_control = fields.Boolean(string="Control", readonly=True)
    group = fields.Selection(
        [("target", "Target"), ("control", "Control"), ("none", "Not reached")],
        required=True,
        readonly=True,
        help="Target: prepared to get the message; control: held out; not "
        "reached: skipped.",
    )
    channel = fields.Selection(CHANNELS, readonly=True)
    email = fields.Char(readonly=True)
    phone = fields.Char(readonly=True)
    lang = fields.Char(readonly=True)
    tz = fields.Char(string="Time zone", readonly=True)
    scheduled_date = fields.Datetime(string="Send at (UTC)", readonly=True)
    queued_date = fields.Datetime(
        string="Queued at",
        readonly=True,
        help="When the message went into the queue: of two messages beyond "
        "the frequency cap, the one queued later gives way.",
    )
    sent_date = fields.Datetime(readonly=True)
    mailing_id = fields.Many2one(
        "mailing.mailing", index="btree_not_null", ondelete="set null", readonly=True
    )
    # Snapshot of what the message says, taken at preparation
    balance = fields.Float(digits=(16, 2), readonly=True)
    tier_id = fields.Many2one("lp.tier", readonly=True)
    expiring_points = fields.Float(digits=(16, 2), readonly=True)
    expiring_date = fields.Date(readonly=True)
    card_ending = fields.Char(readonly=True)
    gift_points = fields.Float(digits=(16, 2), readonly=True)
    gift_lifetime_days = fields.Integer(readonly=True)
    gift_key = fields.Char(
        readonly=True, help="Source key of the gift: one gift per key and member."
    )
    sms_parts = fields.Integer(string="SMS parts", readonly=True)
    sms_rendered = fields.Text(
        string="SMS as previewed",
        readonly=True,
        help="The SMS rendered when the parts were counted: what the mailing "
        "sends (Odoo then shortens its links and adds the opt-out line).",
    )
    # Response, written by the results computation
    bought = fields.Integer(
        string="Buyers",
        readonly=True,
        aggregator="sum",
        help="1 when the customer bought within the response window.",
    )
    response_orders = fields.Integer(string="Orders", readonly=True)
    response_revenue = fields.Monetary(string="Revenue", readonly=True)
    # Rendered texts (what the mailings send)
    sms_text = fields.Text(compute="_compute_texts")
    email_subject = fields.Char(compute="_compute_texts")
    email_html = fields.Html(compute="_compute_texts", sanitize=False)
    trace_status = fields.Char(string="Delivery", compute="_compute_trace_status")

    _campaign_partner = models.Index("(campaign_id, partner_id)")
    _cap_index = models.Index(
        "(partner_id, scheduled_date) WHERE state IN ('scheduled', 'sent')"
    )

    def _compute_texts(self):
        for source, recipients in self.grouped(lambda r: r._text_source()).items():
            texts = source._render_recipients(recipients) if source else {}
            for recipient in recipients:
                text = texts.get(recipient.id, {})
                # the SMS sent is the one counted at the preview
                recipient.sms_text = recipient.sms_rendered or text.get("sms", False)
                recipient.email_subject = text.get("subject", False)
                recipient.email_html = text.get("html", False)

    def _text_source(self):
        """The record whose templates the row's texts are rendered from
        (it implements ``_render_recipients(recipients)``): the campaign.
        Meant to be overridden (a trigger's rows render its own texts)."""
        self.ensure_one()
        return self.campaign_id

    def _compute_trace_status(self):
        labels = dict(
            self.env["mailing.trace"]
            ._fields["trace_status"]
            ._description_selection(self.env)
        )
        statuses = {}
        if self.ids:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT res_id, trace_status FROM mailing_trace
                     WHERE model = %s AND res_id IN %s
                    """,
                    self._name,
                    tuple(self.ids),
                )
            )
            statuses = dict(self.env.cr.fetchall())
        for recipient in self:
            status = statuses.get(recipient.id)
            recipient.trace_status = labels.get(status, status or False)

    # Mass mailing hooks

    def _phone_get_number_fields(self):
        return ["phone"]

    def _mail_get_partner_fields(self, introspect_fields=False):
        return ["partner_id"]

    @api.model
    def _mailing_get_opt_out_list(self, mailing):
        """Emails of this mailing's recipients who withdrew their email
        consent since it was prepared: the composer cancels them."""
        return set(
            self.sudo()
            .search(
                [
                    ("mailing_id", "=", mailing.id),
                    ("partner_id.lp_consent_email", "=", False),
                ]
            )
            .mapped("email")
        )

    @api.model
    def _mailing_get_opt_out_list_sms(self, mailing):
        """Recipients of this SMS mailing who withdrew their SMS consent."""
        return (
            self.sudo()
            .search(
                [
                    ("mailing_id", "=", mailing.id),
                    ("partner_id.lp_consent_sms", "=", False),
                ]
            )
            .ids
        )

    # Rendering helpers

    def _placeholder_row(self):
        """The stored snapshot as the row :meth:`lp.message.dispatch._format`
        reads."""
        self.ensure_one()
        return {
            "name": self.partner_id.name,
            "balance": self.balance,
            "tier_id": self.tier_id.id,
            "expiring_points": self.expiring_points,
            "expiring_date": self.expiring_date,
            "gift_points": self.gift_points,
            "card_ending": self.card_ending,
        }
