from odoo import api, models


class MailingSubscription(models.Model):
    """Opting out of a mailing list withdraws the email consent of the
    customers with that contact's email."""

    _inherit = "mailing.subscription"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records.filtered("opt_out")._lp_withdraw_consent()
        return records

    def write(self, vals):
        result = super().write(vals)
        if vals.get("opt_out"):
            self._lp_withdraw_consent()
        return result

    def _lp_withdraw_consent(self):
        emails = {
            s.contact_id.email_normalized
            for s in self.sudo()
            if s.contact_id.email_normalized
        }
        if emails:
            self.env["res.partner"]._lp_withdraw_consent(
                "email", emails=emails, note=self.env._("Opted out of a mailing list")
            )
