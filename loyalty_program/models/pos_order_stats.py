from odoo import models


class PosOrder(models.Model):
    """Keep the customer statistics current when a POS order is paid (the
    path shared by the UI sync, the backend payment wizard and online
    payment). Loyalty posting lives in ``pos_order.py``; this file only
    refreshes the figures, after ``super()``."""

    _inherit = "pos.order"  # pylint: disable=consider-merging-classes-inherited

    def _process_saved_order(self, draft):
        result = super()._process_saved_order(draft)
        if not draft and self.partner_id and self.state in ("paid", "done"):
            self.env["lp.customer.stats"]._refresh_partners(self.partner_id.ids)
        return result
