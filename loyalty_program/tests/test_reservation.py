from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestReservation(LoyaltyCase):
    def setUp(self):
        super().setUp()
        self.credit(self.member, 100)
        self.Reservation = self.env["lp.reservation"]

    def test_reserve_blocks_other_orders_then_consume(self):
        first = self.Reservation._reserve(self.member, 70, "pos.order:A")
        self.assertEqual(self.member.reserved, 70.0)
        with self.assertRaisesRegex(UserError, "30.0 points free"):
            self.Reservation._reserve(self.member, 40, "pos.order:B")
        with self.assertRaisesRegex(UserError, "reserved by another open order"):
            self.member._spend(31)
        # The same order may change its amount.
        self.Reservation._reserve(self.member, 60, "pos.order:A")
        self.assertEqual(first.points, 60.0)
        entry = first._consume(source_key="pos.order:A")
        self.assertEqual(entry.amount, -60.0)
        self.assertEqual(first.state, "consumed")
        self.assertEqual(self.member.balance, 40.0)
        self.assertEqual(self.member.reserved, 0.0)
        # Consuming twice (a re-sent order) spends once.
        self.assertEqual(first._consume(source_key="pos.order:A"), entry)
        self.assertEqual(self.member.balance, 40.0)
        self.assertConsistent(self.member)

    def test_release_and_zero(self):
        reservation = self.Reservation._reserve(self.member, 50, "sale.order:1")
        self.Reservation._reserve(self.member, 0, "sale.order:1")
        self.assertEqual(reservation.state, "released")
        self.assertEqual(self.member.reserved, 0.0)
        with self.assertRaises(UserError):
            reservation._consume()
        # Reserving again re-opens it.
        self.Reservation._reserve(self.member, 20, "sale.order:1")
        self.assertEqual((reservation.state, reservation.points), ("reserved", 20.0))

    def test_stale_reservations_are_released(self):
        reservation = self.Reservation._reserve(
            self.member, 50, "pos.order:old", ttl_hours=1
        )
        self.assertEqual(self.Reservation._cron_release_stale(), 0)
        reservation.sudo().write(
            {"expires_at": fields.Datetime.now() - timedelta(minutes=1)}
        )
        self.assertEqual(self.Reservation._cron_release_stale(), 1)
        self.assertEqual(reservation.state, "released")

    def test_blocked_member_cannot_reserve(self):
        self.member.action_block()
        with self.assertRaisesRegex(UserError, "blocked or closed"):
            self.Reservation._reserve(self.member, 10, "pos.order:X")

    def test_consume_lower_amount(self):
        reservation = self.Reservation._reserve(self.member, 50, "pos.order:C")
        entry = reservation._consume(points=30)
        self.assertEqual(entry.amount, -30.0)
        self.assertEqual(self.member.balance, 70.0)

    def test_points_taken_meanwhile_shrink_the_reservation(self):
        """An adjustment or an expiry that leaves less than the open orders
        hold shrinks their reservations (newest first) visibly, never the
        balance below zero; the reservation being spent is left alone."""
        older = self.Reservation._reserve(self.member, 30, "pos.order:old")
        newer = self.Reservation._reserve(self.member, 50, "pos.order:new")
        self.member.with_user(self.manager)._adjust(-40, "Damaged goods")
        self.assertEqual(self.member.balance, 60.0)
        self.assertEqual((newer.points, newer.shrunk), (30.0, True))
        self.assertEqual((older.points, older.shrunk), (30.0, False))
        info = self.member._lp_pos_info("pos.order:new")
        self.assertEqual(
            (info["order_points"], info["order_points_shrunk"]), (30.0, True)
        )
        # Spending one reservation does not shrink the other.
        older._consume(source_key="pos.order:old")
        self.assertEqual((newer.state, newer.points), ("reserved", 30.0))
        self.assertEqual(self.member.balance, 30.0)
        # Expiry takes the rest: the reservation holding it is released.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE lp_ledger SET expiry_date = '2000-01-01' "
            "WHERE member_id = %s AND remaining > 0",
            [self.member.id],
        )
        self.env.invalidate_all()
        self.env["lp.ledger"]._expire_due()
        self.assertEqual(self.member.balance, 0.0)
        self.assertEqual((newer.state, newer.shrunk), ("released", True))
        self.assertConsistent(self.member)
