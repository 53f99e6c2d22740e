from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools import card_number


class PosOrder(models.Model):
    """Loyalty posting for POS orders, on the server, when the order is
    paid: the reservation made at the till becomes a spend, the earn is
    computed from what the customer paid, a refund reverses both in
    proportion. Every posting is keyed by the order's ``uuid``, so an order
    synced late or twice posts once."""

    _inherit = "pos.order"

    lp_member_id = fields.Many2one("lp.member", string="Loyalty member", readonly=True)
    lp_points_spent = fields.Float(
        string="Points spent", digits=(16, 2), readonly=True, copy=False
    )
    lp_points_earned = fields.Float(
        string="Points earned", digits=(16, 2), readonly=True, copy=False
    )
    lp_points_reversed = fields.Float(
        string="Points reversed", digits=(16, 2), readonly=True, copy=False
    )
    lp_balance_after = fields.Float(
        string="Balance after", digits=(16, 2), readonly=True, copy=False
    )
    lp_pending_after = fields.Float(
        string="Pending after", digits=(16, 2), readonly=True, copy=False
    )

    def _process_saved_order(self, draft):
        result = super()._process_saved_order(draft)
        if not draft and self.state in ("paid", "done"):
            self._lp_post()
        return result

    # Hooks, meant to be overridden

    def _lp_get_member(self):
        """The active membership of the order's customer in a program of the
        order's company (the first by program sequence)."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        if not partner:
            return self.env["lp.member"]
        return (
            self.env["lp.member"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("state", "=", "active"),
                    ("program_id.active", "=", True),
                    ("program_id.company_id", "=", self.company_id.id),
                ],
            )
            .sorted(lambda m: (m.program_id.sequence, m.program_id.id))[:1]
        )

    def _lp_points_lines(self):
        points_product = self.env.ref(
            "loyalty_program.product_lp_points_discount", raise_if_not_found=False
        )
        return self.lines.filtered(lambda line: line.product_id == points_product)

    def _lp_earn_base(self, program):
        """What the customer paid (tax included) for products that earn, net
        of their share of the points discount."""
        self.ensure_one()
        points_lines = self._lp_points_lines()
        goods = self.lines - points_lines
        eligible = sum(
            line.price_subtotal_incl
            for line in goods
            if not program._is_excluded(line.product_id, "earn")
        )
        total = sum(goods.mapped("price_subtotal_incl"))
        discount = -sum(points_lines.mapped("price_subtotal_incl"))
        if total <= 0 or eligible <= 0:
            return 0.0
        return max(0.0, eligible - discount * eligible / total)

    def _lp_refunded_orders(self):
        return self.lines.refunded_orderline_id.order_id

    # Posting

    def _lp_post(self):
        self.ensure_one()
        if self._lp_refunded_orders():
            return self._lp_post_refund()
        member = self._lp_get_member()
        reservations = (
            self.env["lp.reservation"]
            .sudo()
            .search([("key", "=", f"pos.order:{self.uuid}")])
        )
        if not member:
            reservations._release()
            return
        program = member.program_id
        spent = 0.0
        reservation = reservations.filtered(lambda r: r.member_id == member)
        (reservations - reservation)._release()
        if reservation and reservation.state != "released":
            entry = reservation._consume(
                source=self, source_key=f"pos.order:{self.uuid}:spend"
            )
            spent = -entry.amount
        earn = member._earn(
            self._lp_earn_base(program),
            source=self,
            source_key=f"pos.order:{self.uuid}:earn",
            base_amount=self.amount_total,
        )
        self.sudo().write(
            {
                "lp_member_id": member.id,
                "lp_points_spent": spent,
                "lp_points_earned": earn.amount,
                "lp_balance_after": member.balance,
                "lp_pending_after": member.pending,
            }
        )

    def _lp_post_refund(self):
        """Reverse, per refunded order, the share of its earn and its spend
        that the refunded lines carried. Keyed by this refund's uuid."""
        reversed_points = 0.0
        for original in self._lp_refunded_orders():
            lines = self.lines.filtered(
                lambda line, o=original: line.refunded_orderline_id.order_id == o
            )
            goods_total = sum(
                (original.lines - original._lp_points_lines()).mapped(
                    "price_subtotal_incl"
                )
            )
            refunded = -sum(
                line.price_subtotal_incl
                for line in lines
                if line.refunded_orderline_id not in original._lp_points_lines()
            )
            if goods_total <= 0 or refunded <= 0:
                continue
            ratio = min(1.0, refunded / goods_total)
            entries = (
                self.env["lp.ledger"]
                .sudo()
                .search(
                    [
                        ("res_model", "=", "pos.order"),
                        ("res_id", "=", original.id),
                        ("kind", "in", ("earn", "spend")),
                    ]
                )
            )
            reversals = entries._reverse(
                ratio, source=self, source_key=f"pos.order:{self.uuid}:refund"
            )
            reversed_points += sum(reversals.mapped("amount"))
            member = original.lp_member_id or entries.member_id[:1]
            if member:
                self.sudo().write(
                    {
                        "lp_member_id": member.id,
                        "lp_balance_after": member.balance,
                        "lp_pending_after": member.pending,
                    }
                )
        self.sudo().lp_points_reversed = reversed_points

    # Called by the till (RPC)

    @api.model
    def _lp_check_cashier(self):
        if not self.env.user.has_group("point_of_sale.group_pos_user"):
            raise AccessError(self.env._("Only Point of Sale users can do this."))

    @api.model
    def lp_pos_lookup(self, code):
        """Find a member by a scanned or typed card number, or by a phone in
        any common format. Returns the figures the cashier sees; raises a
        UserError the cashier can read for an unknown, blocked or lost card."""
        self._lp_check_cashier()
        code = (code or "").strip()
        digits = card_number.normalize(code)
        if digits.isdigit() and len(digits) >= 12 and not code.startswith("+"):
            card = self.env["lp.card"].sudo()._lookup(digits)
            card._check_usable()
            member = card.member_id
        else:
            partners = self.env["res.partner"].sudo()._lp_find_by_phone(code)
            member = (
                self.env["lp.member"]
                .sudo()
                .search(
                    [("partner_id", "in", partners.ids), ("state", "=", "active")],
                    limit=1,
                )
            )
            if not member:
                raise UserError(
                    self.env._("No loyalty member has the phone %(phone)s.", phone=code)
                )
        return member._lp_pos_info()

    @api.model
    def lp_pos_reserve(
        self, member_id, points, order_uuid, order_total, spendable_total
    ):
        """Reserve ``points`` of the member for the open order ``order_uuid``,
        within the program's cap computed here from the totals the till
        sends (0 releases). Returns the member's figures."""
        self._lp_check_cashier()
        member = self.env["lp.member"].sudo().browse(member_id).exists()
        if not member:
            raise UserError(self.env._("This loyalty member no longer exists."))
        cap = member.program_id._max_spend_points(member, order_total, spendable_total)
        if points > cap:
            raise UserError(
                self.env._("At most %(cap)s points can pay for this order.", cap=cap)
            )
        self.env["lp.reservation"]._reserve(
            member, points, f"pos.order:{order_uuid}", ttl_hours=12
        )
        return member._lp_pos_info()
