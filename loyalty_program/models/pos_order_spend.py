from odoo import models
from odoo.tools import float_round

from .lp_ledger import PRECISION


class PosOrder(models.Model):
    """How much of a paid till order's points discount is spent: never more
    than the program's cap on the goods sold, than the till's reservation,
    or (without one) than the member has free; what is missing becomes an
    ``lp.pos.exception`` for the loyalty manager."""

    _inherit = "pos.order"  # pylint: disable=consider-merging-classes-inherited

    def _lp_spend_values(self, member, reservation, wanted):
        """The spend of the ``wanted`` points of the order's points lines (for
        ``lp.ledger._post``, with the earn): never more than the program's
        cap on the goods actually sold, than the reservation made at the
        till, or (without a live reservation) than the member has free now.
        What is missing becomes an exception. None when nothing is spent."""
        program = member.program_id
        goods = self._lp_sale_lines()
        total = sum(line._lp_amount() for line in goods)
        spendable = sum(
            line._lp_amount()
            for line in goods
            if not program._is_excluded(line.product_id, "spend")
        )
        cap = program._lp_pos_cap_points(total, spendable)
        points, problem = wanted, None
        if points > cap + PRECISION / 2:
            points, problem = cap, "over_cap"
        if member.state != "active":
            points, problem = 0.0, "member_inactive"
        live = reservation.state == "reserved"
        if live and points > reservation.points + PRECISION / 2:
            points, problem = reservation.points, problem or "over_reserved"
        free = reservation.points if live else member._lp_free_points()
        if not live and points > free + PRECISION / 2:
            points = max(free, 0.0)
            problem = problem or (
                "released" if reservation.state == "released" else "insufficient"
            )
        points = float_round(points, precision_rounding=PRECISION)
        vals = None
        if points > 0:
            key = f"pos.order:{self.uuid}:spend"
            if live:
                vals = reservation._prepare_consume_values(
                    source=self, source_key=key, points=points
                )
            else:
                vals = member._prepare_spend_values(points, source=self, source_key=key)
        elif live:
            reservation._release()
        if problem:
            spent = points if vals else 0.0
            self._lp_record_spend_problem(member, problem, wanted, spent, free, cap)
        return vals

    def _lp_record_spend_problem(self, member, problem, wanted, spent, free, cap):
        point_value = member.program_id.point_value
        messages = {
            "over_cap": self.env._(
                "The points discount (%(wanted)s points) is above the program's "
                "cap on this order (%(cap)s points).",
                wanted=wanted,
                cap=cap,
            ),
            "member_inactive": self.env._(
                "%(member)s is blocked or closed: the %(wanted)s points of the "
                "discount were not spent.",
                member=member.display_name,
                wanted=wanted,
            ),
            "over_reserved": self.env._(
                "The points discount (%(wanted)s points) is above what the till "
                "reserved (%(spent)s points).",
                wanted=wanted,
                spent=spent,
            ),
            "released": self.env._(
                "The reservation of this order was released before it arrived; "
                "%(free)s of the %(wanted)s points were free to spend.",
                free=max(free, 0.0),
                wanted=wanted,
            ),
            "insufficient": self.env._(
                "%(member)s had %(free)s points free when the order arrived; the "
                "discount wanted %(wanted)s.",
                member=member.display_name,
                free=max(free, 0.0),
                wanted=wanted,
            ),
        }
        self.env["lp.pos.exception"]._record(
            self,
            problem,
            member=member,
            message=messages[problem],
            points_wanted=wanted,
            points_posted=spent,
            points_available=max(free, 0.0),
            amount=float_round(
                (wanted - spent) * point_value, precision_rounding=PRECISION
            ),
        )
