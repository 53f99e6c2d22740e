from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common_pos import PosLoyaltyCommon


@tagged("post_install", "-at_install")
class TestStatsQueue(PosLoyaltyCommon):
    """The customer statistics are refreshed from a queue, in a transaction
    of their own (the job's), so they see the points posted and never hold
    up a till."""

    def queued(self, partner):
        return (
            self.env["lp.customer.stats.queue"]
            .sudo()
            .search_count([("partner_id", "=", partner.id)])
        )

    def stats(self, partner):
        return (
            self.env["lp.customer.stats"]
            .sudo()
            .search([("partner_id", "=", partner.id)])
        )

    def paid_order_with_points(self, points, amount_units=2):
        uuid = self.create_random_uid()
        self.env["pos.order"].lp_pos_reserve(
            self.member.id, points, uuid, self.goods(100.0 * amount_units)
        )
        return self.sync(
            self.order_data(
                [(self.item, amount_units), self.points_line(points)], uuid=uuid
            )
        )

    def test_till_order_refreshed_by_the_job_with_the_points_spent(self):
        self.env["lp.ledger"]._post(
            [{"member_id": self.member.id, "kind": "gift", "amount": 100.0}]
        )
        order = self.paid_order_with_points(40)
        self.assertEqual(order.lp_points_spent, 40.0)
        # Inside the order's transaction: queued, not computed yet.
        self.assertEqual(self.queued(self.customer), 1)
        self.assertFalse(self.stats(self.customer))
        # A till's order costs its request no refresh after the commit
        # either: the job refreshes every customer queued meanwhile at once.
        self.registry_enter_test_mode()
        self.env.cr.postcommit.run()
        self.assertEqual(self.queued(self.customer), 1)
        self.assertFalse(self.stats(self.customer))
        cron = self.env.ref("loyalty_program.cron_lp_customer_stats_queue")
        self.assertIs(cron.sudo().method_direct_trigger(), True)
        self.assertEqual(self.queued(self.customer), 0)
        stats = self.stats(self.customer)
        self.assertRecordValues(
            stats,
            [
                {
                    "purchase_count": 1,
                    "revenue": 160.0,
                    # the spend of this very order (1.00 a point)
                    "total_saved": 40.0,
                    "tier_id": self.member.tier_id.id,
                }
            ],
        )

    def test_orders_of_one_transaction_refresh_once_and_job_catches_up(self):
        self.sync(self.order_data([(self.item, 1)]))
        self.sync(self.order_data([(self.item, 3)]))
        stranger = self.env["res.partner"].create({"name": "Not a member"})
        self.sync(self.order_data([(self.item, 1)], customer=stranger))
        self.assertEqual(self.queued(self.customer), 2)
        self.assertEqual(self.queued(stranger), 1)
        # Suppose the hook never ran (a crash after commit): the job does it
        # (in a cursor of its own: here, the test's transaction).
        self.registry_enter_test_mode()
        cron = self.env.ref("loyalty_program.cron_lp_customer_stats_queue")
        self.assertIs(cron.sudo().method_direct_trigger(), True)
        self.assertEqual(self.queued(self.customer) + self.queued(stranger), 0)
        self.assertRecordValues(
            self.stats(self.customer) | self.stats(stranger),
            [
                {"partner_id": self.customer.id, "purchase_count": 2, "revenue": 400.0},
                {"partner_id": stranger.id, "purchase_count": 1, "revenue": 100.0},
            ],
        )
        # Nothing left: the job has nothing to do, the figures stay.
        self.assertEqual(self.env["lp.customer.stats.queue"].sudo()._process(), (0, 0))

    def test_queue_is_not_for_cashiers(self):
        self.sync(self.order_data([(self.item, 1)]))
        cashier = new_test_user(
            self.env,
            login="lp_queue_cashier",
            groups="base.group_user,point_of_sale.group_pos_user",
        )
        Queue = self.env["lp.customer.stats.queue"].with_user(cashier)
        with self.assertRaises(AccessError):
            Queue.search([])
        with self.assertRaises(AccessError):
            Queue.create({"partner_id": self.customer.id, "company_id": 1})
