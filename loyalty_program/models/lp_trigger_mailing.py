from odoo import fields, models
from odoo.fields import Domain


class MailingMailing(models.Model):
    """A trigger run's mailings send exactly its stored recipient rows of
    their channel and moment; they obey the trigger's caps at send time
    and, once sent, report back through the dispatch like a campaign's
    (``_lp_after_send`` knows them by their target model)."""

    _inherit = "mailing.mailing"  # pylint: disable=consider-merging-classes-inherited

    lp_trigger_run_id = fields.Many2one(
        "lp.trigger.run",
        string="Loyalty trigger run",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
    )

    def _lp_is_dispatch(self):
        return super()._lp_is_dispatch() or (
            self.mailing_model_real == "lp.campaign.recipient"
            and bool(self.lp_trigger_run_id)
        )

    def _lp_caps(self):
        if self.lp_trigger_run_id:
            return self.lp_trigger_run_id.sudo().trigger_id._caps()
        return super()._lp_caps()

    def _get_recipients_domain(self):
        if (
            self.lp_trigger_run_id
            and self.mailing_model_real == "lp.campaign.recipient"
        ):
            return Domain("mailing_id", "=", self.id) & Domain(
                "state", "=", "scheduled"
            )
        return super()._get_recipients_domain()
