import time

from odoo.tests import tagged

from ..tools import rfm
from .stats_common import StatsCase

THRESHOLDS = {
    "rfm_method": "threshold",
    "recency_break_1": 10,
    "recency_break_2": 30,
    "recency_break_3": 60,
    "recency_break_4": 120,
    "frequency_break_1": 1,
    "frequency_break_2": 2,
    "frequency_break_3": 3,
    "frequency_break_4": 5,
    "monetary_break_1": 100,
    "monetary_break_2": 300,
    "monetary_break_3": 600,
    "monetary_break_4": 1000,
}


@tagged("post_install", "-at_install")
class TestRfm(StatsCase):
    """RFM scores and groups on constructed histories; the SQL agrees with
    the plain-Python core."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # name: [(days ago, amount), ...]
        histories = {
            "new": [(5, 100)],
            "lost": [(500, 300), (400, 300)],
            "sleeping_own": [(70, 50), (60, 50), (50, 50), (40, 50)],
            "sleeping_days": [(200, 80), (100, 80)],
            "at_risk": [(300, 100), (200, 100), (80, 100)],
            "champions": [(60, 200), (45, 200), (30, 200), (15, 200), (5, 200)],
            "loyal": [(80, 50), (60, 50), (40, 50), (20, 50), (8, 50)],
            "active": [(100, 100), (20, 100)],
        }
        cls.customers = {}
        for name, history in histories.items():
            partner = cls.make_partner(f"RFM {name}")
            for days_ago, amount in history:
                cls.sale(partner, amount, days_ago=days_ago)
            cls.customers[name] = partner

    def group_of(self, name):
        return "sleeping" if name.startswith("sleeping") else name

    def expected(self, row, config):
        """Scores and group of a stats row computed by tools.rfm."""
        if not row.purchase_count:
            return (0, 0, 0, False)
        r = rfm.recency_score(row.recency_days, config._breaks("recency"))
        f = rfm.score(row.window_purchase_count, config._breaks("frequency"))
        m = rfm.score(row.window_revenue, config._breaks("monetary"))
        group = rfm.rfm_group(
            r,
            f,
            m,
            row.recency_days,
            (self.today - row.first_purchase_date).days,
            row.purchase_count,
            row.average_interval or None,
            config._settings(),
        )
        return (r, f, m, group)

    def actual(self, row):
        return (
            row.recency_score,
            row.frequency_score,
            row.monetary_score,
            row.rfm_group,
        )

    def test_groups_with_thresholds(self):
        self.stats_config.write(THRESHOLDS)
        self.run_nightly()
        for name, partner in self.customers.items():
            self.assertEqual(self.stats(partner).rfm_group, self.group_of(name), name)
        champion = self.stats(self.customers["champions"])
        self.assertEqual(champion.rfm_score, "544")
        self.assertEqual(champion.average_interval, 13.75)
        # thresholds are kept as set
        self.assertEqual(self.stats_config.recency_break_4, 120)

    def test_quintiles_match_python(self):
        self.assertEqual(self.stats_config.rfm_method, "quantile")
        self.run_nightly()
        rows = self.env["lp.customer.stats"].search(
            [("company_id", "=", self.env.company.id)]
        )
        buyers = rows.filtered("purchase_count")
        self.assertGreaterEqual(len(buyers), len(self.customers))
        config = self.stats_config
        self.assertEqual(
            config._breaks("recency"),
            rfm.quantile_breaks(buyers.mapped("recency_days")),
        )
        self.assertEqual(
            config._breaks("frequency"),
            rfm.quantile_breaks(buyers.mapped("window_purchase_count")),
        )
        self.assertEqual(
            config._breaks("monetary"),
            rfm.quantile_breaks(buyers.mapped("window_revenue")),
        )
        self.assertTrue(config.breaks_date)
        for row in rows:
            self.assertEqual(
                self.actual(row), self.expected(row, config), row.partner_id.name
            )

    def test_order_rescored_with_stored_breaks(self):
        self.stats_config.write(THRESHOLDS)
        self.run_nightly()
        partner = self.customers["new"]
        self.sale(partner, 900)
        row = self.stats(partner)
        self.assertEqual(row.purchase_count, 2)
        self.assertEqual(row.window_revenue, 1000)
        self.assertEqual(self.actual(row), self.expected(row, self.stats_config))
        self.assertEqual(row.rfm_score, "524")

    def test_settings_change_the_groups(self):
        self.stats_config.write(
            dict(THRESHOLDS, sleeping_factor=5.0, sleeping_days=150)
        )
        self.run_nightly()
        # 40 days against 5 x 10 days: awake; 100 days < 150: awake
        self.assertNotEqual(
            self.stats(self.customers["sleeping_own"]).rfm_group, "sleeping"
        )
        self.assertNotEqual(
            self.stats(self.customers["sleeping_days"]).rfm_group, "sleeping"
        )
        self.assertEqual(self.stats(self.customers["lost"]).rfm_group, "lost")

    def test_cron_resumes_where_it_stopped(self):
        self.stats_config.write(THRESHOLDS)
        Stats = self.env["lp.customer.stats"].with_context(
            cron_end_time=time.monotonic() - 1
        )
        calls = 0
        finished = False
        while not finished and calls < 500:
            finished = Stats._cron_nightly(batch_size=20)
            calls += 1
        self.assertTrue(finished)
        self.assertGreater(calls, 3, "each call ran one step and stopped")
        for name, partner in self.customers.items():
            self.assertEqual(self.stats(partner).rfm_group, self.group_of(name), name)
        lost = self.env.ref("loyalty_program.segment_rfm_lost")
        self.assertIn(self.customers["lost"], lost.partner_ids)
        self.assertTrue(self.stats_config.last_run)
        # a finished run starts over when called again
        self.assertTrue(self.env["lp.customer.stats"]._cron_nightly())
