from odoo import models
from odoo.exceptions import UserError

from ..tools import sale_points


class SaleOrder(models.Model):
    """Confirmation spends the reserved points; earning on the program's
    event (confirmation or payment)."""

    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    def _lp_after_confirm(self):
        """Spend the reserved points, then earn if the program earns on
        confirmation."""
        self.ensure_one()
        member = self.lp_member_id
        if self.lp_points_spent:
            reservation = self._lp_reservations().filtered(
                lambda r: r.member_id == member
            )
            if not reservation:
                raise UserError(
                    self.env._(
                        "The bonus points of %(order)s are no longer reserved.",
                        order=self.name,
                    )
                )
            reservation._consume(source=self, source_key=self._lp_key(":spend"))
        if member and member.program_id.sale_earn_event == "confirm":
            self._lp_post_earn()
        else:
            # Invoiced and paid before it was confirmed.
            self._lp_earn_if_paid()

    def _lp_post_earn(self):
        """Post what this order earns, once per confirmation, held for the
        program's hold period. The amount is what the customer pays for the
        products that earn, net of the points discount and of credit notes
        already posted. Returns the entry."""
        self.ensure_one()
        member = self.lp_member_id
        if not member or self.state != "sale":
            return self.env["lp.ledger"]
        base = sale_points.earn_base(self._lp_lines())
        refunded = sale_points.earn_base(self._lp_refund_lines())
        amount = self._lp_to_company(max(base - refunded, 0.0))
        return member._earn(amount, source=self, source_key=self._lp_key(":earn"))

    def _lp_is_paid(self):
        """The order is confirmed, fully invoiced, and its invoices are paid."""
        self.ensure_one()
        invoices = self.invoice_ids.filtered(
            lambda m: m.state == "posted" and m.move_type == "out_invoice"
        )
        return (
            self.state == "sale"
            and self.invoice_status == "invoiced"
            and any(m.payment_state in ("paid", "in_payment") for m in invoices)
            and all(
                m.payment_state in ("paid", "in_payment", "reversed") for m in invoices
            )
        )

    def _lp_earn_if_paid(self):
        for order in self:
            member = order.lp_member_id
            if (
                member
                and member.program_id.sale_earn_event == "paid"
                and order._lp_is_paid()
            ):
                order._lp_post_earn()
