from datetime import datetime, time

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_round

from ..tools import sale_points

POINTS_PRODUCT = "loyalty_program.product_lp_points_discount"
DEFAULT_HOLD_HOURS = 24 * 7


class SaleOrder(models.Model):
    """Points spent on quotations: the cap, the reservation, the discount
    lines, and the check before confirmation."""

    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    def _lp_max_points(self):
        """Most points the member may put on this order now: within the cap,
        the products points may pay for, and the points not held by other
        open orders."""
        self.ensure_one()
        member = self.lp_member_id
        program = member.program_id
        if not member or program.program_type != "bonus":
            return 0.0
        lines = self._lp_lines(with_points=False)
        maximum = program._max_spend_points(
            member,
            self._lp_to_company(sale_points.order_total(lines)),
            self._lp_to_company(sale_points.spendable_total(lines)),
        )
        others = self.env["lp.reservation"]._reserved_points(
            member, exclude_key=self._lp_key()
        )
        free = float_round(member.balance - others, precision_rounding=0.01)
        return max(0.0, min(maximum, free))

    def _lp_reservation_hours(self):
        """How long a quotation holds its points: until the end of its
        validity date, else a week (released earlier when cancelled or when
        the points are removed; re-reserved on confirmation if need be)."""
        self.ensure_one()
        if self.validity_date:
            end = datetime.combine(self.validity_date, time.max)
            hours = (end - fields.Datetime.now()).total_seconds() / 3600.0
            return max(hours, 12.0)
        return DEFAULT_HOLD_HOURS

    def _lp_check_quotation(self):
        self.ensure_one()
        if self.state not in ("draft", "sent"):
            raise UserError(
                self.env._("Bonus points and tier discounts change on quotations only.")
            )

    def _lp_apply_points(self, points):
        """Pay ``points`` of this quotation with bonus points: reserve them and
        replace the points lines (0 removes them and releases the points)."""
        self.ensure_one()
        self.check_access("write")
        self._lp_check_quotation()
        points = float_round(points, precision_rounding=0.01)
        self.order_line.filtered("lp_is_points_line")._lp_points_env().with_context(
            lp_keep_reservation=True
        ).unlink()
        if points <= 0:
            self._lp_release()
            self._lp_set_points_spent(0.0)
            return self.env["sale.order.line"]
        member = self.lp_member_id
        if not member or member.program_id.program_type != "bonus":
            raise UserError(
                self.env._(
                    "%(customer)s does not collect bonus points.",
                    customer=self.partner_id.display_name,
                )
            )
        maximum = self._lp_max_points()
        if float_compare(points, maximum, precision_rounding=0.01) > 0:
            raise UserError(
                self.env._(
                    "At most %(max)s points can pay for this order (balance, "
                    "spending cap and products points cannot pay for); "
                    "%(points)s asked.",
                    max=sale_points.format_points(maximum),
                    points=sale_points.format_points(points),
                )
            )
        self._lp_release(other_members_only=True, member=member)
        self.env["lp.reservation"]._reserve(
            member,
            points,
            self._lp_key(),
            source=self,
            ttl_hours=self._lp_reservation_hours(),
        )
        vals_list = self._lp_prepare_points_lines_values(
            self._lp_points_money(points), points
        )
        if not vals_list:
            raise UserError(
                self.env._("Nothing on this order can be paid with points.")
            )
        lines = self._lp_points_env().env["sale.order.line"].create(vals_list)
        self._lp_set_points_spent(points)
        return lines

    def _lp_prepare_points_lines_values(self, amount, points):
        """Values of the discount lines worth ``amount`` (order currency,
        taxes included) paid with ``points``: one line per tax group of the
        lines points may pay for, each taking its share, so that every tax is
        reduced by what the points paid of it (core's global discount
        machinery: exact totals)."""
        self.ensure_one()
        order = self.with_context(lang=self._get_lang())
        product = self.env.ref(POINTS_PRODUCT)
        program = self.lp_member_id.program_id
        lines = self.order_line.filtered(
            lambda line: (
                not line.display_type
                and not line.is_downpayment
                and line.product_id
                and not line.lp_is_points_line
                and program._lp_sale_line(line.product_id, line.price_total).spendable
            )
        )
        discount_lines = self._lp_discount_base_lines(
            lines, product, amount, f"lp_points,{self.id}"
        )
        several = len({bl["tax_ids"] for bl in discount_lines}) > 1
        sequence = max(self.order_line.mapped("sequence"), default=10) + 1
        vals_list = []
        for base_line in discount_lines:
            name = order.env._(
                "Bonus points: %(points)s points",
                points=sale_points.format_points(points),
            )
            if several:
                name = order.env._(
                    "%(name)s - on products with taxes %(taxes)s",
                    name=name,
                    taxes=", ".join(base_line["tax_ids"].mapped("name"))
                    or order.env._("none"),
                )
            vals_list.append(
                self._lp_discount_line_values(product, base_line, name, sequence)
                | {"lp_is_points_line": True}
            )
        return vals_list

    def _lp_discount_base_lines(self, lines, product, amount, key):
        """Core's global discount of ``amount`` (order currency) on
        ``lines``, as base lines of ``product``, one per tax group."""
        AccountTax = self.env["account.tax"]
        base_lines = [line._prepare_base_line_for_taxes_computation() for line in lines]
        AccountTax._add_tax_details_in_base_lines(base_lines, self.company_id)
        AccountTax._round_base_lines_tax_details(base_lines, self.company_id)
        return AccountTax._prepare_global_discount_lines(
            base_lines=base_lines,
            company=self.company_id,
            amount_type="fixed",
            amount=amount,
            computation_key=f"global_discount,{key}",
            grouping_function=lambda base_line: {"product_id": product},
        )

    def _lp_discount_line_values(self, product, base_line, name, sequence):
        """The values of the order line of one discount ``base_line``."""
        return {
            "order_id": self.id,
            "name": name,
            "product_id": product.id,
            "price_unit": base_line["price_unit"],
            "technical_price_unit": 0.0,
            "product_uom_qty": base_line["quantity"],
            "tax_ids": [fields.Command.set(base_line["tax_ids"].ids)],
            "extra_tax_data": self.env["account.tax"]._export_base_line_extra_tax_data(
                base_line
            ),
            "sequence": sequence,
        }

    def _lp_refresh_points(self):
        """Lay the points again on the order as it is now (prices, taxes or
        tier changed), within what it allows."""
        self.ensure_one()
        if self.state not in ("draft", "sent") or not self.lp_points_spent:
            return
        points = self.lp_points_spent
        self.order_line.filtered("lp_is_points_line")._lp_points_env().with_context(
            lp_keep_reservation=True
        ).unlink()
        self._lp_apply_points(min(points, self._lp_max_points()))

    def _lp_member_changed(self):
        """The customer or company changed: points reserved for another
        member go, the tier discount follows the new member."""
        for order in self:
            reservations = order._lp_reservations()
            if order.lp_points_spent and (
                not order.lp_member_id or reservations.member_id != order.lp_member_id
            ):
                order._lp_apply_points(0.0)
            order.order_line._lp_apply_tier_discount()

    def _lp_reservations(self):
        self.ensure_one()
        return (
            self.env["lp.reservation"]
            .sudo()
            .search([("key", "=", self._lp_key()), ("state", "=", "reserved")])
        )

    def _lp_release(self, other_members_only=False, member=None):
        for order in self:
            if not order.id:
                continue
            reservations = order._lp_reservations()
            if other_members_only:
                reservations = reservations.filtered(
                    lambda r, m=member: r.member_id != m
                )
            reservations._release()

    def _lp_check_points_pair(self):
        """The points discount lines are worth exactly the points applied
        (each line rounded to the currency), or the order is refused."""
        self.ensure_one()
        lines = self.order_line.filtered("lp_is_points_line")
        currency = self.currency_id
        discount = -sum(lines.mapped("price_total"))
        worth = (
            self._lp_points_money(self.lp_points_spent) if self.lp_points_spent else 0.0
        )
        tolerance = currency.rounding * max(len(lines), 1)
        if abs(discount - worth) > tolerance + 1e-9:
            raise UserError(
                self.env._(
                    "%(order)s cannot be confirmed: its bonus points lines give a "
                    "discount of %(discount)s but the %(points)s points applied "
                    "are worth %(worth)s. Apply the bonus points again.",
                    order=self.name,
                    discount=currency.format(discount),
                    points=sale_points.format_points(self.lp_points_spent),
                    worth=currency.format(worth),
                )
            )

    def _lp_check_before_confirm(self):
        """The points on the quotation are still there to spend: reserve them
        again (a stale reservation may have been released) or refuse the
        confirmation with the reason, before anything is confirmed."""
        self.ensure_one()
        member = self.lp_member_id
        if not self.lp_points_spent:
            self._lp_check_points_pair()
            return
        if not member or member.program_id.program_type != "bonus":
            raise UserError(
                self.env._(
                    "%(order)s cannot be confirmed: %(customer)s no longer "
                    "collects bonus points. Remove the points first.",
                    order=self.name,
                    customer=self.partner_id.display_name,
                )
            )
        try:
            self.env["lp.reservation"]._reserve(
                member,
                self.lp_points_spent,
                self._lp_key(),
                source=self,
                ttl_hours=self._lp_reservation_hours(),
            )
        except UserError as error:
            raise UserError(
                self.env._(
                    "%(order)s cannot be confirmed: %(reason)s",
                    order=self.name,
                    reason=error.args[0],
                )
            ) from error
        self._lp_check_points_pair()
        # The points are reserved: the balance covers them, only the cap can
        # refuse now.
        lines = self._lp_lines(with_points=False)
        maximum = member.program_id._max_spend_points(
            member,
            self._lp_to_company(sale_points.order_total(lines)),
            self._lp_to_company(sale_points.spendable_total(lines)),
        )
        if float_compare(self.lp_points_spent, maximum, precision_rounding=0.01) > 0:
            raise UserError(
                self.env._(
                    "%(order)s cannot be confirmed: %(points)s bonus points were "
                    "applied but the order now allows %(max)s. Apply the bonus "
                    "points again.",
                    order=self.name,
                    points=sale_points.format_points(self.lp_points_spent),
                    max=sale_points.format_points(maximum),
                )
            )
