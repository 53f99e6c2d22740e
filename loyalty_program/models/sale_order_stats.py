from odoo import models


class SaleOrder(models.Model):
    """Keep the customer statistics current when an order is confirmed or
    cancelled (the nightly job catches credit notes and everything else)."""

    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    def action_confirm(self):
        result = super().action_confirm()
        self.env["lp.customer.stats"]._refresh_partners(self.partner_id.ids)
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        self.env["lp.customer.stats"]._refresh_partners(self.partner_id.ids)
        return result
