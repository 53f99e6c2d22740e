from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.point_of_sale.tests.common import TestPoSCommon

from .stats_common import StatsCase


class PosAsLoyaltyManager(TestPoSCommon):
    """The POS fixtures, with their user made a loyalty manager before the
    loyalty fixtures are created."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids |= cls.env.ref(
            "loyalty_program.group_lp_manager"
        ) | cls.env.ref("sales_team.group_sale_salesman")


@tagged("post_install", "-at_install")
class TestCustomerStats(StatsCase, PosAsLoyaltyManager):
    """Statistics on histories mixing POS orders (through the real sync
    path of the POS) and sales orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pos_product = cls.create_product("Stats POS Item", cls.categ_basic, 1.0)
        cls.anna = cls.make_partner("Anna Stats")

    def pos(self, partner, amount, days_ago=0, config=None):
        """A paid POS order of ``amount`` (units of a 1.00 product, no tax)
        synced as the POS does; a negative amount is a refund."""
        self.config = config or self.basic_config
        if not self.config.current_session_id:
            self.open_new_session()
        self.pos_session = self.config.current_session_id
        self.currency = self.pos_session.currency_id
        self.pricelist = self.config.pricelist_id
        date = fields.Datetime.now() - timedelta(days=days_ago)
        data = self.create_ui_order_data(
            [(self.pos_product, amount)],
            customer=partner,
            pos_order_ui_args={"date_order": fields.Datetime.to_string(date)},
        )
        result = self.env["pos.order"].sync_from_ui([data])
        self.refresh_queued()
        return self.env["pos.order"].browse(result["pos.order"][0]["id"])

    def test_mixed_history(self):
        self.pos(self.anna, 100, days_ago=300)
        self.pos(self.anna, 50, days_ago=100)
        self.sale(self.anna, 200, days_ago=400)
        self.sale(self.anna, 150, days_ago=10)
        refund = self.pos(self.anna, -30, days_ago=5)
        self.assertEqual(refund.amount_total, -30)
        self.run_nightly()
        stats = self.stats(self.anna)
        self.assertRecordValues(
            stats,
            [
                {
                    "first_purchase_date": self.days(400),
                    "last_purchase_date": self.days(10),
                    "recency_days": 10,
                    "purchase_count": 4,
                    "revenue": 470.0,
                    "window_purchase_count": 3,
                    "window_revenue": 270.0,
                    "average_ticket": 117.5,
                    "average_interval": 130.0,
                    "total_saved": 0.0,
                }
            ],
        )
        self.assertEqual(self.anna.lp_revenue, 470.0)
        self.assertEqual(self.anna.lp_last_purchase_date, self.days(10))

    def test_paid_pos_order_updates_at_once(self):
        boris = self.make_partner("Boris Stats")
        self.assertFalse(self.stats(boris))
        self.pos(boris, 80)
        stats = self.stats(boris)
        self.assertRecordValues(
            stats,
            [
                {
                    "purchase_count": 1,
                    "revenue": 80.0,
                    "last_purchase_date": self.today,
                    "rfm_group": "new",
                }
            ],
        )
        order = self.sale(boris, 20)
        self.assertEqual(stats.purchase_count, 2)
        self.assertEqual(stats.revenue, 100.0)
        order._action_cancel()
        self.refresh_queued()
        self.assertEqual(stats.purchase_count, 1)
        self.assertEqual(stats.revenue, 80.0)

    def test_row_removed_when_nothing_left(self):
        clara = self.make_partner("Clara Stats")
        order = self.sale(clara, 60)
        self.assertTrue(self.stats(clara))
        order._action_cancel()
        self.refresh_queued()
        self.assertFalse(self.stats(clara))
        self.assertEqual(clara.lp_purchase_count, 0)

    def test_credit_note_is_a_refund(self):
        dora = self.make_partner("Dora Stats")
        order = self.sale(dora, 300, days_ago=20)
        self.sale(dora, 100, days_ago=2)
        invoice = order._create_invoices()
        invoice.action_post()
        credit_note = invoice._reverse_moves()
        credit_note.action_post()
        self.assertEqual(credit_note.amount_total_signed, -300)
        self.run_nightly()
        self.assertRecordValues(
            self.stats(dora),
            [{"purchase_count": 2, "revenue": 100.0, "average_ticket": 50.0}],
        )

    def test_other_currency_in_company_currency(self):
        emil = self.make_partner("Emil Stats")
        order = self.pos(emil, 100, config=self.other_currency_config)
        self.assertNotEqual(order.currency_id, self.env.company.currency_id)
        expected = order.amount_total / order.currency_rate
        self.assertNotEqual(order.amount_total, expected)
        self.assertAlmostEqual(self.stats(emil).revenue, expected, places=2)

    def test_total_saved_and_tier(self):
        self.credit(self.member, 100)
        spend = self.member._spend(40, source=None, source_key="stats-spend")
        spend._reverse(ratio=0.5, source_key="stats-return")
        self.program.point_value = 0.5
        self.run_nightly()
        stats = self.stats(self.partner)
        # 40 points spent, 20 given back, at 0.50 a point
        self.assertEqual(stats.total_saved, 10.0)
        self.assertEqual(stats.tier_id, self.member.tier_id)
        self.assertEqual(stats.purchase_count, 0)
        self.assertFalse(stats.rfm_group)

    def test_partner_fields_search(self):
        self.sale(self.anna, 500, days_ago=3)
        never = self.make_partner("Never Bought")
        Partner = self.env["res.partner"]
        buyers = Partner.search([("lp_revenue", ">", 400)])
        self.assertIn(self.anna, buyers)
        self.assertNotIn(never, buyers)
        nobody = Partner.search([("lp_purchase_count", "=", 0)])
        self.assertIn(never, nobody)
        self.assertNotIn(self.anna, nobody)
        self.assertIn(
            self.anna, Partner.search([("lp_last_purchase_date", ">=", self.days(3))])
        )
        self.assertNotIn(
            never, Partner.search([("lp_last_purchase_date", ">=", self.days(3))])
        )
        # in another company, nobody has statistics yet
        other = self.env["res.company"].create({"name": "Other Stats Co"})
        self.env.user.company_ids |= other
        other_env = Partner.with_company(other)
        self.assertIn(self.anna, other_env.search([("lp_purchase_count", "=", 0)]))
        self.assertEqual(self.anna.with_company(other).lp_revenue, 0)

    def test_nightly_is_idempotent(self):
        self.sale(self.anna, 70, days_ago=40)
        self.run_nightly()
        before = self.stats(self.anna).read(["revenue", "rfm_score", "write_date"])
        written = self.env["lp.customer.stats"]._compute_figures(today=self.today)
        self.assertEqual(written, 0, "unchanged rows are not rewritten")
        self.assertEqual(
            self.stats(self.anna).read(["revenue", "rfm_score", "write_date"]), before
        )
