import doctest
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import BaseCase, HttpCase, new_test_user, tagged

from ..tools import figures
from .stats_common import StatsCase


@tagged("post_install", "-at_install")
class TestFiguresDefinitions(BaseCase):
    """Every figure is defined once, documented, and in a known section."""

    def test_definitions(self):
        result = doctest.testmod(figures)
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)
        sections = set(figures.SECTIONS)
        names = [f.name for f in figures.FIGURES]
        self.assertEqual(len(names), len(set(names)))
        for figure in figures.FIGURES:
            self.assertIn(figure.section, sections, figure.name)
            self.assertIn(figure.unit, ("count", "percent", "money", "points", "ratio"))
            self.assertIn(figure.better, ("up", "down"))
            self.assertTrue(figure.doc and figure.sql.lstrip().startswith("SELECT"))


class FiguresCase(StatsCase):
    """Members and non-members with purchases in the period (the last 30
    days), in the period before (30 to 59 days back) and long before."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program.sale_earn_event = "paid"  # orders post no points here
        cls.member.action_close()  # the fixture's member stays out
        cls.date_to = cls.today
        cls.date_from = cls.today - timedelta(days=29)
        Member = cls.env["lp.member"]

        def member(name, joined_days_ago, **vals):
            partner = cls.make_partner(name, **vals)
            found = Member._enrol(partner, cls.program, welcome=False)
            found.join_date = cls.today - timedelta(days=joined_days_ago)
            return found

        cls.m1 = member("Fig Retained", 200, lp_consent_email=True, lp_consent_sms=True)
        cls.m2 = member("Fig Churned", 200, lp_consent_email=True)
        cls.m3 = member("Fig Won Back", 200)
        cls.m4 = member("Fig Sleeping", 200)
        cls.m5 = member("Fig Newcomer", 10)
        cls.n1 = cls.make_partner("Fig Walk-in")
        cls.n2 = cls.make_partner("Fig Gone")
        for partner, amount, days_ago in [
            (cls.m1.partner_id, 100, 40),
            (cls.m1.partner_id, 300, 10),
            (cls.m1.partner_id, 100, 5),
            (cls.m2.partner_id, 200, 45),
            (cls.m3.partner_id, 80, 150),
            (cls.m3.partner_id, 200, 3),
            (cls.m4.partner_id, 70, 150),
            (cls.m5.partner_id, 50, 20),  # before joining: not a member's
            (cls.m5.partner_id, 150, 2),
            (cls.n1, 60, 8),
            (cls.n1, 40, 1),
            (cls.n2, 500, 35),
        ]:
            cls.sale(partner, amount, days_ago=days_ago)

    def figures(self, date_from=None, date_to=None):
        return self.env["lp.figures"]._compute_figures(
            self.env.company, date_from or self.date_from, date_to or self.date_to
        )


@tagged("post_install", "-at_install")
class TestFigures(FiguresCase):
    def test_members_and_revenue(self):
        values = self.figures()
        expected = {
            "members": 5,
            "new_members": 1,
            "active_members": 3,  # m1, m3, m5
            "member_customer_share": 75.0,  # 3 of m1, m3, m5, n1
            "revenue": 900.0,
            "member_revenue_share": 750.0 / 900.0 * 100,
            "member_ticket": 187.5,  # 750 / 4 purchases
            "other_ticket": 50.0,  # (50 + 60 + 40) / 3
            "member_frequency": 4 / 3,
            "other_frequency": 1.5,  # m5 before joining, n1 twice
        }
        for name, value in expected.items():
            self.assertAlmostEqual(values[name], value, places=6, msg=name)

    def test_new_members_by_source(self):
        values = self.figures()
        self.assertEqual(
            [values[f"new_members_{s}"] for s in ("pos", "portal", "bot")], [0, 0, 0]
        )
        self.m5.enrol_source = "bot"
        self.m5.partner_id.lp_consent_bot = True
        values = self.figures()
        self.assertEqual(
            [values[f"new_members_{s}"] for s in ("pos", "portal", "bot")], [0, 0, 1]
        )
        self.assertEqual(values["consent_bot"], 20.0)  # m5 of five
        # A second membership (another program) does not change where the
        # customer first joined.
        other = self.env["lp.program"].create({"name": "Other", "card_prefix": "29"})
        self.env["lp.member"]._enrol(
            self.m5.partner_id, other, source="pos", welcome=False
        )
        self.assertEqual(self.figures()["new_members_bot"], 1)

    def test_retention_sleeping_winback(self):
        values = self.figures()
        # m1 and m2 bought as members in the period before; m1 came back.
        self.assertEqual(values["retention"], 50.0)
        self.assertEqual(values["churn"], 50.0)
        # Of the five members who ever bought, m4 has not for 150 days.
        self.assertEqual(values["sleeping_share"], 20.0)
        # Sleeping when the period started: m3 and m4; m3 bought again.
        self.assertEqual(values["winback_rate"], 50.0)
        # The sleeping threshold is the statistics settings'.
        self.stats_config.sleeping_days = 200
        values = self.figures()
        self.assertEqual(values["sleeping_share"], 0.0)
        self.assertIsNone(values["winback_rate"])

    def test_previous_period(self):
        values = self.figures(
            self.date_from - timedelta(days=30), self.date_from - timedelta(days=1)
        )
        self.assertEqual(values["members"], 4)  # m5 had not joined
        self.assertEqual(values["active_members"], 2)  # m1, m2
        self.assertEqual(values["revenue"], 800.0)  # 100 + 200 + 500
        self.assertAlmostEqual(values["member_customer_share"], 200 / 3)
        self.assertIsNone(values["retention"])  # nobody bought 60-89 days back

    def test_points_and_liability(self):
        manager = self.manager
        self.m1._earn(1000, source_key="fig:old", date=self.now_minus(40))
        self.m1._earn(2000, source_key="fig:new", date=self.now_minus(5))
        self.m1._spend(30, source_key="fig:spend")
        self.m2._grant("gift", 20, source_key="fig:gift")
        self.m3.with_user(manager)._adjust(10, "goodwill")
        self.m4._grant("birthday", 40, lifetime_days=1, source_key="fig:bday")
        self.env["lp.ledger"]._expire_due(today=self.today + timedelta(days=5))
        values = self.figures()
        self.assertEqual(values["points_issued"], 170.0)  # 100 + 20 + 10 + 40
        self.assertEqual(values["points_spent"], 30.0)
        self.assertEqual(values["points_expired"], 40.0)
        self.assertEqual(values["bonus_points"], 60.0)
        self.assertEqual(values["liability"], 150.0)  # 50 + 170 - 30 - 40
        self.assertEqual(values["liability_change"], 100.0)
        self.assertEqual(values["points_cost"], 30.0)
        self.assertEqual(values["program_cost"], 30.0)
        total = sum(
            (m.balance + m.pending) * m.program_id.point_value
            for m in self.env["lp.member"].search([])
        )
        self.assertEqual(values["liability"], total)
        # A point worth 2.50 doubles and a half the money figures.
        self.program.point_value = 2.5
        values = self.figures()
        self.assertEqual(values["liability"], 375.0)
        self.assertEqual(values["points_cost"], 75.0)
        previous = self.figures(
            self.date_from - timedelta(days=30), self.date_from - timedelta(days=1)
        )
        self.assertEqual(previous["points_issued"], 50.0)
        self.assertEqual(previous["liability"], 125.0)

    def test_cost_and_return_hooks(self):
        self.m1._earn(2000, source_key="fig:e", date=self.now_minus(40))
        self.m1._spend(80, source_key="fig:s")
        self.env["ir.config_parameter"].sudo().set_param(
            "loyalty_program.sms_price", "0"
        )
        campaign = {"recipients": 40, "responders": 10, "incremental_revenue": 300.0}
        with patch.object(
            type(self.env["lp.figures"]),
            "_campaign_results",
            lambda self, *args: campaign,
        ):
            values = self.figures()
        self.assertEqual(values["program_cost"], 80.0)
        self.assertEqual(values["incremental_revenue"], 300.0)
        self.assertEqual(values["roi"], 275.0)  # (300 - 80) / 80
        self.assertEqual(values["campaign_response"], 25.0)
        # Without a campaign sent in the period, the hook reports nothing.
        values = self.figures()
        self.assertEqual(values["incremental_revenue"], 0.0)
        self.assertIsNone(values["campaign_response"])
        self.assertEqual(values["roi"], -100.0)

    def test_campaign_results(self):
        """The campaigns' own results (target against control) feed the
        cost and return figures."""
        self.env["lp.campaign.config"]._for_company().sms_part_price = 2.0
        Campaign = self.env["lp.campaign"].sudo()

        def campaign(name, days_ago, state, **results):
            found = Campaign.create(
                {
                    "name": name,
                    "program_id": self.program.id,
                    "domain": "[('id', '=', 0)]",
                    "send_date": self.today - timedelta(days=days_ago),
                }
            )
            found.write({"state": state, **results})
            return found

        results = {
            "target_customers": 40,
            "target_buyers": 10,
            "incremental_revenue": 300.0,
            "sms_parts_sent": 25,
            "sms_cost_sent": 50.0,
        }
        campaign("Sent in the period", 5, "done", **results)
        campaign("Still a draft", 5, "draft", **results)
        campaign("Sent before", 40, "done", **dict(results, target_buyers=40))
        self.m1._earn(2000, source_key="fig:c", date=self.now_minus(40))
        self.m1._spend(100, source_key="fig:cs")
        values = self.figures()
        self.assertEqual(values["campaign_response"], 25.0)  # 10 of 40
        self.assertEqual(values["incremental_revenue"], 300.0)
        self.assertEqual(values["sms_cost"], 50.0)  # the campaign's SMS cost
        self.assertEqual(values["program_cost"], 150.0)  # 100 points + SMS
        self.assertEqual(values["roi"], 100.0)  # (300 - 150) / 150
        previous = self.figures(
            self.date_from - timedelta(days=30), self.date_from - timedelta(days=1)
        )
        self.assertEqual(previous["campaign_response"], 100.0)

    def test_consent_as_it_stood(self):
        # The consents given at creation, as if given 100 days ago.
        self.env.cr.execute(
            "UPDATE lp_consent_event SET date = date - interval '100 days' "
            "WHERE partner_id IN %s",
            [tuple((self.m1 | self.m2).partner_id.ids)],
        )
        values = self.figures()
        self.assertEqual(values["consent_email"], 40.0)  # m1, m2 of five
        self.assertEqual(values["consent_sms"], 20.0)
        self.m3.partner_id.lp_consent_email = True
        self.m1.partner_id.lp_consent_sms = False
        values = self.figures()
        self.assertEqual(values["consent_email"], 60.0)
        self.assertEqual(values["consent_sms"], 0.0)
        # Yesterday, before those changes (recorded today), the old state.
        yesterday = self.today - timedelta(days=1)
        values = self.figures(yesterday - timedelta(days=29), yesterday)
        self.assertEqual(values["consent_email"], 40.0)
        self.assertEqual(values["consent_sms"], 20.0)

    def test_tier_discounts(self):
        Lp = self.env(su=True)
        program = Lp["lp.program"].create(
            {"name": "Fig Discount Club", "program_type": "discount"}
        )
        Lp["lp.tier"].create(
            {
                "name": "Fig Base",
                "program_id": program.id,
                "threshold": 0,
                "discount_percent": 5.0,
            }
        )
        partner = self.make_partner("Fig Discounted")
        Lp["lp.member"].create({"partner_id": partner.id, "program_id": program.id})
        order = self.sale(partner, 200)
        self.assertEqual(order.order_line.discount, 5.0)
        values = self.figures()
        self.assertAlmostEqual(values["tier_discounts"], 10.0)
        self.assertAlmostEqual(values["program_cost"], 10.0)
        self.assertAlmostEqual(values["revenue"], 900.0 + 190.0)
        self.assertEqual(values["members"], 6)

    def test_tiers(self):
        self.m5._earn(35000, source_key="fig:big")  # Base -> Silver
        values = self.figures()
        self.assertEqual(values["tier_upgrades"], 1)
        self.assertEqual(values["tier_downgrades"], 0)
        distribution = self.env["lp.figures"]._tier_distribution(
            self.env.company, self.today
        )
        self.assertEqual(distribution, [(self.tier_base, 4), (self.tier_silver, 1)])

    def now_minus(self, days):
        return fields.Datetime.now() - timedelta(days=days)


@tagged("post_install", "-at_install")
class TestFiguresDashboard(FiguresCase):
    def test_dashboard_compares_periods(self):
        data = (
            self.env["lp.figures"]
            .with_user(self.user)
            .get_dashboard(str(self.date_from), str(self.date_to))
        )
        rows = {f["name"]: f for s in data["sections"] for f in s["figures"]}
        self.assertEqual(set(rows), {f.name for f in figures.FIGURES})
        self.assertEqual(rows["revenue"]["value"], 900.0)
        self.assertEqual(rows["revenue"]["previous"], 800.0)
        self.assertEqual(rows["revenue"]["delta"], 12.5)
        self.assertEqual(rows["active_members"]["delta"], 50.0)
        self.assertEqual(
            data["previous_period"],
            [
                str(self.date_from - timedelta(days=30)),
                str(self.date_from - timedelta(days=1)),
            ],
        )
        tiers = {t["name"]: (t["members"], t["previous"]) for t in data["tiers"]}
        self.assertEqual(tiers["Base (Test Club)"], (5, 4))

    def test_dashboard_in_russian(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        data = (
            self.env["lp.figures"]
            .with_user(self.user)
            .with_context(lang="ru_RU")
            .get_dashboard(str(self.date_from), str(self.date_to))
        )
        labels = {f["name"]: f["label"] for s in data["sections"] for f in s["figures"]}
        self.assertEqual(labels["retention"], "Удержание")

    def test_refusals(self):
        salesperson = new_test_user(
            self.env, login="fig_sales", groups="sales_team.group_sale_salesman"
        )
        with self.assertRaises(AccessError):
            self.env["lp.figures"].with_user(salesperson).get_dashboard(
                str(self.date_from), str(self.date_to)
            )
        company_b = self.env["res.company"].create({"name": "Figures B"})
        with self.assertRaises(AccessError):
            self.env["lp.figures"].with_user(self.user).get_dashboard(
                str(self.date_from), str(self.date_to), company_b.id
            )
        with self.assertRaises(UserError):
            self.env["lp.figures"].with_user(self.user).get_dashboard(
                str(self.date_to), str(self.date_from)
            )
        with self.assertRaises(UserError):
            self.env["lp.figures"].with_user(self.user).get_dashboard("soon", "later")

    def test_other_company_sees_none_of_it(self):
        company_b = self.env["res.company"].create({"name": "Figures B2"})
        values = self.env["lp.figures"]._compute_figures(
            company_b, self.date_from, self.date_to
        )
        self.assertEqual(values["members"], 0)
        self.assertEqual(values["revenue"], 0.0)
        self.assertEqual(values["liability"], 0.0)


@tagged("post_install", "-at_install")
class TestFiguresTour(HttpCase):
    """A manager opens the Loyalty app and lands on the dashboard."""

    def test_dashboard_tour(self):
        program = self.env["lp.program"].create(
            {
                "name": "Tour Figures Club",
                "sale_earn_event": "paid",
                "welcome_points": 100,
            }
        )
        self.env["lp.tier"].create(
            {"name": "Base", "program_id": program.id, "threshold": 0}
        )
        product = self.env["product.product"].create(
            {"name": "Tour Figures Widget", "list_price": 10.0}
        )
        for name in ("Tour Buyer", "Tour Sleeper"):
            partner = self.env["res.partner"].create({"name": name})
            self.env["lp.member"]._enrol(partner, program)
        buyer = self.env["res.partner"].search([("name", "=", "Tour Buyer")])
        order = self.env["sale.order"].create(
            {
                "partner_id": buyer.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        order.action_confirm()
        self.start_tour("/odoo", "loyalty_program_figures_dashboard", login="admin")
