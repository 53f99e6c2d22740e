from odoo import fields, models
from odoo.fields import Domain


class MailingMailing(models.Model):
    """A trigger run's mailings send exactly its stored recipient rows of
    their channel and moment, and report back once sent (the sending side
    of the campaign machinery, extended for trigger runs)."""

    _inherit = "mailing.mailing"  # pylint: disable=consider-merging-classes-inherited

    lp_trigger_run_id = fields.Many2one(
        "lp.trigger.run",
        string="Loyalty trigger run",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
    )

    def _get_recipients_domain(self):
        if (
            self.lp_trigger_run_id
            and self.mailing_model_real == "lp.campaign.recipient"
        ):
            return Domain("mailing_id", "=", self.id) & Domain(
                "state", "=", "scheduled"
            )
        return super()._get_recipients_domain()

    def _lp_after_send(self):
        result = super()._lp_after_send()
        trigger_mailings = self.filtered("lp_trigger_run_id")
        if not trigger_mailings:
            return result
        self.env["lp.message.dispatch"]._mark_sent(trigger_mailings)
        # as for campaigns: a fixed audience, so an SMS mailing with nobody
        # left is done now rather than at the next queue run
        for mailing in trigger_mailings.filtered(
            lambda m: m.mailing_type == "sms" and m.state != "done"
        ):
            if not mailing._get_remaining_recipients():
                mailing.write({"state": "done", "sent_date": fields.Datetime.now()})
        return result
