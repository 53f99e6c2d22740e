from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft)
        posted.filtered(lambda m: m.move_type == "out_refund")._lp_reverse_points()
        return posted

    def _invoice_paid_hook(self):
        res = super()._invoice_paid_hook()
        self.filtered(
            lambda m: m.move_type == "out_invoice"
        )._lp_sale_orders()._lp_earn_if_paid()
        return res

    def _lp_sale_orders(self):
        """Sales orders these moves invoice or refund (as superuser: whoever
        posts or pays an invoice may not read the orders; access to the move
        was checked by the caller)."""
        return self.sudo().invoice_line_ids.sale_line_ids.order_id

    def _lp_reverse_points(self):
        """A posted credit note reverses, for each order it refunds, the
        refunded share of what the order earned and spent; once per credit
        note."""
        for move in self:
            for order in move._lp_sale_orders():
                order._lp_apply_credit_note(move)
