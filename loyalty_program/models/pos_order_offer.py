import json

import pytz

from odoo import api, fields, models
from odoo.tools import float_round

from ..tools import offers, pos_input, sale_points
from .lp_ledger import PRECISION

DISCOUNT_PRODUCT = "loyalty_program.product_lp_offer_discount"


class PosOrder(models.Model):
    """Offers on till orders: the server applies every matching offer of
    the member when the paid order is posted (``_lp_post_sale``), whatever
    the till showed; a money discount the till gave (its offer discount
    lines, ``lp_offer_ref``) is recorded up to what the offer allows, the
    rest becomes an ``lp.pos.exception``. A refund takes back the offer
    points of the goods it returns."""

    _inherit = "pos.order"  # pylint: disable=consider-merging-classes-inherited

    lp_offer_points = fields.Float(
        string="Offer points", digits=(16, 2), readonly=True, copy=False
    )
    lp_offer_summary = fields.Text(
        readonly=True,
        copy=False,
        help="Technical: the offers the order used, as the receipt prints them "
        "(JSON: label, points, discount).",
    )

    def _lp_offer_discount_lines(self):
        """The lines of money discounts of offers the till gave."""
        product_id = self.env["lp.offer"]._lp_discount_product_id()
        return self.lines.filtered(
            lambda line: (
                line.product_id.id == product_id and not line.refunded_orderline_id
            )
        )

    def _lp_concerns_loyalty(self):
        return super()._lp_concerns_loyalty() or bool(self._lp_offer_discount_lines())

    def _lp_offer_given(self):
        """{row id: money discount (positive) the till gave for it}."""
        given = {}
        for line in self._lp_offer_discount_lines():
            given[line.lp_offer_ref] = given.get(line.lp_offer_ref, 0.0) - (
                line._lp_amount()
            )
        return {
            ref: float_round(v, precision_rounding=0.01) for ref, v in given.items()
        }

    def _lp_offer_local_time(self):
        tz = pytz.timezone(self.user_id.tz or self.env.user.tz or "UTC")
        return pytz.utc.localize(self.date_order).astimezone(tz).replace(tzinfo=None)

    def _lp_offer_goods(self, program, member):
        """(goods as :class:`~..tools.offers.Line`, ``earned(lines)``): the
        order's goods and the points matching goods earn at the member's
        rate, net of their share of the points discount (offer discounts
        on other goods do not lower it)."""
        discounts = self._lp_offer_discount_lines()
        sold = self._lp_sale_lines()
        goods = sold - discounts
        # Each line's flags once (earns, points may pay for it).
        flags = {
            line.id: program._lp_sale_line(line.product_id, line._lp_amount())
            for line in sold
        }
        lines = [
            offers.Line(
                line.id,
                line.product_id.id,
                self.env["lp.offer"]._lp_categories_of(line.product_id),
                line.qty,
                flags[line.id].amount,
            )
            for line in goods
        ]
        paid_with_points = [
            program._lp_sale_line(line.product_id, line._lp_amount(), True)
            for line in self._lp_sale_points_lines()
        ]
        share = sale_points.points_share(list(flags.values()) + paid_with_points)
        # What each earning line earns on: its amount, less the points
        # discount's share when points may pay for it (the earn's rule).
        factor = {
            line_id: (1.0 - share if flag.spendable else 1.0)
            for line_id, flag in flags.items()
            if flag.earns
        }

        def earned(matched):
            amount = sum(line.amount * factor.get(line.key, 0.0) for line in matched)
            return program._points_for_amount(member, amount)

        return lines, earned

    def _lp_post_offers(self, member):
        """Apply the member's offers to this paid order on their own (the
        member is locked by the caller); record what the till gave that the
        offers do not allow. Returns the order's offer figures."""
        plan = self._lp_plan_offers(member)
        entries = self.env["lp.ledger"]
        if plan["entry_values"]:
            entries = member.env["lp.ledger"]._post(plan["entry_values"])
        return self._lp_finish_offers(member, plan, entries)

    def _lp_plan_offers(self, member):
        """Decide what the member's offers give this paid order (the rows
        locked; see ``lp.offer.member._lp_plan``): ``{"applied",
        "refused", "entry_values"}``, the entries to post with the order's
        own (:meth:`_lp_post_sale` posts them with the earn, at once)."""
        plan = {"applied": [], "refused": [], "entry_values": []}
        given = self._lp_offer_given()
        # The offers open when the customer paid (an order synced late too).
        at = min(self.date_order, fields.Datetime.now())
        if not member or (not member._lp_may_have_offers(at) and not given):
            plan["refused"] = [(ref, amount) for ref, amount in given.items()]
            return plan
        lines, earned = self._lp_offer_goods(member.program_id, member)
        # The member's environment: it knows the member is locked already.
        Row = member.env["lp.offer.member"]
        key = f"pos.order:{self.uuid}"
        applied, refused = Row._lp_plan(
            member,
            self,
            key,
            lines,
            self._lp_offer_local_time(),
            "pos",
            earned,
            given,
            at,
        )
        plan["applied"] = applied
        plan["refused"] = [(r.row_id, r.given - r.allowed) for r in refused]
        plan["entry_values"] = Row._lp_entry_values(member, self, key, applied)
        return plan

    def _lp_finish_offers(self, member, plan, entries):
        """After the posting of ``plan``'s entries (among ``entries``):
        record the uses, flag what the till gave beyond the offers; return
        the order's offer figures."""
        self._lp_offer_refused(member, plan["refused"])
        applied = plan["applied"]
        if not applied:
            return {}
        member.env["lp.offer.member"]._lp_record_uses(
            member, self, f"pos.order:{self.uuid}", "pos", applied, entries
        )
        return {
            "lp_offer_points": sum(result.points for result in applied),
            "lp_offer_summary": json.dumps(
                [
                    {
                        "label": result.label,
                        "points": result.points,
                        "discount": result.discount,
                    }
                    for result in applied
                ]
            ),
        }

    def _lp_offer_refused(self, member, excess):
        """One exception for the money the till gave beyond what offers
        allow (``excess``: [(row id, money)])."""
        amount = float_round(
            sum(money for _ref, money in excess), precision_rounding=0.01
        )
        if amount <= PRECISION:
            return
        self.env["lp.pos.exception"]._record(
            self,
            "offer_refused",
            member=member or None,
            message=self.env._(
                "The till gave %(amount)s of offer discounts that the offers of "
                "this customer do not allow (used up, expired, not met, or above "
                "their worth).",
                amount=amount,
            ),
            amount=amount,
        )

    # Refunds

    def _lp_reverse_for(self, original, fig, kept):
        reversed_points = super()._lp_reverse_for(original, fig, kept)
        return reversed_points + self._lp_reverse_offers(original)

    def _lp_reverse_offers(self, original):
        """Take back, for each offer the original order used, the share of
        its points the returned goods carried (the matching lines it
        returns, each line at most once over all refunds)."""
        uses = (
            self.env["lp.offer.use"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "pos.order"),
                    ("res_id", "=", original.id),
                    ("entry_id", "!=", False),
                ]
            )
        )
        if not uses:
            return 0.0
        earlier = self.search(
            [
                ("id", "<", self.id),
                ("state", "not in", ("draft", "cancel")),
                ("lines.refunded_orderline_id.order_id", "=", original.id),
            ]
        )
        total = 0.0
        key = f"pos.order:{self.uuid}:refund"
        for use in uses:
            returned = []
            for line in original.lines.browse(use._lp_line_ids()).exists():
                refunds = line.refund_orderline_ids
                returned.append(
                    offers.Returned(
                        line._lp_amount(),
                        line.qty,
                        -sum(r.qty for r in refunds if r.order_id in earlier),
                        -sum(r.qty for r in refunds if r.order_id == self),
                    )
                )
            ratio = offers.refund_ratio(returned)
            if ratio > 0:
                reversal = use.entry_id._reverse(ratio, source=self, source_key=key)
                total += sum(reversal.mapped("amount"))
        return total

    # Called by the till (RPC)

    @api.model
    @api.readonly
    def lp_pos_offer_discounts(self, member_id, order_uuid, lines):
        """The money discounts the member's offers give on the till order
        ``order_uuid`` whose goods are ``lines`` (``[{"product_id",
        "amount", "qty"}]``, offer discount lines left out): ``[{"id": row,
        "amount": money, "lines": [indexes of the matching lines],
        "label"}]``. What the till proposes; the paid order is checked again
        (read-only: served by a replica when Odoo has one)."""
        member = self._lp_pos_member(member_id)
        self._lp_clean_uuid(order_uuid)
        lines = self._lp_clean(pos_input.parse_lines, lines, self.env._("order lines"))
        now = fields.Datetime.now()
        Row = self.env["lp.offer.member"].sudo()
        candidates = [
            c
            for c in Row._lp_candidates(member, now, "pos")
            if c.reward_type == "discount"
        ]
        if not candidates:
            return []
        products = self.env["product.product"].browse(
            {li["product_id"] for li in lines}
        )
        categories = {p.id: self.env["lp.offer"]._lp_categories_of(p) for p in products}
        goods = [
            offers.Line(
                i,
                li["product_id"],
                categories[li["product_id"]],
                li.get("qty", 1.0),
                li["amount"],
            )
            for i, li in enumerate(lines)
        ]
        tz = pytz.timezone(self.env.user.tz or "UTC")
        when = pytz.utc.localize(now).astimezone(tz).replace(tzinfo=None)
        result = []
        for candidate in candidates:
            applied = Row._lp_evaluate(
                candidate, member, self.browse(), goods, when, "pos", lambda m: 0.0
            )
            if applied and applied.discount > 0:
                result.append(
                    {
                        "id": candidate.row_id,
                        "amount": applied.discount,
                        "lines": [line.key for line in applied.lines],
                        "label": applied.label,
                    }
                )
        return result
