from odoo import models


class PosOrderLine(models.Model):
    _inherit = "pos.order.line"

    def _lp_refunded_value(self):
        """What this refund line gives back, valued at the refunded line's
        price (tax included): the till may send refund amounts with either
        sign, the quantities are unambiguous."""
        self.ensure_one()
        original = self.refunded_orderline_id
        if not original or not original.qty:
            return 0.0
        share = min(1.0, abs(self.qty) / abs(original.qty))
        return original.price_subtotal_incl * share
