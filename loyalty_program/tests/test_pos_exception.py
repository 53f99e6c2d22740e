from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common_pos import PosLoyaltyCommon


@tagged("post_install", "-at_install")
class TestPosException(PosLoyaltyCommon):
    """A paid order always reaches the server: what cannot be posted as the
    till rang it up becomes an exception for the loyalty manager, never a
    traceback, a negative balance or a silent free discount."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lp_manager = new_test_user(
            cls.env,
            login="lp_pos_manager",
            groups="base.group_user,loyalty_program.group_lp_manager",
        )

    def reserve(self, points, amount, uuid=None):
        uuid = uuid or self.create_random_uid()
        self.env["pos.order"].lp_pos_reserve(
            self.member.id, points, uuid, self.goods(amount)
        )
        return uuid

    def test_late_order_spends_when_its_reservation_was_released(self):
        """Synced days later: the reservation was released meanwhile, the
        balance still covers the points: they are spent, nothing to settle."""
        self.gift(100.0)
        uuid = self.reserve(40, 200.0)
        self.env["lp.reservation"].sudo().search(
            [("key", "=", f"pos.order:{uuid}")]
        )._release()
        order = self.sync(
            self.order_data([(self.item, 2), self.points_line(40)], uuid=uuid)
        )
        self.assertEqual(order.state, "paid")
        self.assertEqual(order.lp_points_spent, 40.0)
        self.assertEqual(order.lp_points_earned, 16.0)
        self.assertEqual(self.member.balance, 60.0)
        self.assertFalse(self.exceptions(order))

    def test_released_and_taken_meanwhile_becomes_an_exception(self):
        self.gift(100.0)
        uuid = self.reserve(40, 200.0)
        self.env["pos.order"].lp_pos_release([uuid])
        self.reserve(80, 200.0)  # another order holds 80 of the 100
        data = self.order_data([(self.item, 2), self.points_line(40)], uuid=uuid)
        order = self.sync(data)
        self.assertEqual(order.state, "paid")
        self.assertAlmostEqual(order.amount_total, 160.0)
        # 20 were free: spent; 20 are missing (20 in money given away).
        self.assertEqual(order.lp_points_spent, 20.0)
        self.assertEqual((self.member.balance, self.member.reserved), (80.0, 80.0))
        exception = self.exceptions(order)
        self.assertEqual(exception.reason, "released")
        self.assertEqual(
            (
                exception.points_wanted,
                exception.points_posted,
                exception.points_available,
                exception.points_missing,
                exception.amount,
                exception.state,
            ),
            (40.0, 20.0, 20.0, 20.0, 20.0, "open"),
        )
        self.assertTrue(exception.activity_ids)
        # The same sync again posts nothing twice.
        self.sync(data)
        self.assertEqual(self.member.balance, 80.0)
        self.assertEqual(len(self.exceptions(order)), 1)
        # Only a loyalty manager settles it.
        with self.assertRaises(AccessError):
            exception.with_user(self.env.user).action_accept_loss()
        exception.with_user(self.lp_manager).action_accept_loss()
        self.assertEqual((exception.state, exception.resolution), ("settled", "loss"))
        self.assertFalse(exception.activity_ids)
        self.assertEqual(self.env["lp.ledger"]._check_consistency([self.member.id]), [])

    def test_offline_order_without_reservation(self):
        self.gift(30.0)
        order = self.sync(self.order_data([(self.item, 1), self.points_line(20)]))
        self.assertEqual(order.lp_points_spent, 20.0)
        self.assertFalse(self.exceptions(order))
        # 10 left; an offline order wants 40 of them.
        order = self.sync(self.order_data([(self.item, 1), self.points_line(40)]))
        self.assertEqual(order.lp_points_spent, 10.0)
        self.assertEqual(self.member.balance, 0.0)
        exception = self.exceptions(order)
        self.assertEqual(
            (exception.reason, exception.points_missing, exception.amount),
            ("insufficient", 30.0, 30.0),
        )
        # The manager spends what the member has now (a later gift).
        self.gift(50.0)
        exception.with_user(self.lp_manager).action_spend_available()
        self.assertEqual((exception.state, exception.resolution), ("settled", "spent"))
        self.assertEqual(self.member.balance, 20.0)
        self.assertEqual(exception.entry_id.amount, -30.0)

    def test_cap_and_reservation_are_checked_on_the_paid_order(self):
        self.gift(200.0)
        # Reserved against 200 of goods, paid with one tea: the cap is 50.
        uuid = self.reserve(60, 200.0)
        order = self.sync(
            self.order_data([(self.item, 1), self.points_line(60)], uuid=uuid)
        )
        self.assertEqual(order.lp_points_spent, 50.0)
        exception = self.exceptions(order)
        self.assertEqual(
            (exception.reason, exception.points_missing, exception.amount),
            ("over_cap", 10.0, 10.0),
        )
        self.assertEqual(self.member.reserved, 0.0)
        # A points line worth more than was reserved.
        uuid = self.reserve(30, 200.0)
        order = self.sync(
            self.order_data([(self.item, 2), self.points_line(45)], uuid=uuid)
        )
        self.assertEqual(order.lp_points_spent, 30.0)
        exception = self.exceptions(order)
        self.assertEqual((exception.reason, exception.amount), ("over_reserved", 15.0))
        # The manager (no Point of Sale rights) sees which order it is and
        # takes the 15 back by a correcting entry.
        exception.invalidate_recordset()
        self.env["pos.order"].invalidate_model()
        as_manager = exception.with_user(self.lp_manager)
        self.assertEqual(as_manager.display_name, order.sudo().display_name)
        as_manager.action_post_correction()
        self.assertEqual(exception.resolution, "corrected")
        self.assertEqual(self.member.balance, 200.0 - 50.0 - 30.0 - 15.0)
        self.assertEqual(self.env["lp.ledger"]._check_consistency([self.member.id]), [])

    def test_member_blocked_meanwhile(self):
        self.gift(100.0)
        uuid = self.reserve(30, 100.0)
        self.member.sudo().action_block()
        order = self.sync(
            self.order_data([(self.item, 1), self.points_line(30)], uuid=uuid)
        )
        self.assertEqual(order.state, "paid")
        self.assertEqual(order.lp_points_spent, 0.0)
        self.assertEqual((self.member.balance, self.member.reserved), (100.0, 0.0))
        # Earned on the 70 paid (held), even blocked.
        self.assertEqual(self.member.pending, 7.0)
        exception = self.exceptions(order)
        self.assertEqual(
            (exception.reason, exception.amount), ("member_inactive", 30.0)
        )
        with self.assertRaisesRegex(UserError, "Blocked"):
            exception.with_user(self.lp_manager).action_spend_available()
        self.assertEqual(exception.state, "open")

    def test_anything_else_is_recorded_and_the_order_saved(self):
        self.gift(100.0)
        uuid = self.reserve(30, 100.0)
        with patch.object(
            type(self.env["lp.member"]),
            "_prepare_earn_values",
            side_effect=ValueError("boom"),
        ):
            order = self.sync(
                self.order_data([(self.item, 1), self.points_line(30)], uuid=uuid)
            )
        self.assertEqual(order.state, "paid")
        self.assertAlmostEqual(order.amount_paid, 70.0)
        # Everything of the posting was rolled back, nothing half-posted.
        self.assertFalse(order.lp_posted)
        self.assertEqual((self.member.balance, self.member.reserved), (100.0, 30.0))
        exception = self.exceptions(order)
        self.assertEqual(
            (exception.reason, exception.message, exception.points_wanted),
            ("error", "boom", 30.0),
        )

    def test_points_discount_without_member(self):
        stranger = self.env["res.partner"].create({"name": "Not a member"})
        order = self.sync(
            self.order_data([(self.item, 1), self.points_line(30)], customer=stranger)
        )
        self.assertEqual(order.state, "paid")
        self.assertEqual(self.exceptions(order).reason, "no_member")

    def test_open_till_keeps_its_reservation_past_its_time(self):
        """A till offline for hours: its order's reservation outlives its
        time while the session is open, and the order spends it on arrival."""
        self.gift(100.0)
        uuid = self.create_random_uid()
        self.env["pos.order"].lp_pos_reserve(
            self.member.id, 40, uuid, self.goods(200.0), config_id=self.config.id
        )
        other = self.reserve(20, 100.0)
        Reservation = self.env["lp.reservation"].sudo()
        Reservation.search([]).write({"expires_at": "2000-01-01 00:00:00"})
        self.assertEqual(Reservation._cron_release_stale(), 1)
        self.assertEqual(
            Reservation.search([("key", "=", f"pos.order:{other}")]).state, "released"
        )
        order = self.sync(
            self.order_data([(self.item, 2), self.points_line(40)], uuid=uuid)
        )
        self.assertEqual(order.lp_points_spent, 40.0)
        self.assertFalse(self.exceptions(order))

    def test_program_archived_before_payment(self):
        self.gift(100.0)
        uuid = self.reserve(30, 100.0)
        self.program.sudo().active = False
        order = self.sync(
            self.order_data([(self.item, 1), self.points_line(30)], uuid=uuid)
        )
        self.assertEqual(order.state, "paid")
        self.assertFalse(order.lp_member_id)
        # Nothing spent, the points are free again, the discount is flagged.
        self.assertEqual((self.member.balance, self.member.reserved), (100.0, 0.0))
        exception = self.exceptions(order)
        self.assertEqual(
            (exception.reason, exception.member_id, exception.points_wanted),
            ("no_member", self.member, 30.0),
        )
