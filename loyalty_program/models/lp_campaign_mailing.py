from odoo import api, fields, models
from odoo.fields import Domain


class MailingMailing(models.Model):
    """A campaign's mailings send exactly the stored recipient rows of their
    channel and moment, and report back once sent."""

    _inherit = "mailing.mailing"

    lp_campaign_id = fields.Many2one(
        "lp.campaign",
        string="Loyalty campaign",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
    )

    def _get_recipients_domain(self):
        if self.lp_campaign_id and self.mailing_model_real == "lp.campaign.recipient":
            return Domain("mailing_id", "=", self.id) & Domain(
                "state", "=", "scheduled"
            )
        return super()._get_recipients_domain()

    def _action_send_mail(self, res_ids=None):
        result = super()._action_send_mail(res_ids=res_ids)
        self._lp_after_send()
        return result

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
