from datetime import datetime, time

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_round

from ..tools import sale_points

POINTS_PRODUCT = "loyalty_program.product_lp_points_discount"
DEFAULT_HOLD_HOURS = 24 * 7


class SaleOrder(models.Model):
    """Loyalty on quotations and orders: the customer's membership, points
    spent as discount lines (reserved while the quotation is open, spent on
    confirmation), the tier discount on the lines, earning on the program's
    event and reversal on cancellation or credit note."""

    _inherit = "sale.order"

    lp_member_id = fields.Many2one(
        "lp.member",
        string="Loyalty member",
        compute="_compute_lp_member_id",
        compute_sudo=True,
    )
    lp_program_type = fields.Selection(
        [("bonus", "Bonus points"), ("discount", "Discount by tier")],
        compute="_compute_lp_member_id",
        compute_sudo=True,
    )
    lp_tier_id = fields.Many2one(
        "lp.tier",
        string="Loyalty tier",
        compute="_compute_lp_member_id",
        compute_sudo=True,
    )
    lp_balance = fields.Float(
        string="Points available",
        digits=(16, 2),
        compute="_compute_lp_member_id",
        compute_sudo=True,
    )
    lp_tier_discount = fields.Float(
        string="Tier discount (%)", compute="_compute_lp_tier_discount"
    )
    lp_points_to_earn = fields.Float(
        string="Points to earn",
        digits=(16, 2),
        compute="_compute_lp_points_to_earn",
        help="What this order earns as it stands, posted on the program's event.",
    )
    lp_points_earned = fields.Float(
        string="Points earned",
        digits=(16, 2),
        compute="_compute_lp_points_earned",
        help="Points this order has earned, net of reversals.",
    )
    lp_points_spent = fields.Float(
        string="Points spent",
        digits=(16, 2),
        readonly=True,
        copy=False,
        help="Bonus points paying for this order: reserved while it is a "
        "quotation, spent when it is confirmed.",
    )
    lp_cycle = fields.Integer(
        readonly=True,
        copy=False,
        help="Technical: how many times this order was cancelled after "
        "confirmation; keeps each confirmation's postings apart.",
    )

    @api.depends("partner_id", "company_id")
    def _compute_lp_member_id(self):
        for order in self:
            member = order._lp_get_member()
            order.lp_member_id = member
            order.lp_program_type = member.program_id.program_type
            order.lp_tier_id = member.tier_id
            order.lp_balance = member.balance

    @api.depends("lp_member_id")
    def _compute_lp_tier_discount(self):
        for order in self:
            order.lp_tier_discount = order.lp_member_id.tier_id.discount_percent

    @api.depends(
        "lp_member_id",
        "order_line.price_total",
        "order_line.product_id",
        "order_line.lp_is_points_line",
    )
    def _compute_lp_points_to_earn(self):
        for order in self:
            member = order.lp_member_id
            program = member.program_id
            if not member or program.program_type != "bonus":
                order.lp_points_to_earn = 0.0
                continue
            base = order._lp_to_company(sale_points.earn_base(order._lp_lines()))
            order.lp_points_to_earn = program._points_for_amount(member, base)

    def _compute_lp_points_earned(self):
        entries = self.env["lp.ledger"].sudo()
        if self.ids:
            entries = entries.search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("kind", "=", "earn"),
                ]
            )
        for order in self:
            earned = entries.filtered(lambda e, o=order: e.res_id == o.id)
            order.lp_points_earned = sum(earned.mapped("amount")) + sum(
                earned.reversal_ids.mapped("amount")
            )

    # CRUD

    def write(self, vals):
        res = super().write(vals)
        if "partner_id" in vals or "company_id" in vals:
            self.filtered(lambda o: o.state in ("draft", "sent"))._lp_member_changed()
        return res

    def copy(self, default=None):
        orders = super().copy(default)
        orders.order_line.filtered("lp_is_points_line").with_context(
            lp_keep_reservation=True
        ).unlink()
        return orders

    @api.ondelete(at_uninstall=False)
    def _lp_unlink_release(self):
        self._lp_release()

    # Actions

    def action_lp_open_spend_wizard(self):
        self.ensure_one()
        self._lp_check_quotation()
        maximum = self._lp_max_points()
        return {
            "name": self.env._("Apply Bonus Points"),
            "type": "ir.actions.act_window",
            "res_model": "lp.sale.spend.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_order_id": self.id,
                "default_points": self.lp_points_spent or maximum,
            },
        }

    def action_lp_remove_points(self):
        for order in self:
            order._lp_check_quotation()
            order._lp_apply_points(0.0)

    def action_lp_apply_tier_discount(self):
        for order in self:
            order._lp_check_quotation()
            order.order_line._lp_apply_tier_discount()
            if order.lp_points_spent:
                order._lp_refresh_points()

    def action_confirm(self):
        for order in self.filtered(lambda o: o.state in ("draft", "sent")):
            order._lp_check_before_confirm()
        res = super().action_confirm()
        for order in self.filtered(lambda o: o.state == "sale"):
            order._lp_after_confirm()
        return res

    def _action_cancel(self):
        confirmed = self.filtered(lambda o: o.state == "sale")
        res = super()._action_cancel()
        for order in self:
            order._lp_after_cancel(order in confirmed)
        return res

    def _get_update_prices_lines(self):
        return (
            super()
            ._get_update_prices_lines()
            .filtered(lambda line: not line.lp_is_points_line)
        )

    def _recompute_prices(self):
        res = super()._recompute_prices()
        for order in self.filtered("lp_points_spent"):
            order._lp_refresh_points()
        return res

    def _recompute_taxes(self):
        res = super()._recompute_taxes()
        for order in self.filtered("lp_points_spent"):
            order._lp_refresh_points()
        return res

    # Business methods, meant to be overridden

    def _lp_get_member(self):
        """The membership that earns and spends on this order: the customer's
        (its commercial entity) in an active program of the order's company,
        the first by program sequence; closed memberships do not count."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        if not partner or not self.company_id:
            return self.env["lp.member"]
        member = (
            self.env["lp.member"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", self.company_id.id),
                    ("program_id.active", "=", True),
                    ("state", "!=", "closed"),
                ],
                order="program_id, id",
                limit=1,
            )
        )
        return member.with_env(self.env)

    def _lp_key(self, suffix=""):
        """Reservation and posting key of this order ('sale.order:<id>'); a
        confirmation after a cancellation gets a key of its own."""
        self.ensure_one()
        cycle = f"#{self.lp_cycle}" if self.lp_cycle else ""
        return f"sale.order:{self.id}{cycle}{suffix}"

    def _lp_lines(self, with_points=True, program=None):
        """The order's lines as :class:`~..tools.sale_points.Line` (order
        currency): product lines, other discounts, the points lines."""
        self.ensure_one()
        program = program or self.lp_member_id.program_id
        result = []
        if not program:
            return result
        for line in self.order_line:
            if line.display_type or line.is_downpayment or not line.product_id:
                continue
            if line.lp_is_points_line and not with_points:
                continue
            result.append(
                program._lp_sale_line(
                    line.product_id, line.price_total, line.lp_is_points_line
                )
            )
        return result

    def _lp_to_company(self, amount):
        self.ensure_one()
        company = self.company_id
        return self.currency_id._convert(
            amount, company.currency_id, company, self._lp_rate_date()
        )

    def _lp_rate_date(self):
        return fields.Date.to_date(self.date_order) or fields.Date.context_today(self)

    def _lp_points_money(self, points):
        """What ``points`` pay, in the order's currency."""
        self.ensure_one()
        program = self.lp_member_id.program_id
        company = self.company_id
        return company.currency_id._convert(
            points * program.point_value,
            self.currency_id,
            company,
            self._lp_rate_date(),
        )

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
        self.order_line.filtered("lp_is_points_line").with_context(
            lp_keep_reservation=True
        ).unlink()
        if points <= 0:
            self._lp_release()
            self.lp_points_spent = 0.0
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
        lines = self.env["sale.order.line"].create(vals_list)
        self.lp_points_spent = points
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
        AccountTax = self.env["account.tax"]
        base_lines = [line._prepare_base_line_for_taxes_computation() for line in lines]
        AccountTax._add_tax_details_in_base_lines(base_lines, self.company_id)
        AccountTax._round_base_lines_tax_details(base_lines, self.company_id)
        discount_lines = AccountTax._prepare_global_discount_lines(
            base_lines=base_lines,
            company=self.company_id,
            amount_type="fixed",
            amount=amount,
            computation_key=f"global_discount,lp_points,{self.id}",
            grouping_function=lambda base_line: {"product_id": product},
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
                {
                    "order_id": self.id,
                    "name": name,
                    "product_id": product.id,
                    "price_unit": base_line["price_unit"],
                    "technical_price_unit": 0.0,
                    "product_uom_qty": base_line["quantity"],
                    "tax_ids": [fields.Command.set(base_line["tax_ids"].ids)],
                    "extra_tax_data": AccountTax._export_base_line_extra_tax_data(
                        base_line
                    ),
                    "sequence": sequence,
                    "lp_is_points_line": True,
                }
            )
        return vals_list

    def _lp_refresh_points(self):
        """Lay the points again on the order as it is now (prices, taxes or
        tier changed), within what it allows."""
        self.ensure_one()
        if self.state not in ("draft", "sent") or not self.lp_points_spent:
            return
        points = self.lp_points_spent
        self.order_line.filtered("lp_is_points_line").with_context(
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

    def _lp_check_before_confirm(self):
        """The points on the quotation are still there to spend: reserve them
        again (a stale reservation may have been released) or refuse the
        confirmation with the reason, before anything is confirmed."""
        self.ensure_one()
        if not self.lp_points_spent:
            return
        member = self.lp_member_id
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
            self.lp_cycle += 1
        self.order_line.filtered(
            lambda line: line.lp_is_points_line and not line.invoice_lines
        ).with_context(lp_keep_reservation=True).unlink()
        if self.lp_points_spent:
            self.lp_points_spent = 0.0

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
