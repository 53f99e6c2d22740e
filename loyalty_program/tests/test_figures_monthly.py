import doctest
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import BaseCase, new_test_user, tagged
from odoo.tools import SQL

from ..tools import figures_monthly
from .campaign_common import CampaignCase
from .test_figures import FiguresCase

# Monthly series that are the dashboard's figure of the same name for the
# month (the figure over the month's days).
SAME_AS_FIGURE = (
    "members",
    "new_members",
    "active_members",
    "points_issued",
    "points_spent",
    "points_expired",
    "liability",
)


@tagged("post_install", "-at_install")
class TestMonthlyTools(BaseCase):
    def test_doctests(self):
        result = doctest.testmod(figures_monthly)
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)


@tagged("post_install", "-at_install")
class TestFiguresMonthly(FiguresCase):
    """The charts' month-by-month series agree, month by month, with the
    dashboard's figures over that month."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.m1._earn(1000, source_key="mon:old", date=cls.now_minus(70))
        cls.m1._earn(2000, source_key="mon:new", date=cls.now_minus(5))
        cls.m1._spend(30, source_key="mon:spend")
        cls.m4._grant("birthday", 40, lifetime_days=1, source_key="mon:bday")
        cls.env["lp.ledger"]._expire_due(today=cls.today + timedelta(days=5))

    @classmethod
    def now_minus(cls, days):
        return fields.Datetime.now() - timedelta(days=days)

    def monthly(self, user=None, **kwargs):
        Figures = self.env["lp.figures"]
        if user:
            Figures = Figures.with_user(user)
        return Figures.get_monthly(str(self.today), **kwargs)

    def test_series_match_the_figures_of_each_month(self):
        series = self.monthly(user=self.user)
        firsts = figures_monthly.months(self.today)
        self.assertEqual(series["months"], [str(first) for first in firsts])
        ends = [*firsts[1:], self.today + timedelta(days=1)]
        for index, (first, end) in enumerate(zip(firsts, ends, strict=True)):
            values = self.env["lp.figures"]._compute_figures(
                self.env.company, first, end - timedelta(days=1)
            )
            for name in SAME_AS_FIGURE:
                self.assertAlmostEqual(
                    series[name][index], values[name] or 0.0, 6, f"{name} {first}"
                )
            revenue = series["member_revenue"][index] + series["other_revenue"][index]
            self.assertAlmostEqual(revenue, values["revenue"], 6, str(first))
            self.assertAlmostEqual(
                series["member_revenue"][index],
                values["revenue"] * (values["member_revenue_share"] or 0.0) / 100,
                6,
                str(first),
            )
        # The fixture in numbers: five members at the end, all joined in
        # the year; 1,200 of members' revenue (m5's 50 before joining is not).
        self.assertEqual(series["members"][-1], 5)
        self.assertEqual(sum(series["new_members"]), 5)
        self.assertEqual(sum(series["member_revenue"]), 1200.0)
        self.assertEqual(sum(series["points_spent"]), 30.0)

    def test_tier_sizes_month_by_month(self):
        members = self.m1 | self.m2 | self.m3 | self.m4 | self.m5
        self.env.flush_all()
        # The initial tiers date from joining; m1 moved up 45 days ago.
        self.env.cr.execute(
            SQL(
                """
                UPDATE lp_tier_history h SET date = m.join_date
                  FROM lp_member m WHERE m.id = h.member_id AND m.id IN %s
                """,
                tuple(members.ids),
            )
        )
        self.m1._set_tier(self.tier_silver, "upgrade")
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE lp_tier_history SET date = %s WHERE member_id = %s "
                "AND reason = 'upgrade'",
                self.now_minus(45),
                self.m1.id,
            )
        )
        self.env.invalidate_all()
        series = self.monthly()
        tiers = {tier["name"]: tier["values"] for tier in series["tiers"]}
        self.assertEqual(set(tiers), {"Base", "Silver"})
        firsts = figures_monthly.months(self.today)
        ends = [*firsts[1:], self.today + timedelta(days=1)]
        for index, end in enumerate(ends):
            expected = {
                tier.name: count
                for tier, count in self.env["lp.figures"]._tier_distribution(
                    self.env.company, end - timedelta(days=1)
                )
            }
            for name, values in tiers.items():
                self.assertEqual(values[index], expected.get(name, 0), f"{name} {end}")
        self.assertEqual(tiers["Silver"][-1], 1)
        self.assertEqual(tiers["Base"][-1], 4)

    def test_refusals(self):
        salesperson = new_test_user(
            self.env, login="monthly_sales", groups="sales_team.group_sale_salesman"
        )
        with self.assertRaises(AccessError):
            self.monthly(user=salesperson)
        company_b = self.env["res.company"].create({"name": "Monthly B"})
        with self.assertRaises(AccessError):
            self.monthly(user=self.user, company_id=company_b.id)
        with self.assertRaises(UserError):
            self.env["lp.figures"].get_monthly("not a date")
        with self.assertRaises(UserError):
            self.monthly(months=500)
        with self.assertRaises(UserError):
            self.monthly(months="12")


@tagged("post_install", "-at_install")
class TestResultCharts(CampaignCase):
    """A campaign's results as charts: on the dashboard, target against
    control per campaign; on its form, day by day over the window."""

    def test_campaign_results_as_charts(self):
        crowd = self.env["res.partner"].create(
            [
                {"name": f"Chart {i}", "email": f"chart{i}@example.com"}
                | {"lp_consent_email": True}
                for i in range(30)
            ]
        )
        for partner in crowd:
            self.env["lp.member"]._enrol(partner, self.program, welcome=False)
        campaign = self.make_campaign(
            segment_id=False,
            domain=repr([("id", "in", crowd.ids)]),
            control_percent=40.0,
            response_days=10,
            gift_points=0.0,
        )
        campaign.action_prepare()
        campaign.action_schedule()
        self.send(campaign)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE lp_campaign_recipient
                   SET scheduled_date = now() at time zone 'UTC' - interval '6 days'
                 WHERE campaign_id = %s
                """,
                campaign.id,
            )
        )
        self.env.invalidate_all()
        rows = campaign.recipient_ids
        target = rows.filtered(lambda r: r.group == "target").partner_id
        control = rows.filtered(lambda r: r.group == "control").partner_id
        self.assertTrue(len(target) > 4 and len(control) > 4)
        # Two target customers buy on day 2 (4 days ago), one more on day 5;
        # one control customer on day 5.
        for partner in target[:2]:
            self.sale(partner, 300, days_ago=4)
        self.sale(target[2], 150, days_ago=1)
        self.sale(control[0], 200, days_ago=1)
        campaign._compute_results()

        results = (
            self.env["lp.figures"]
            .with_user(self.user)
            .get_monthly(str(self.today))["results"]
        )
        self.assertEqual(len(results), 1)
        row = results[0]
        self.assertEqual((row["name"], row["kind"]), ("Spring offer", "campaign"))
        self.assertAlmostEqual(row["target_rate"], campaign.target_rate)
        self.assertAlmostEqual(row["control_rate"], campaign.control_rate)
        self.assertAlmostEqual(row["target_revenue"], 750.0 / len(target))
        self.assertAlmostEqual(row["control_revenue"], 200.0 / len(control))

        curve = campaign.with_user(self.user).get_response_curve()
        self.assertEqual(curve["days"], list(range(10)))
        self.assertEqual(curve["target"]["customers"], len(target))
        bought = curve["target"]["bought"]
        self.assertEqual(bought[1], 0.0)
        self.assertAlmostEqual(bought[2], round(200.0 / len(target), 2))
        self.assertAlmostEqual(bought[5], round(300.0 / len(target), 2))
        self.assertAlmostEqual(bought[-1], round(campaign.target_rate, 2))
        self.assertAlmostEqual(
            curve["target"]["revenue"][-1], round(750.0 / len(target), 2)
        )
        self.assertEqual(curve["control"]["bought"][4], 0.0)
        self.assertAlmostEqual(
            curve["control"]["bought"][5], round(100.0 / len(control), 2)
        )
        salesperson = new_test_user(
            self.env, login="curve_sales", groups="sales_team.group_sale_salesman"
        )
        with self.assertRaises(AccessError):
            campaign.with_user(salesperson).get_response_curve()
