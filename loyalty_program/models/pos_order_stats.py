from odoo import models


class PosOrder(models.Model):
    """Keep the customer statistics current when a POS order is paid (the
    path shared by the UI sync, the backend payment wizard and online
    payment). Loyalty posting lives in ``pos_order.py``; this file only
    queues the customer: the job of ``lp.customer.stats.queue`` refreshes
    every customer queued in the last minute set-based, after the orders'
    commits (so it sees the points posted), and a till never waits for it
    nor retries because of it."""

    _inherit = "pos.order"  # pylint: disable=consider-merging-classes-inherited

    def _process_saved_order(self, draft):
        result = super()._process_saved_order(draft)
        if not draft and self.partner_id and self.state in ("paid", "done"):
            self.env["lp.customer.stats.queue"].sudo()._enqueue(
                self.partner_id, self.company_id, after_commit=False
            )
        return result
