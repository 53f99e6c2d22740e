from odoo import api, models


class LpLedger(models.Model):
    _inherit = "lp.ledger"

    @api.model
    def _expire_due(self, limit=50000, today=None):
        """Expired points that open orders had reserved: the reservations
        shrink to what is left (and say so), instead of holding points that
        are gone."""
        done = super()._expire_due(limit=limit, today=today)
        if done:
            self.env["lp.reservation"]._lp_fit_to_balance()
        return done
