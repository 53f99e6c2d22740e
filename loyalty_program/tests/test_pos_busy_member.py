from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_pos import PosLoyaltyCommon

# What PostgreSQL raises when a row this transaction locks was changed by
# another transaction after this one's snapshot (the busy family card).
SERIALIZATION_FAILURE = (
    "DO $$ BEGIN RAISE EXCEPTION 'busy member' "
    "USING ERRCODE = 'serialization_failure'; END $$"
)


@tagged("post_install", "-at_install")
class TestPosBusyMember(PosLoyaltyCommon):
    """A member served at another till meanwhile makes the member's lock fail
    to serialize. The paid order is saved and its points posted right after
    its commit (no replay of the till's request); a reservation is made again
    at READ COMMITTED. The books end as if nobody had been busy."""

    def busy(self, method, times=1):
        """Make ``lp.member.<method>`` fail to serialize ``times`` times."""
        Member = type(self.env["lp.member"])
        original = getattr(Member, method)
        calls = {"failed": 0}

        def flaky(records, *args, **kwargs):
            if calls["failed"] < times:
                calls["failed"] += 1
                records.env.cr.execute(SERIALIZATION_FAILURE, log_exceptions=False)
            return original(records, *args, **kwargs)

        self.patch(Member, method, flaky)
        return calls

    def entries(self, order):
        return (
            self.env["lp.ledger"]
            .sudo()
            .search([("source_key", "like", f"pos.order:{order.uuid}:%")])
        )

    def pay_with_points(self, points, busy=True):
        """Reserve ``points`` on an order of 200, then pay it while the
        member is busy at another till (the posting's lock fails once)."""
        uuid = self.create_random_uid()
        self.env["pos.order"].lp_pos_reserve(
            self.member.id, points, uuid, self.goods(200.0)
        )
        self.calls = self.busy("_lock_for_posting") if busy else None
        return self.sync(
            self.order_data([(self.item, 2), self.points_line(points)], uuid=uuid)
        )

    def test_paid_order_saved_then_posted_after_commit(self):
        self.gift(100.0)
        order = self.pay_with_points(40)
        self.assertEqual(self.calls["failed"], 1)
        # The order is saved and paid in full: 200 of tea less 40 of points.
        self.assertEqual(order.state, "paid")
        self.assertAlmostEqual(order.amount_paid, 160.0)
        self.assertTrue(order.lp_post_pending)
        self.assertFalse(order.lp_posted)
        self.assertFalse(self.entries(order))
        self.assertFalse(self.exceptions(order))
        # The points stay held for it meanwhile.
        self.assertEqual(self.member.reserved, 40.0)
        self.assertEqual(self.member.balance, 100.0)
        # Once the order's transaction commits, a transaction of its own
        # (here: the test's) posts it.
        self.registry_enter_test_mode()
        self.env.cr.postcommit.run()
        self.env.invalidate_all()
        self.assertFalse(order.lp_post_pending)
        self.assertTrue(order.lp_posted)
        self.assertEqual(order.lp_points_spent, 40.0)
        self.assertEqual(order.lp_points_earned, 16.0)  # 10% of the 160 paid
        self.assertEqual(sorted(self.entries(order).mapped("kind")), ["earn", "spend"])
        self.assertEqual(self.member.balance, 60.0)
        self.assertEqual(self.member.reserved, 0.0)
        self.assertEqual(self.member.pending, 16.0)  # on hold 14 days
        # The customer's statistics, refreshed after the order's commit
        # before the points were there, are queued again.
        self.assertEqual(
            self.env["lp.customer.stats.queue"]
            .sudo()
            .search_count([("partner_id", "=", self.customer.id)]),
            1,
        )
        # Nothing is posted twice, by the job or a second sync.
        self.env["pos.order"]._cron_post_pending()
        self.sync(
            self.order_data([(self.item, 2), self.points_line(40)], uuid=order.uuid)
        )
        self.assertEqual(self.calls["failed"], 1)
        self.assertEqual(len(self.entries(order)), 2)
        self.assertEqual(self.member.balance, 60.0)

    def test_job_posts_what_a_crash_left(self):
        self.gift(100.0)
        order = self.pay_with_points(30)
        self.assertTrue(order.lp_post_pending)
        # The server stopped between the commit and the posting: the hook is
        # lost, the mark on the order is not.
        self.env.cr.postcommit.clear()
        self.assertEqual(self.env["pos.order"]._cron_post_pending(), True)
        self.assertFalse(order.lp_post_pending)
        self.assertEqual((order.lp_points_spent, order.lp_points_earned), (30.0, 17.0))
        self.assertEqual(self.member.balance, 70.0)
        self.assertEqual(self.env["pos.order"]._lp_post_pending(), 0)
        self.assertEqual(len(self.entries(order)), 2)

    def test_resent_order_posts_its_pending_points_at_once(self):
        """The server died between the order's commit and its posting (fault
        injection found it); the till, with no answer, sends the order again.
        Core ignores an order it already has, but its pending points post
        right after that request's commit, not five minutes later."""
        self.gift(100.0)
        order = self.pay_with_points(30)
        self.assertTrue(order.lp_post_pending)
        self.env.cr.postcommit.clear()
        self.registry_enter_test_mode()
        again = self.sync(
            self.order_data([(self.item, 2), self.points_line(30)], uuid=order.uuid)
        )
        self.assertEqual(again, order)
        self.env.cr.postcommit.run()
        self.env.invalidate_all()
        self.assertFalse(order.lp_post_pending)
        self.assertEqual((order.lp_points_spent, order.lp_points_earned), (30.0, 17.0))
        self.assertEqual((self.member.balance, self.member.reserved), (70.0, 0.0))
        self.assertEqual(len(self.entries(order)), 2)
        # Sent a third time: nothing more to post, nothing posted twice.
        self.sync(
            self.order_data([(self.item, 2), self.points_line(30)], uuid=order.uuid)
        )
        self.env.cr.postcommit.run()
        self.assertEqual(len(self.entries(order)), 2)
        self.assertEqual(self.member.balance, 70.0)

    def test_member_blocked_meanwhile_becomes_an_exception(self):
        self.gift(100.0)
        order = self.pay_with_points(40)
        self.member.sudo().action_block()
        self.env.cr.postcommit.clear()
        self.env["pos.order"]._cron_post_pending()
        # Nothing spent for a blocked member: the manager sees why.
        self.assertEqual(order.lp_points_spent, 0.0)
        self.assertEqual(self.exceptions(order).reason, "member_inactive")
        self.assertEqual((self.member.balance, self.member.reserved), (100.0, 0.0))

    @mute_logger("odoo.sql_db")
    def test_reservation_made_again_at_read_committed(self):
        self.gift(100.0)
        calls = self.busy("_lp_lock_and_touch")
        self.registry_enter_test_mode()
        uuid = self.create_random_uid()
        info = self.env["pos.order"].lp_pos_reserve(
            self.member.id, 40, uuid, self.goods(200.0)
        )
        self.assertEqual(calls["failed"], 1)
        self.assertEqual(info["reserved"], 40.0)
        self.assertEqual(self.member.reserved, 40.0)
        # The second attempt checks like the first: 60 left free.
        self.busy("_lp_lock_and_touch")
        with self.assertRaisesRegex(UserError, "60.0 points free"):
            self.env["pos.order"].lp_pos_reserve(
                self.member.id, 61, self.create_random_uid(), self.goods(200.0)
            )
        self.assertEqual(self.member.reserved, 40.0)
