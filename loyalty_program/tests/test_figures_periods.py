import doctest
from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import BaseCase, new_test_user, tagged

from ..models.lp_figures_actions import ACTIONS
from ..tools import figures, periods
from .test_figures import FiguresCase


@tagged("post_install", "-at_install")
class TestPeriodTools(BaseCase):
    def test_doctests(self):
        result = doctest.testmod(periods)
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)


@tagged("post_install", "-at_install")
class TestComparablePeriods(FiguresCase):
    """Each card's "before" comes from a comparable period: the same part
    of the calendar period before for a calendar period, and nothing when
    that period lies before the program had members."""

    def dashboard(self, date_from, date_to, compare=None):
        return (
            self.env["lp.figures"]
            .with_user(self.user)
            .get_dashboard(str(date_from), str(date_to), compare=compare)
        )

    def rows(self, data):
        return {f["name"]: f for s in data["sections"] for f in s["figures"]}

    def test_month_so_far_against_the_same_days_of_last_month(self):
        first = self.today.replace(day=1)
        data = self.dashboard(first, self.today, "month")
        before_first, before_last = periods.previous(first, self.today, "month")
        self.assertEqual(data["previous_period"], [str(before_first), str(before_last)])
        self.assertEqual(before_first.day, 1)
        self.assertTrue(data["comparable"])
        expected = self.env["lp.figures"]._compute_figures(
            self.env.company, before_first, before_last
        )
        rows = self.rows(data)
        self.assertEqual(rows["revenue"]["previous"], expected["revenue"])
        self.assertEqual(rows["members"]["previous"], expected["members"])

    def test_nothing_to_compare_before_the_program(self):
        # The members joined 200 days ago: last year's same days are before.
        data = self.dashboard(self.today - timedelta(days=29), self.today, "year")
        self.assertFalse(data["comparable"])
        self.assertEqual(data["program_start"], str(self.today - timedelta(days=200)))
        rows = self.rows(data)
        self.assertEqual(rows["revenue"]["value"], 900.0)
        self.assertIsNone(rows["revenue"]["previous"])
        self.assertIsNone(rows["revenue"]["delta"])
        self.assertIsNone(rows["members"]["previous"])
        self.assertEqual({t["previous"] for t in data["tiers"]}, {None})
        # The thirty days before are comparable.
        data = self.dashboard(self.today - timedelta(days=29), self.today)
        self.assertTrue(data["comparable"])
        self.assertEqual(self.rows(data)["revenue"]["previous"], 800.0)

    def test_refusals(self):
        with self.assertRaises(UserError):
            self.dashboard(self.today, self.today, "fortnight")
        with self.assertRaises(UserError):
            self.dashboard(self.today, self.today, ["month"])


@tagged("post_install", "-at_install")
class TestFigureCards(FiguresCase):
    """Each card opens the records behind its figure."""

    def open(self, name, user=None):
        action = (
            self.env["lp.figures"]
            .with_user(user or self.user)
            .get_figure_action(name, str(self.date_from), str(self.date_to))
        )
        return self.env[action["res_model"]].search(action["domain"])

    def test_every_figure_opens_its_records(self):
        self.assertEqual(set(ACTIONS), {f.name for f in figures.FIGURES})
        values = self.figures()
        self.assertEqual(
            self.open("members"), self.m1 | self.m2 | self.m3 | self.m4 | self.m5
        )
        self.assertEqual(self.open("new_members"), self.m5)
        self.assertEqual(len(self.open("new_members")), values["new_members"])
        self.assertEqual(self.open("active_members"), self.m1 | self.m3 | self.m5)
        self.assertEqual(len(self.open("active_members")), values["active_members"])
        self.assertEqual(self.open("retention"), self.m1 | self.m2)
        others = self.open("other_ticket")
        self.assertEqual(others.partner_id, self.n1 | self.m5.partner_id)
        self.m1._grant("gift", 20, source_key="cards:gift")
        entries = self.open("bonus_points")
        self.assertEqual(sum(entries.mapped("amount")), self.figures()["bonus_points"])
        # The cards added by the bot and the offers count what they open:
        # the new member joined in the chat.
        self.env.cr.execute(
            "UPDATE lp_member SET enrol_source = 'bot' WHERE id = %s", [self.m5.id]
        )
        self.m5.invalidate_recordset(["enrol_source"])
        values = self.figures()
        self.assertEqual(values["new_members_bot"], 1)
        self.assertEqual(self.open("new_members_bot"), self.m5)
        for name in ("new_members_pos", "new_members_portal", "new_members_bot"):
            self.assertEqual(len(self.open(name)), values[name], name)
        self.assertEqual(
            len(self.open("new_members_pos") | self.open("new_members_portal")),
            len(self.open("new_members_pos")) + len(self.open("new_members_portal")),
        )
        self.assertEqual(
            sum(self.open("offer_points").mapped("amount")), values["offer_points"]
        )
        for name in ACTIONS:
            self.open(name)  # every action is a valid search

    def test_refusals(self):
        salesperson = new_test_user(
            self.env, login="cards_sales", groups="sales_team.group_sale_salesman"
        )
        with self.assertRaises(AccessError):
            self.open("members", user=salesperson)
        with self.assertRaises(UserError):
            self.open("not_a_figure")
