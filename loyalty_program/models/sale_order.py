from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import sale_points

# Only code holding this object may write the points pair (``lp_points_spent``
# and the points discount lines): a context value no RPC call can forge.
POINTS_LINES = object()


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
        if {"lp_points_spent", "lp_cycle"} & set(vals) and not self._lp_may_write():
            raise UserError(
                self.env._(
                    "Bonus points are applied with the Apply Bonus Points button, "
                    "never written by hand."
                )
            )
        res = super().write(vals)
        if "partner_id" in vals or "company_id" in vals:
            self.filtered(lambda o: o.state in ("draft", "sent"))._lp_member_changed()
        return res

    def copy(self, default=None):
        orders = super(SaleOrder, self._lp_points_env()).copy(default)
        orders.order_line.filtered("lp_is_points_line").with_context(
            lp_keep_reservation=True
        ).unlink()
        return orders.with_env(self.env)

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

    # The points pair

    def _lp_may_write(self):
        return self.env.context.get("lp_points_lines") is POINTS_LINES

    def _lp_points_env(self):
        """This recordset allowed to write the points pair."""
        return self.with_context(lp_points_lines=POINTS_LINES)

    def _lp_set_points_spent(self, points):
        self._lp_points_env().write({"lp_points_spent": points})

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
