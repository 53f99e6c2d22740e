from odoo import models
from odoo.tools import float_round

from ..tools import sale_points


class SaleOrder(models.Model):
    """Cancellation and credit notes: what the order spent comes back, what
    it earned goes, never more than once."""

    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    def _lp_entries(self):
        """Earn and spend entries this order posted (all confirmations)."""
        return (
            self.env["lp.ledger"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "sale.order"),
                    ("res_id", "in", self.ids),
                    ("kind", "in", ("earn", "spend")),
                ],
                order="id",
            )
        )

    def _lp_reverse(self, entries, ratio, source, source_key, reason=None):
        """Reverse ``ratio`` of each entry, but never more than what is left
        of it (cancellation and credit notes add up to 100% at most)."""
        Ledger = self.env["lp.ledger"].sudo()
        reversals = Ledger
        for entry in entries.sudo():
            done = sale_points.reversed_share(
                entry.amount,
                entry.base_amount,
                [(r.amount, r.shortfall, r.base_amount) for r in entry.reversal_ids],
            )
            share = sale_points.ratio_left(ratio, done)
            if not share:
                continue
            if float_round(entry.amount * share, precision_rounding=0.01):
                reversals |= entry._reverse(
                    share, source=source, source_key=source_key, reason=reason
                )
            elif entry.base_amount:
                # 0 points (a discount program): only the tier spend goes back.
                reversals |= Ledger._post(
                    [
                        {
                            "member_id": entry.member_id.id,
                            "kind": "reversal",
                            "amount": 0.0,
                            "base_amount": -entry.base_amount * share,
                            "reversed_entry_id": entry.id,
                            "source": source,
                            "source_key": f"{source_key}:{entry.id}",
                            "reason": reason,
                        }
                    ]
                )
        return reversals

    def _lp_after_cancel(self, was_confirmed):
        """Release what the quotation held; for a confirmed order, give the
        spent points back and take the earned ones back."""
        self.ensure_one()
        self._lp_release()
        if was_confirmed:
            self._lp_reverse(
                self._lp_entries(),
                1.0,
                source=self,
                source_key=self._lp_key(":cancel"),
                reason=self.env._("Order %(order)s cancelled", order=self.name),
            )
            self._lp_points_env().lp_cycle += 1
        self.order_line.filtered(
            lambda line: line.lp_is_points_line and not line.invoice_lines
        )._lp_points_env().with_context(lp_keep_reservation=True).unlink()
        if self.lp_points_spent:
            self._lp_set_points_spent(0.0)

    def _lp_refund_lines(self, moves=None, program=None):
        """Lines of posted credit notes (``moves``, default all) refunding this
        order, as :class:`~..tools.sale_points.Line` (document currency)."""
        self.ensure_one()
        program = program or self.lp_member_id.program_id
        if moves is None:
            moves = self.sudo().invoice_ids.filtered(
                lambda m: m.state == "posted" and m.move_type == "out_refund"
            )
        result = []
        if not program:
            return result
        for line in moves.sudo().invoice_line_ids:
            sale_lines = line.sale_line_ids.filtered(lambda sl: sl.order_id == self)
            if not sale_lines or line.display_type != "product":
                continue
            result.append(
                program._lp_sale_line(
                    line.product_id,
                    line.price_total,
                    any(sale_lines.mapped("lp_is_points_line")),
                )
            )
        return result

    def _lp_apply_credit_note(self, move):
        """Reverse, for the posted credit note ``move``, the share of this
        order it refunds: of the earning, the refunded amount that earned over
        what the entry earned on; of the spending, the refunded points
        discount over the order's. Keyed by the credit note: never twice."""
        self.ensure_one()
        entries = self._lp_entries()
        if not entries:
            return self.env["lp.ledger"]
        program = entries.program_id[:1]
        refund = self._lp_refund_lines(move, program=program)
        order_lines = self._lp_lines(program=program)
        earn_refunded = self._lp_to_company(sale_points.earn_base(refund))
        spend_refunded = sale_points.points_discount(refund)
        spend_total = sale_points.points_discount(order_lines)
        reversals = self.env["lp.ledger"]
        key = f"account.move:{move.id}"
        reason = self.env._("Credit note %(move)s", move=move.name)
        for entry in entries:
            if entry.kind == "earn" and entry.base_amount > 0:
                ratio = earn_refunded / entry.base_amount
            elif entry.kind == "spend" and spend_total > 0:
                ratio = spend_refunded / spend_total
            else:
                continue
            reversals |= self._lp_reverse(entry, min(ratio, 1.0), move, key, reason)
        return reversals
