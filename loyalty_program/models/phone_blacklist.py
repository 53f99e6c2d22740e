from odoo import api, models


class PhoneBlacklist(models.Model):
    """A number put on the SMS blacklist (SMS unsubscribe, by hand)
    withdraws the customers' SMS consent."""

    _inherit = "phone.blacklist"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._lp_withdraw_consent()
        return records

    def write(self, vals):
        result = super().write(vals)
        if vals.get("active") or "number" in vals:
            self._lp_withdraw_consent()
        return result

    def _lp_withdraw_consent(self):
        numbers = {r.number for r in self if r.active and r.number}
        if numbers:
            self.env["res.partner"]._lp_withdraw_consent(
                "sms", numbers=numbers, note=self.env._("Phone blacklisted")
            )
