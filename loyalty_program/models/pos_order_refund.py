from odoo import models
from odoo.tools import float_round

from ..tools import card_number, pos_refund
from .lp_ledger import PRECISION


class PosOrder(models.Model):
    """Refunds (and the returned part of an exchange): the customer gets
    back what they paid for the returned goods, no more. The share of the
    points discount those goods carried comes back as points when the refund
    kept it back in money (its positive points lines); whatever a till paid
    beyond that is recorded for the loyalty manager. Totals over all refunds
    of an order never exceed what was paid, in money and in points."""

    _inherit = "pos.order"  # pylint: disable=consider-merging-classes-inherited

    def _lp_refund_kept_back(self):
        """Money this refund kept back for the points share (its positive
        points lines)."""
        amounts = [line._lp_amount() for line in self._lp_points_lines()]
        return sum(amount for amount in amounts if amount > 0)

    def _lp_refund_lines_of(self, original):
        """``pos_refund.Line`` for every goods line of ``original``, with what
        earlier refunds and this one return."""
        program = (original.lp_member_id or self.lp_member_id).program_id
        earlier = self.search(
            [
                ("id", "<", self.id),
                ("state", "not in", ("draft", "cancel")),
                ("lines.refunded_orderline_id.order_id", "=", original.id),
            ]
        )
        result = []
        for line in original._lp_sale_lines():
            before = -sum(
                refund.qty
                for refund in line.refund_orderline_ids
                if refund.order_id in earlier
            )
            now = -sum(
                refund.qty
                for refund in self.lines
                if refund.refunded_orderline_id == line
            )
            result.append(
                pos_refund.Line(
                    value=line._lp_amount(),
                    qty=line.qty,
                    before=max(before, 0.0),
                    now=max(now, 0.0),
                    spendable=not program
                    or not program._is_excluded(line.product_id, "spend"),
                    earns=bool(program)
                    and not program._is_excluded(line.product_id, "earn"),
                )
            )
        return result

    def _lp_post_refund(self):
        """Per refunded order: take back the returned goods' share of the
        earn, give back the points share the refund kept back in money,
        record what a till paid beyond what was paid. Keyed by this refund's
        uuid."""
        originals = self._lp_refunded_orders()
        figures = {
            original: pos_refund.refund_figures(
                self._lp_refund_lines_of(original), original._lp_points_discount()
            )
            for original in originals
        }
        kept_back = self._lp_refund_kept_back()
        shares = sum(f.points_money for f in figures.values())
        reversed_points = 0.0
        for original in originals:
            fig = figures[original]
            kept = kept_back * fig.points_money / shares if shares > 0 else 0.0
            reversed_points += self._lp_reverse_for(original, fig, kept)
        self.sudo().lp_points_reversed = float_round(
            reversed_points, precision_rounding=PRECISION
        )

    def _lp_original_entries(self, original, kind):
        return (
            self.env["lp.ledger"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "pos.order"),
                    ("res_id", "=", original.id),
                    ("kind", "=", kind),
                ]
            )
        )

    def _lp_reverse_for(self, original, fig, kept):
        key = f"pos.order:{self.uuid}:refund"
        earns = self._lp_original_entries(original, "earn")
        spends = self._lp_original_entries(original, "spend")
        member = original.lp_member_id or (earns | spends).member_id[:1]
        reversals = self.env["lp.ledger"]
        if fig.earn_ratio > 0:
            reversals |= earns._reverse(fig.earn_ratio, source=self, source_key=key)
        point_value = member.program_id.point_value if member else 1.0
        spent = -sum(spends.mapped("amount"))
        given_back = sum(
            self.env["lp.ledger"]
            .sudo()
            .search([("reversed_entry_id", "in", spends.ids)])
            .mapped("amount")
        )
        back = min(kept, fig.points_money) / point_value
        back = float_round(
            min(back, max(spent - given_back, 0.0)), precision_rounding=PRECISION
        )
        if back > 0 and spent > 0:
            reversals |= spends._reverse(back / spent, source=self, source_key=key)
        self._lp_record_refund_problems(original, member, fig, kept, back)
        if member:
            self.sudo().write(
                {
                    "lp_member_id": member.id,
                    "lp_balance_after": member.balance,
                    "lp_pending_after": member.pending,
                    "lp_card_masked": card_number.mask(member.card_number),
                    "lp_posted": True,
                }
            )
        return sum(reversals.mapped("amount"))

    def _lp_record_refund_problems(self, original, member, fig, kept, back):
        point_value = member.program_id.point_value if member else 1.0
        Exception_ = self.env["lp.pos.exception"]
        if fig.points_money - kept > PRECISION:
            Exception_._record(
                self,
                "refund_money",
                member=member,
                message=self.env._(
                    "The refund paid %(amount)s in money for the points share of "
                    "order %(order)s instead of keeping it back; those points were "
                    "not given back.",
                    amount=float_round(
                        fig.points_money - kept, precision_rounding=PRECISION
                    ),
                    order=original.name,
                ),
                points_wanted=float_round(
                    fig.points_money / point_value, precision_rounding=PRECISION
                ),
                points_posted=back,
                amount=float_round(
                    fig.points_money - kept, precision_rounding=PRECISION
                ),
            )
        if fig.excess > PRECISION:
            Exception_._record(
                self,
                "over_refund",
                member=member,
                message=self.env._(
                    "The refund returns %(amount)s of goods of order %(order)s that "
                    "earlier refunds had already returned.",
                    amount=fig.excess,
                    order=original.name,
                ),
                amount=fig.excess,
            )
