import logging

import psycopg2

from odoo import fields, models
from odoo.tools import float_round

from ..tools import card_number, sale_points
from .lp_ledger import PRECISION

_logger = logging.getLogger(__name__)


class PosOrder(models.Model):
    """Loyalty posting for POS orders, on the server, when the order is
    paid: the points discount on the order is spent (from its reservation,
    or from what the member has free when it arrives), the earn is computed
    from what the customer paid, a refund gives back its share. Every
    posting is keyed by the order's ``uuid``, so an order synced late or
    twice posts once. Nothing here may stop a paid order from being saved:
    what cannot be posted becomes an ``lp.pos.exception`` for the loyalty
    manager."""

    _inherit = "pos.order"

    lp_member_id = fields.Many2one("lp.member", string="Loyalty member", readonly=True)
    lp_till_member_id = fields.Integer(
        string="Member shown at the till",
        copy=False,
        help="The membership the till identified (by card, phone or customer); "
        "the paid order posts to it when it is still valid.",
    )
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
        if not draft and self.state in ("paid", "done") and self._lp_concerns_loyalty():
            self._lp_post_safely()
        return result

    def _lp_concerns_loyalty(self):
        """False for an order the loyalty posting has nothing to do with: no
        member shown at the till nor found for its customer, no points line,
        no returned goods and no points reserved for it (most of a shop's
        orders: no customer, or a customer who is no member). Such an order
        is saved without the posting's savepoint and its statements."""
        self.ensure_one()
        return bool(
            self.lp_till_member_id
            or self._lp_points_lines()
            or self.lines.refunded_orderline_id
            or (
                self.partner_id
                and self._lp_get_member(reservations=self.env["lp.reservation"])
            )
            or self._lp_reservations()
        )

    def _lp_post_safely(self):
        """Post the loyalty side of the paid order; whatever fails is rolled
        back to a savepoint and recorded for the loyalty manager, so the
        order itself is always saved. A conflict with another transaction on
        the member (:meth:`_lp_defer_posting`) postpones the posting to just
        after the order's commit."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._lp_post()
        except psycopg2.errors.TransactionRollbackError:
            # Another till changed the member after this request's snapshot
            # (a busy family card): post after the order's commit, at READ
            # COMMITTED, instead of making Odoo replay the whole request.
            if self.env.context.get("lp_posting_deferred"):
                raise
            self.env.invalidate_all(flush=False)
            self._lp_defer_posting()
        except psycopg2.OperationalError:
            raise
        except Exception as error:  # the paid order must be saved whatever happens
            _logger.warning(
                "POS order %s: loyalty not posted: %s", self.name, error, exc_info=True
            )
            self.env["lp.pos.exception"]._record(
                self,
                "error",
                member=self._lp_exception_member(),
                message=str(error.args[0] if error.args else error),
                points_wanted=self._lp_points_wanted(),
                amount=self._lp_points_discount(),
            )

    def _lp_exception_member(self):
        reservation = self._lp_reservations()[:1]
        return reservation.member_id or self._lp_get_member()

    # Hooks, meant to be overridden

    def _lp_get_member(self, reservations=None):
        """The membership the order posts to: the one the till showed when
        it is still valid (same customer, active program of the order's
        company), else the customer's membership in the company's first
        program (the same lookup the till makes). ``reservations``: the
        order's (:meth:`_lp_reservations`), when the caller has them."""
        self.ensure_one()
        if not self.partner_id:
            return self.env["lp.member"]
        Member = self.env["lp.member"].sudo().with_company(self.company_id)
        partners = self.partner_id | self.partner_id.commercial_partner_id
        if reservations is None:
            reservations = self._lp_reservations()
        # The member the till showed, else the one whose points it reserved
        # (read in one query: exists() and then reading would be two).
        shown = (
            Member.search_fetch(
                [("id", "=", self.lp_till_member_id)],
                ["partner_id", "program_id", "company_id", "state"],
            )
            if self.lp_till_member_id
            else Member
        )
        for member in shown | reservations.member_id:
            if (
                member.partner_id in partners
                and member.program_id.active
                and member.program_id.company_id == self.company_id
            ):
                return member.with_env(Member.env)
        return Member._lp_pos_for_partners(self.partner_id)

    def _lp_points_lines(self):
        points_product_id = self.env["lp.program"]._lp_points_product_id()
        return self.lines.filtered(lambda line: line.product_id.id == points_product_id)

    def _lp_sale_points_lines(self):
        """Points lines that pay for this order (a refund's points lines give
        a share back and are positive)."""
        return self._lp_points_lines().filtered(
            lambda line: line._lp_amount() < 0 and not line.refunded_orderline_id
        )

    def _lp_sale_lines(self):
        """Goods sold by this order (not returned goods, not points lines)."""
        return (
            self.lines.filtered(lambda line: not line.refunded_orderline_id)
            - self._lp_points_lines()
        )

    def _lp_points_discount(self):
        return -sum(line._lp_amount() for line in self._lp_sale_points_lines())

    def _lp_points_wanted(self, member=None):
        discount = self._lp_points_discount()
        if discount <= 0:
            return 0.0
        member = member or self._lp_exception_member()
        point_value = member.program_id.point_value if member else 1.0
        return float_round(discount / point_value, precision_rounding=PRECISION)

    def _lp_earn_base(self, program):
        """What the customer paid (tax included) for products that earn, net
        of their share of the points discount: the rule of every channel
        (:func:`~..tools.sale_points.earn_base`, shared with sales orders).
        It is also what counts toward the tier. Only the goods this order
        sells count (returned goods of an exchange are reversed apart)."""
        self.ensure_one()
        points_lines = self._lp_sale_points_lines()
        return sale_points.earn_base(
            [
                program._lp_sale_line(
                    line.product_id, line._lp_amount(), line in points_lines
                )
                for line in self._lp_sale_lines() | points_lines
            ]
        )

    def _lp_refunded_orders(self):
        return self.lines.refunded_orderline_id.order_id

    def _lp_reservations(self):
        return (
            self.env["lp.reservation"]
            .sudo()
            .search_fetch(
                [("key", "=", f"pos.order:{self.uuid}")],
                ["member_id", "points", "state", "key", "pos_config_id"],
            )
        )

    # Posting

    def _lp_post(self):
        self.ensure_one()
        if self._lp_refunded_orders():
            self._lp_post_refund()
        if self._lp_sale_lines() or self._lp_sale_points_lines():
            self._lp_post_sale()
        else:
            self._lp_reservations()._release()

    def _lp_post_sale(self):
        """Spend the points discount of the order and earn on what was paid."""
        reservations = self._lp_reservations()
        member = self._lp_get_member(reservations)
        wanted = self._lp_points_wanted(member)
        if not member:
            reservations._release()
            if wanted:
                self.env["lp.pos.exception"]._record(
                    self,
                    "no_member",
                    member=reservations.member_id[:1],
                    message=self.env._(
                        "A points discount of %(amount)s was given but the order "
                        "has no loyalty member to charge.",
                        amount=self._lp_points_discount(),
                    ),
                    points_wanted=wanted,
                    amount=self._lp_points_discount(),
                )
            self._lp_post_offers(member)
            return
        (reservations.filtered(lambda r: r.member_id != member))._release()
        reservation = reservations.filtered(lambda r: r.member_id == member)
        # The spend and the earn post under one lock of the member, taken
        # once for both, in one posting (this runs inside the order's
        # posting savepoint).
        member._lock_for_posting()
        member = member.with_context(lp_locked_member_ids=tuple(member.ids))
        reservation = reservation.with_env(member.env)
        vals_list = (
            [self._lp_spend_values(member, reservation, wanted)] if wanted else []
        )
        if not wanted:
            reservation._release()
        # Every matching offer of the member, under the same lock: their
        # entries post with the spend and the earn, at once.
        plan = self._lp_plan_offers(
            member if member.state != "closed" else member.browse()
        )
        if member.state != "closed":
            vals_list.append(
                member._prepare_earn_values(
                    self._lp_earn_base(member.program_id),
                    source=self,
                    source_key=f"pos.order:{self.uuid}:earn",
                )
            )
        vals_list += plan["entry_values"]
        vals_list = [vals for vals in vals_list if vals]
        consumes = any(vals.get("reservation_key") for vals in vals_list)
        entries = member.env["lp.ledger"]._post(vals_list)
        spend = entries.filtered(lambda entry: entry.kind == "spend")
        if consumes:
            reservation._mark_consumed(spend)
        offer_values = self._lp_finish_offers(member, plan, entries)
        self.sudo().write(
            {
                **offer_values,
                "lp_member_id": member.id,
                "lp_points_spent": -spend.amount if spend else 0.0,
                "lp_points_earned": sum(
                    entries.filtered(lambda entry: entry.kind == "earn").mapped(
                        "amount"
                    )
                ),
                "lp_balance_after": member.balance,
                "lp_pending_after": member.pending,
                "lp_card_masked": card_number.mask(member.card_number),
                "lp_posted": True,
            }
        )
