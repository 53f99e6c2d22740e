import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_round

from ..tools import card_number, sale_points

_logger = logging.getLogger(__name__)


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
    lp_card_masked = fields.Char(string="Loyalty card", readonly=True, copy=False)
    lp_posted = fields.Boolean(
        string="Loyalty posted",
        readonly=True,
        copy=False,
        help="Set when the server has posted the order's points (the receipt "
        "shows the figures from then on).",
    )

    def _process_saved_order(self, draft):
        result = super()._process_saved_order(draft)
        if not draft and self.state in ("paid", "done"):
            self._lp_post()
        return result

    # Hooks, meant to be overridden

    def _lp_get_member(self):
        """The active membership of the order's customer (or its commercial
        entity) in a program of the order's company (the first by program
        sequence): the same member the till shows."""
        self.ensure_one()
        if not self.partner_id:
            return self.env["lp.member"]
        return (
            self.env["lp.member"]
            .sudo()
            .with_company(self.company_id)
            ._lp_pos_for_partners(self.partner_id)
        )

    def _lp_points_lines(self):
        points_product = self.env.ref(
            "loyalty_program.product_lp_points_discount", raise_if_not_found=False
        )
        return self.lines.filtered(lambda line: line.product_id == points_product)

    def _lp_earn_base(self, program):
        """What the customer paid (tax included) for products that earn, net
        of their share of the points discount: the rule of every channel
        (:func:`~..tools.sale_points.earn_base`, shared with sales orders).
        It is also what counts toward the tier."""
        self.ensure_one()
        points_lines = self._lp_points_lines()
        return sale_points.earn_base(
            [
                program._lp_sale_line(
                    line.product_id, line.price_subtotal_incl, line in points_lines
                )
                for line in self.lines
            ]
        )

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
        if reservation.state == "reserved":
            reservation = self._lp_fit_reservation(member, reservation)
        if reservation and reservation.state != "released":
            entry = reservation._consume(
                source=self, source_key=f"pos.order:{self.uuid}:spend"
            )
            spent = -entry.amount
        earn = member._earn(
            self._lp_earn_base(program),
            source=self,
            source_key=f"pos.order:{self.uuid}:earn",
        )
        self.sudo().write(
            {
                "lp_member_id": member.id,
                "lp_points_spent": spent,
                "lp_points_earned": earn.amount,
                "lp_balance_after": member.balance,
                "lp_pending_after": member.pending,
                "lp_card_masked": card_number.mask(member.card_number),
                "lp_posted": True,
            }
        )

    def _lp_fit_reservation(self, member, reservation):
        """Spend what the order's points lines are worth, never more than the
        till reserved: lines removed while the server was out of reach (the
        till could not release) give the points back."""
        discount = -sum(self._lp_points_lines().mapped("price_subtotal_incl"))
        needed = float_round(
            max(discount, 0.0) / member.program_id.point_value,
            precision_rounding=0.01,
        )
        if needed < reservation.points - 0.01:
            return self.env["lp.reservation"]._reserve(
                member, needed, reservation.key, ttl_hours=1
            )
        if needed > reservation.points + 0.01:
            _logger.warning(
                "POS order %s: a points discount of %s exceeds the %s points "
                "reserved; only those are spent.",
                self.name,
                discount,
                reservation.points,
            )
        return reservation

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
            refunded = sum(
                line._lp_refunded_value()
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
                        "lp_card_masked": card_number.mask(member.card_number),
                        "lp_posted": True,
                    }
                )
        self.sudo().lp_points_reversed = reversed_points

    # Called by the till (RPC)

    @api.model
    def _lp_check_cashier(self):
        if not self.env.user.has_group("point_of_sale.group_pos_user"):
            raise AccessError(self.env._("Only Point of Sale users can do this."))

    @api.model
    def _lp_pos_member(self, member_id):
        self._lp_check_cashier()
        member = self.env["lp.member"].sudo().browse(member_id).exists()
        if not member:
            raise UserError(self.env._("This loyalty member no longer exists."))
        return member

    @api.model
    def lp_pos_lookup(self, code, order_uuid=None):
        """Find a member by a scanned or typed card number, or by a phone in
        any common format. Returns the figures the cashier sees; raises a
        UserError the cashier can read for an unknown, blocked or lost card."""
        self._lp_check_cashier()
        member = self.env["lp.member"].sudo()._lp_pos_find(code)
        return member._lp_pos_info(order_uuid and f"pos.order:{order_uuid}")

    @api.model
    def lp_pos_member_for_partner(self, partner_id, order_uuid=None):
        """The member figures of a customer chosen from the customer list, or
        False when the customer is not a member."""
        self._lp_check_cashier()
        partner = self.env["res.partner"].browse(partner_id).exists()
        member = self.env["lp.member"].sudo()._lp_pos_for_partners(partner)
        return member and member._lp_pos_info(order_uuid and f"pos.order:{order_uuid}")

    @api.model
    def lp_pos_spend_limit(self, member_id, order_uuid, lines):
        """Most points the member may spend on the till order ``order_uuid``
        whose lines are ``[{"product_id": id, "amount": price incl. tax}]``."""
        member = self._lp_pos_member(member_id)
        key = f"pos.order:{order_uuid}"
        info = member._lp_pos_info(key)
        info["max_points"] = member.program_id._lp_pos_spend_limit(member, key, lines)
        return info

    @api.model
    def lp_pos_reserve(self, member_id, points, order_uuid, lines, clamp=False):
        """Reserve ``points`` of the member for the open till order
        ``order_uuid`` (0 releases), within the program's cap computed here
        from the order's ``lines``. With ``clamp``, reserve at most the cap
        instead of refusing (the order changed after the points were
        applied). Returns the member's figures, ``order_points`` included."""
        member = self._lp_pos_member(member_id)
        key = f"pos.order:{order_uuid}"
        program = member.program_id
        if clamp:
            points = min(points, program._lp_pos_spend_limit(member, key, lines))
        cap = program._max_spend_points(member, *program._lp_pos_totals(lines))
        if points > cap:
            raise UserError(
                self.env._("At most %(cap)s points can pay for this order.", cap=cap)
            )
        self.env["lp.reservation"]._reserve(member, points, key, ttl_hours=12)
        return member._lp_pos_info(key)

    @api.model
    def lp_pos_release(self, order_uuids):
        """Release what the given open till orders had reserved (the orders
        were cancelled or emptied)."""
        self._lp_check_cashier()
        self._lp_release(order_uuids)
        return True

    @api.model
    def _lp_release(self, order_uuids):
        self.env["lp.reservation"].sudo().search(
            [
                ("key", "in", [f"pos.order:{uuid}" for uuid in order_uuids]),
                ("state", "=", "reserved"),
            ]
        )._release()

    @api.model
    def lp_pos_enrol(self, values):
        """Enrol a new member at the till; see ``lp.member._lp_pos_enrol``."""
        self._lp_check_cashier()
        return self.env["lp.member"].sudo()._lp_pos_enrol(values)

    def action_pos_order_cancel(self):
        drafts = self.filtered(lambda order: order.state == "draft")
        result = super().action_pos_order_cancel()
        if drafts:
            self._lp_release(drafts.mapped("uuid"))
        return result
