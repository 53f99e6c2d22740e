from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

# What a dispatch mailing sends, when and to whom: set by the dispatch only.
LOCKED_FIELDS = {
    "body_arch",
    "body_html",
    "body_plaintext",
    "subject",
    "mailing_domain",
    "mailing_model_id",
    "schedule_date",
    "schedule_type",
    "sms_allow_unsubscribe",
    "contact_list_ids",
}


class MailingMailing(models.Model):
    """A campaign's mailings send exactly the stored recipient rows of their
    channel and moment, obey the frequency cap once more when they go out,
    and report back once sent. What they send and when is the dispatch's:
    editing it on the mailing is refused (change the campaign instead)."""

    _inherit = "mailing.mailing"

    lp_campaign_id = fields.Many2one(
        "lp.campaign",
        string="Loyalty campaign",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
    )

    def write(self, vals):
        if LOCKED_FIELDS & set(vals) and not self.env.context.get("lp_dispatch"):
            locked = self.filtered(
                lambda m: m._lp_is_dispatch() and m.state in ("in_queue", "sending")
            )
            if locked:
                raise UserError(
                    self.env._(
                        "%(mailing)s sends a loyalty campaign or trigger: what it "
                        "sends and when is the campaign's. Cancel the campaign, "
                        "change it and preview it again.",
                        mailing=locked[0].subject,
                    )
                )
        return super().write(vals)

    def _lp_is_dispatch(self):
        """Whether the mailing sends rows of :class:`lp.message.dispatch`."""
        self.ensure_one()
        return self.mailing_model_real == "lp.campaign.recipient" and bool(
            self.lp_campaign_id
        )

    def _lp_caps(self):
        """The frequency caps its rows obey at send time. Meant to be
        overridden (a trigger run's mailing: the trigger's)."""
        self.ensure_one()
        return self.lp_campaign_id.sudo()._caps() if self.lp_campaign_id else []

    def _get_recipients_domain(self):
        if self.lp_campaign_id and self.mailing_model_real == "lp.campaign.recipient":
            return Domain("mailing_id", "=", self.id) & Domain(
                "state", "=", "scheduled"
            )
        return super()._get_recipients_domain()

    def _action_send_mail(self, res_ids=None):
        to_send = self
        for mailing in self.filtered(lambda m: m._lp_is_dispatch()):
            if (
                self._lp_cap_at_send(mailing)
                and not mailing._get_remaining_recipients()
            ):
                # everybody left was capped: nothing to send
                to_send -= mailing
                mailing.write({"state": "done", "sent_date": fields.Datetime.now()})
        result = super(MailingMailing, to_send)._action_send_mail(res_ids=res_ids)
        self._lp_after_send()
        return result

    @api.model
    def _lp_cap_at_send(self, mailing):
        """The cap once more, for what was queued since the rows were
        (a trigger run that did not see them): the rows of ``mailing``
        beyond it are skipped, reason ``capped``. Returns their ids."""
        return self.env["lp.message.dispatch"]._apply_cap(
            {"mailing_id": mailing.id}, mailing._lp_caps(), states=("scheduled",)
        )

    def _lp_after_send(self):
        """Rows of the dispatch's mailings (campaigns and triggers alike)
        become sent, gifts are credited, the campaigns follow."""
        campaign_mailings = self.filtered(
            lambda m: m.mailing_model_real == "lp.campaign.recipient"
        )
        if not campaign_mailings:
            return
        self.env["lp.message.dispatch"]._mark_sent(campaign_mailings)
        # mass SMS leaves its mailing for the next queue run to close; ours
        # have a fixed audience, so close them when nobody is left
        for mailing in campaign_mailings.filtered(
            lambda m: m.mailing_type == "sms" and m.state != "done"
        ):
            if not mailing._get_remaining_recipients():
                mailing.write({"state": "done", "sent_date": fields.Datetime.now()})
        campaign_mailings.lp_campaign_id.sudo()._sync_state()

    @api.model
    def _process_mass_mailing_queue(self):
        result = super()._process_mass_mailing_queue()
        self.env["lp.campaign"].sudo().search(
            [("state", "in", ("scheduled", "sending"))]
        )._sync_state()
        return result
