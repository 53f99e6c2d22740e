from odoo import models


class SaleOrder(models.Model):
    """Keep the customer statistics current when an order is confirmed or
    cancelled (the nightly job catches credit notes and everything else):
    the customers are queued and refreshed after the transaction commits
    (``lp.customer.stats.queue``)."""

    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    def action_confirm(self):
        result = super().action_confirm()
        self._lp_queue_stats()
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        self._lp_queue_stats()
        return result

    def _lp_queue_stats(self):
        Queue = self.env["lp.customer.stats.queue"].sudo()
        for company in self.company_id:
            orders = self.filtered(lambda order, c=company: order.company_id == c)
            Queue._enqueue(orders.partner_id, company)
