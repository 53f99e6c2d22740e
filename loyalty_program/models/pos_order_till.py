from odoo import api, models
from odoo.exceptions import AccessError, UserError

from ..tools import pos_input, transactions


class PosOrder(models.Model):
    """The calls the till makes. Each checks the cashier, the company of the
    till (``env.company``: the POS client runs in its config's company) and
    its input; a refusal is a UserError the cashier can read, and changes
    nothing."""

    _inherit = "pos.order"  # pylint: disable=consider-merging-classes-inherited

    # Checks

    @api.model
    def _lp_check_cashier(self):
        if not self.env.user.has_group("point_of_sale.group_pos_user"):
            raise AccessError(self.env._("Only Point of Sale users can do this."))

    @api.model
    def _lp_clean(self, parser, value, what):
        try:
            return parser(value)
        except (TypeError, ValueError) as error:
            raise UserError(
                self.env._(
                    "The till sent an invalid %(what)s (%(value)r: %(reason)s).",
                    what=what,
                    value=value if not isinstance(value, str) else value[:60],
                    reason=error,
                )
            ) from None

    @api.model
    def _lp_clean_uuid(self, order_uuid):
        return self._lp_clean(pos_input.parse_uuid, order_uuid, self.env._("order id"))

    @api.model
    def _lp_pos_member(self, member_id):
        """The member ``member_id``, refused unless it belongs to an active
        program of the till's company."""
        self._lp_check_cashier()
        member_id = self._lp_clean(pos_input.parse_id, member_id, self.env._("member"))
        Member = self.env["lp.member"].sudo()
        # One query: exists() and then reading the member would be two.
        member = Member.search_fetch(
            [("id", "=", member_id)],
            ["partner_id", "program_id", "company_id", "state", "balance", "tier_id"],
        )
        if not member:
            raise UserError(self.env._("This loyalty member no longer exists."))
        if member.program_id not in Member._lp_pos_programs():
            raise UserError(
                self.env._(
                    "%(member)s belongs to a loyalty program that is not used at "
                    "this till.",
                    member=member.partner_id.display_name,
                )
            )
        return member

    @api.model
    def _lp_pos_config(self, config_id):
        """The till calling (its ``pos.config``), of the current company."""
        if config_id in (None, False):
            return self.env["pos.config"]
        config_id = self._lp_clean(pos_input.parse_id, config_id, self.env._("till"))
        config = self.env["pos.config"].browse(config_id).exists()
        if not config or config.company_id != self.env.company:
            raise UserError(self.env._("This till is not one of this company."))
        return config

    @api.model
    def _lp_check_open_order(self, order_uuid):
        """Refuse to change the points of an order that is already paid (or
        cancelled) on the server, or that belongs to another company.
        Returns the order the server has (none for an order still being
        rung up)."""
        order = self.sudo().search([("uuid", "=", order_uuid)], limit=1)
        if order and order.company_id != self.env.company:
            raise UserError(self.env._("This order belongs to another company."))
        if order and order.state != "draft":
            raise UserError(
                self.env._(
                    "Order %(order)s is already paid or cancelled: its points "
                    "cannot change.",
                    order=order.name,
                )
            )
        return order

    @api.model
    def _lp_refuse_unknown_order(self, order_uuid):
        raise UserError(
            self.env._(
                "The server does not know this order (%(uuid)s): no points were "
                "ever held for it at this company, so there is nothing to let "
                "go of. Check the till's order.",
                uuid=order_uuid,
            )
        )

    # Called by the till (RPC)

    @api.model
    def lp_pos_lookup(self, code, order_uuid=None):
        """Find a member by a scanned or typed card number, or by a phone in
        any common format. Returns the figures the cashier sees; raises a
        UserError the cashier can read for an unknown, blocked or lost card."""
        self._lp_check_cashier()
        if not isinstance(code, str) or len(code) > 64:
            raise UserError(self.env._("Scan a card or type a card number or phone."))
        key = order_uuid and f"pos.order:{self._lp_clean_uuid(order_uuid)}"
        member = self.env["lp.member"].sudo()._lp_pos_find(code)
        return member._lp_pos_info(key)

    @api.model
    def lp_pos_member_for_partner(self, partner_id, order_uuid=None):
        """The member figures of a customer chosen from the customer list, or
        False when the customer is not a member."""
        self._lp_check_cashier()
        partner_id = self._lp_clean(
            pos_input.parse_id, partner_id, self.env._("customer")
        )
        key = order_uuid and f"pos.order:{self._lp_clean_uuid(order_uuid)}"
        partner = self.env["res.partner"].browse(partner_id).exists()
        if partner.company_id and partner.company_id != self.env.company:
            raise UserError(self.env._("This customer belongs to another company."))
        member = self.env["lp.member"].sudo()._lp_pos_for_partners(partner)
        return member and member._lp_pos_info(key)

    @api.model
    def lp_pos_spend_limit(self, member_id, order_uuid, lines):
        """Most points the member may spend on the till order ``order_uuid``
        whose lines are ``[{"product_id": id, "amount": price incl. tax}]``."""
        member = self._lp_pos_member(member_id)
        key = f"pos.order:{self._lp_clean_uuid(order_uuid)}"
        lines = self._lp_clean(pos_input.parse_lines, lines, self.env._("order lines"))
        info = member._lp_pos_info(key)
        info["max_points"] = member.program_id._lp_pos_spend_limit(member, key, lines)
        return info

    @api.model
    def lp_pos_reserve(
        self, member_id, points, order_uuid, lines, clamp=False, config_id=None
    ):
        """Reserve ``points`` of the member for the open till order
        ``order_uuid`` (0 releases), within the program's cap computed here
        from the order's ``lines``. With ``clamp``, reserve at most the cap
        instead of refusing (the order changed after the points were
        applied). Returns the member's figures, ``order_points`` included."""
        member = self._lp_pos_member(member_id)
        order_uuid = self._lp_clean_uuid(order_uuid)
        points = self._lp_clean(pos_input.parse_points, points, self.env._("points"))
        lines = self._lp_clean(pos_input.parse_lines, lines, self.env._("order lines"))
        config = self._lp_pos_config(config_id)
        order = self._lp_check_open_order(order_uuid)
        key = f"pos.order:{order_uuid}"
        # Points for a new order are the till's first call (the server gets
        # the order when it is paid); letting go of points presumes some.
        if not points and not order and not self._lp_known_keys(member, [key]):
            self._lp_refuse_unknown_order(order_uuid)
        # A busy family card: when another till reserved or paid with it
        # since this request began, reserve again at READ COMMITTED (current
        # balance and reservations) rather than have Odoo replay the request.
        return transactions.or_read_committed(
            self.env,
            lambda env: self.with_env(env)._lp_reserve_now(
                member.with_env(member.env(cr=env.cr)),
                points,
                key,
                lines,
                clamp,
                config.with_env(config.env(cr=env.cr)),
            ),
        )

    def _lp_reserve_now(self, member, points, key, lines, clamp, config):
        program = member.program_id
        if clamp:
            points = min(points, program._lp_pos_spend_limit(member, key, lines))
        if points:
            cap = program._max_spend_points(member, *program._lp_pos_totals(lines))
            if points > cap:
                raise UserError(
                    self.env._(
                        "At most %(cap)s points can pay for this order.", cap=cap
                    )
                )
        reservation = self.env["lp.reservation"]._reserve(
            member, points, key, ttl_hours=12, pos_config=config
        )
        return member._lp_pos_info(key, reservation=reservation)

    @api.model
    def lp_pos_release(self, order_uuids, config_id=None):
        """Release what the given open till orders of this company had
        reserved (the orders were cancelled or emptied). Orders already paid,
        and orders of another till, keep their points."""
        self._lp_check_cashier()
        config = self._lp_pos_config(config_id)
        if not isinstance(order_uuids, list) or not order_uuids:
            raise UserError(self.env._("No order to release points for."))
        uuids = [self._lp_clean_uuid(order_uuid) for order_uuid in order_uuids]
        orders = {
            order_uuid: self._lp_check_open_order(order_uuid) for order_uuid in uuids
        }
        reservations = (
            self.env["lp.reservation"]
            .sudo()
            .search(
                [
                    ("key", "in", [f"pos.order:{order_uuid}" for order_uuid in uuids]),
                    ("company_id", "=", self.env.company.id),
                ]
            )
        )
        keys = set(reservations.mapped("key"))
        for order_uuid in uuids:
            if not orders[order_uuid] and f"pos.order:{order_uuid}" not in keys:
                self._lp_refuse_unknown_order(order_uuid)
        reservations = reservations.filtered(lambda r: r.state == "reserved")
        if any(r.pos_config_id and r.pos_config_id != config for r in reservations):
            raise UserError(
                self.env._("These points are held by an order of another till.")
            )
        reservations._release()
        return True

    @api.model
    def _lp_known_keys(self, member, keys):
        """The reservation keys among ``keys`` the member ever held points
        for (any state)."""
        return (
            self.env["lp.reservation"]
            .sudo()
            .search([("member_id", "=", member.id), ("key", "in", keys)])
            .mapped("key")
        )

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
        if not isinstance(values, dict):
            raise UserError(self.env._("The till sent no member details."))
        return self.env["lp.member"].sudo()._lp_pos_enrol(values)

    def action_pos_order_cancel(self):
        drafts = self.filtered(lambda order: order.state == "draft")
        result = super().action_pos_order_cancel()
        if drafts:
            self._lp_release(drafts.mapped("uuid"))
        return result
