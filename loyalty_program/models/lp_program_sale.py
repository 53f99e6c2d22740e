from odoo import fields, models

from ..tools.sale_points import Line


class LpProgram(models.Model):
    _inherit = "lp.program"  # pylint: disable=consider-merging-classes-inherited

    sale_earn_event = fields.Selection(
        [("confirm", "Order confirmation"), ("paid", "Invoice paid")],
        string="Sales orders earn on",
        default="confirm",
        required=True,
        help="When a sales order posts its purchase: points (held for the hold "
        "period) and the spend that counts toward the tier. 'Invoice paid' "
        "waits until the order is fully invoiced and its invoices are paid.",
    )

    def _lp_sale_line(self, product, amount, is_points=False):
        """A document line as the points arithmetic sees it
        (:class:`~..tools.sale_points.Line`). Meant to be overridden, e.g. to
        exclude delivery lines."""
        self.ensure_one()
        if is_points:
            return Line(amount, False, False, True)
        return Line(
            amount,
            not self._is_excluded(product, "earn"),
            not self._is_excluded(product, "spend"),
            False,
        )
