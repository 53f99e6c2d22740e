import json

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import offers, sale_points


class SaleOrder(models.Model):
    """Offers on sales orders: the money discounts of the customer's offers
    are laid on the quotation as discount lines (Apply Offers), and on
    confirmation the server applies every matching offer (points, and the
    discounts checked against what the offers allow: more is refused). A
    cancellation reverses the offer points with the rest; a credit note
    takes back those of the goods it refunds."""

    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    lp_offer_summary = fields.Text(
        readonly=True,
        copy=False,
        help="Technical: the offers the order used (JSON: label, points, discount).",
    )

    lp_offers_text = fields.Text(
        string="Offers used", compute="_compute_lp_offers_text"
    )

    @api.depends("lp_offer_summary")
    def _compute_lp_offers_text(self):
        for order in self:
            try:
                used = json.loads(order.lp_offer_summary or "[]")
            except ValueError:
                used = []
            order.lp_offers_text = "\n".join(
                self.env._(
                    "%(label)s: +%(points)s points",
                    label=u["label"],
                    points=sale_points.format_points(u["points"]),
                )
                if u["points"]
                else self.env._(
                    "%(label)s: -%(amount)s",
                    label=u["label"],
                    amount=order.currency_id.format(u["discount"]),
                )
                for u in used
            )

    # Lines

    def _lp_offer_discount_lines(self):
        product_id = self.env["lp.offer"]._lp_discount_product_id()
        return self.order_line.filtered(lambda line: line.product_id.id == product_id)

    def _lp_offer_goods(self, member):
        """(goods as :class:`~..tools.offers.Line` in company currency,
        ``earned(lines)``)."""
        self.ensure_one()
        program = member.program_id
        skip = self._lp_offer_discount_lines()
        goods = self.order_line.filtered(
            lambda line: (
                not line.display_type
                and not line.is_downpayment
                and line.product_id
                and not line.lp_is_points_line
                and line not in skip
            )
        )
        lines = [
            offers.Line(
                line.id,
                line.product_id.id,
                self.env["lp.offer"]._lp_categories_of(line.product_id),
                line.product_uom_qty,
                self._lp_to_company(line.price_total),
            )
            for line in goods
        ]
        share = sale_points.points_share(self._lp_lines(program=program))
        factor = {}
        for line in goods:
            flags = program._lp_sale_line(line.product_id, line.price_total)
            if flags.earns:
                factor[line.id] = 1.0 - share if flags.spendable else 1.0

        def earned(matched):
            amount = sum(line.amount * factor.get(line.key, 0.0) for line in matched)
            return program._points_for_amount(member, amount)

        return lines, earned

    def _lp_offer_local_time(self):
        self.ensure_one()
        tz = pytz.timezone(self.user_id.tz or self.env.user.tz or "UTC")
        return pytz.utc.localize(self.date_order).astimezone(tz).replace(tzinfo=None)

    def _lp_offer_given(self):
        """{row id: money discount (company currency, positive) given}."""
        given = {}
        for line in self._lp_offer_discount_lines():
            amount = -self._lp_to_company(line.price_total)
            given[line.lp_offer_ref] = given.get(line.lp_offer_ref, 0.0) + amount
        return {ref: round(amount, 2) for ref, amount in given.items()}

    # Quotation

    def action_lp_apply_offers(self):
        """Lay the money discounts of the customer's offers on the quotation
        (their lines replace the previous ones)."""
        for order in self:
            order.check_access("write")
            order._lp_check_quotation()
            order._lp_offer_discount_lines().unlink()
            member = order.lp_member_id
            if not member or member.state != "active":
                continue
            lines, _earned = order._lp_offer_goods(member)
            when = order._lp_offer_local_time()
            vals_list = []
            Row = self.env["lp.offer.member"].sudo()
            for candidate in Row._lp_candidates(member, channel="sale"):
                if candidate.reward_type != "discount":
                    continue
                applied = Row._lp_evaluate(
                    candidate, member, order, lines, when, "sale", lambda m: 0.0
                )
                if applied and applied.discount > 0:
                    vals_list += order._lp_offer_lines_values(applied)
            if vals_list:
                self.env["sale.order.line"].create(vals_list)
        return True

    def _lp_offer_lines_values(self, applied):
        """Discount lines worth ``applied.discount`` on the matching lines,
        one per tax group (core's global discount machinery, as for points)."""
        self.ensure_one()
        product = self.env.ref("loyalty_program.product_lp_offer_discount")
        matched = self.order_line.browse([line.key for line in applied.lines])
        amount = self.company_id.currency_id._convert(
            applied.discount, self.currency_id, self.company_id, self._lp_rate_date()
        )
        discount_lines = self._lp_discount_base_lines(
            matched, product, amount, f"lp_offer,{applied.row.row_id}"
        )
        sequence = max(self.order_line.mapped("sequence"), default=10) + 1
        name = self.with_context(lang=self._get_lang()).env._(
            "Offer: %(label)s", label=applied.label
        )
        return [
            self._lp_discount_line_values(product, base_line, name, sequence)
            | {"lp_offer_ref": applied.row.row_id}
            for base_line in discount_lines
        ]

    # Confirmation

    def _lp_check_before_confirm(self):
        """Refuse, before anything is confirmed, offer discounts above what
        the customer's offers allow now (checked again, locked, when they
        are applied)."""
        result = super()._lp_check_before_confirm()
        given = self._lp_offer_given()
        if not given:
            return result
        member = self.lp_member_id
        if not member or member.state == "closed":
            self._lp_refuse_offer_discount()
        lines, _earned = self._lp_offer_goods(member)
        when = self._lp_offer_local_time()
        Row = self.env["lp.offer.member"].sudo()
        candidates = {c.row_id: c for c in Row._lp_candidates(member, channel="sale")}
        for row_id, amount in given.items():
            candidate = candidates.get(row_id)
            applied = candidate and Row._lp_evaluate(
                candidate, member, self, lines, when, "sale", lambda m: 0.0
            )
            if not applied or amount > applied.discount + 0.01:
                self._lp_refuse_offer_discount()
        return result

    def _lp_after_confirm(self):
        result = super()._lp_after_confirm()
        self._lp_post_offers()
        return result

    def _lp_post_offers(self):
        """Apply the customer's offers to the confirmed order; a discount
        above what they allow refuses the confirmation."""
        self.ensure_one()
        member = self.lp_member_id
        given = self._lp_offer_given()
        if not member or member.state == "closed":
            if given:
                self._lp_refuse_offer_discount()
            return
        if not given and not member._lp_may_have_offers():
            return
        lines, earned = self._lp_offer_goods(member)
        applied, refused = self.env["lp.offer.member"]._lp_apply(
            member,
            self,
            self._lp_key(),
            lines,
            self._lp_offer_local_time(),
            "sale",
            earned,
            given,
        )
        if refused:
            self._lp_refuse_offer_discount()
        if applied:
            self.sudo().lp_offer_summary = json.dumps(
                [
                    {"label": r.label, "points": r.points, "discount": r.discount}
                    for r in applied
                ]
            )

    def _lp_refuse_offer_discount(self):
        raise UserError(
            self.env._(
                "%(order)s cannot be confirmed: its offer discounts are above what "
                "the customer's offers allow now (used up, expired or no longer "
                "met). Apply the offers again.",
                order=self.name,
            )
        )

    # Cancellation and credit notes

    def _lp_entries(self):
        entries = super()._lp_entries()
        offer_entries = (
            self.env["lp.ledger"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "sale.order"),
                    ("res_id", "in", self.ids),
                    ("kind", "=", "offer"),
                ],
                order="id",
            )
        )
        return (entries | offer_entries).sorted("id")

    def _lp_apply_credit_note(self, move):
        reversals = super()._lp_apply_credit_note(move)
        uses = (
            self.env["lp.offer.use"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "sale.order"),
                    ("res_id", "=", self.id),
                    ("entry_id", "!=", False),
                ]
            )
        )
        key = f"account.move:{move.id}"
        reason = self.env._("Credit note %(move)s", move=move.name)
        for use in uses:
            matched = set(use._lp_line_ids())
            lines = self.order_line.browse(list(matched))
            total = sum(lines.mapped("price_total"))
            refunded = sum(
                line.price_total
                for line in move.sudo().invoice_line_ids
                if set(line.sale_line_ids.ids) & matched
            )
            if total > 0 and refunded > 0:
                reversals |= self._lp_reverse(
                    use.entry_id, min(refunded / total, 1.0), move, key, reason
                )
        return reversals
