from odoo import api, models


class MailBlacklist(models.Model):
    """An email put on the blacklist (unsubscribe link, by hand) withdraws
    the customers' email consent."""

    _inherit = "mail.blacklist"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._lp_withdraw_consent()
        return records

    def write(self, vals):
        result = super().write(vals)
        if vals.get("active") or "email" in vals:
            self._lp_withdraw_consent()
        return result

    def _lp_withdraw_consent(self):
        emails = {r.email for r in self if r.active and r.email}
        if emails:
            self.env["res.partner"]._lp_withdraw_consent(
                "email", emails=emails, note=self.env._("Email blacklisted")
            )
