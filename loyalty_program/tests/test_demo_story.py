import doctest
import random
from collections import Counter
from datetime import timedelta

from odoo import fields
from odoo.tests import BaseCase, TransactionCase, tagged

from ..tools import demo_gateways, demo_story
from .stats_common import StatsCase


@tagged("post_install", "-at_install")
class TestDemoStory(BaseCase):
    """The plain-Python story behind the demo database."""

    def test_doctests(self):
        for module in (demo_story, demo_gateways):
            result = doctest.testmod(module)
            self.assertGreater(result.attempted, 0, module.__name__)
            self.assertEqual(result.failed, 0, module.__name__)

    def test_members_join_every_week(self):
        customers = demo_story.build(random.Random(2026), members=200, others=40)
        weeks = Counter(c.joined // 7 for c in customers if c.member)
        self.assertLessEqual(set(range(demo_story.DAYS // 7)), set(weeks))
        # Most join on their first visit; a few bought before joining.
        later = [c for c in customers if c.member and c.joined != c.visits[0].days_ago]
        self.assertTrue(0 < len(later) < 20)
        self.assertTrue(all(c.joined is None for c in customers if not c.member))

    def test_a_year_of_every_kind_of_customer(self):
        customers = demo_story.build(random.Random(2026), members=250, others=50)
        personas = Counter(c.persona for c in customers if c.member)
        self.assertEqual(set(personas), set(demo_story.PERSONAS))
        self.assertEqual(sum(not c.member for c in customers), 50)
        visits = [v for c in customers for v in c.visits]
        self.assertTrue(all(0 <= v.days_ago <= demo_story.DAYS for v in visits))
        self.assertTrue(any(v.channel == "sale" for v in visits))
        self.assertTrue(any(v.refund_after for v in visits))
        self.assertTrue(any(v.spend for v in visits))
        # The same seed tells the same story.
        again = demo_story.build(random.Random(2026), members=250, others=50)
        self.assertEqual(customers, again)


@tagged("post_install", "-at_install")
class TestNoDemoInTests(TransactionCase):
    def test_tests_run_without_the_demo_year(self):
        self.assertFalse(
            self.env.ref("loyalty_program.demo_program", raise_if_not_found=False)
        )


@tagged("post_install", "-at_install")
class TestDemoJoins(StatsCase):
    """The demo's members join through the real paths: the till's
    enrolment call with a printed card, the join page's code by SMS (read
    back from the demo's offline SMS gateway), the back office."""

    def test_joins_through_the_real_paths(self):
        Demo = self.env["lp.demo"].with_user(self.env.ref("base.user_admin"))
        cards = self.env["lp.card.batch"]._generate(self.program, 2).card_ids
        cards = cards.sorted("number")
        state = {"program": self.program, "cards": cards, "members": {}}
        partners = self.env["res.partner"].create(
            [
                {
                    "name": f"Demo Joiner {i}",
                    "phone": f"+1 202 555 01{i:02d}",
                    "email": f"joiner{i}@example.com",
                    "lp_consent_email": True,
                }
                for i in range(3)
            ]
        )
        when = fields.Datetime.now() - timedelta(days=10)
        for partner, source in zip(partners, ("pos", "portal", "backend"), strict=True):
            Demo._demo_enrol(state, when, partner, source)
        till, page, office = (state["members"][p.id] for p in partners)
        self.assertEqual(till.card_ids, cards[0])
        self.assertEqual(state["cards"], cards[1:])
        self.assertEqual(till.enrol_source, "pos")
        self.assertEqual(till.enrol_phone, partners[0].lp_phone_e164)
        self.assertEqual(page.enrol_source, "portal")
        self.assertEqual(page.card_ids.card_type, "virtual")
        request = self.env["lp.join.request"].search([("member_id", "=", page.id)])
        self.assertEqual(request.state, "joined")
        self.assertTrue(partners[1].user_ids)
        self.assertEqual(state["join_sms"].sent[0][0], partners[1].lp_phone_e164)
        self.assertEqual(office.enrol_source, "backend")
        for member in (till, page, office):
            self.assertEqual(member.join_date, when.date())
            self.assertEqual(
                member.balance + member.pending, self.program.welcome_points
            )

    def test_core_demo_orders_left_out(self):
        core = self.sale(self.partner, 4350)
        own = self.sale(self.partner, 50)
        self.env["ir.model.data"].create(
            {"module": "sale", "name": "test_core_order", "model": "sale.order"}
            | {"res_id": core.id}
        )
        cancelled = self.env["lp.demo"]._demo_core_orders(self.env.company)
        self.assertEqual(cancelled, core)
        self.assertEqual(core.state, "cancel")
        self.assertEqual(own.state, "sale")


@tagged("post_install", "-at_install")
class TestDemoClock(StatsCase):
    """What the demo dates back keeps its meaning: a birthday bonus given on
    a day of the story keeps its lifetime from that day."""

    def test_birthday_bonus_dated_back(self):
        self.program.write({"birthday_points": 1000, "birthday_lifetime_days": 14})
        day = self.today - timedelta(days=40)
        self.partner.lp_birthday = day.replace(year=1990)
        Demo = self.env["lp.demo"]
        state = {"marks": {}}
        Demo._demo_mark(state)
        self.env["lp.member"]._cron_birthday_bonus(today=day)
        night = fields.Datetime.to_datetime(day) + timedelta(hours=1)
        Demo._demo_backdate(state, night)
        entry = self.env["lp.ledger"].search(
            [("member_id", "=", self.member.id), ("kind", "=", "birthday")]
        )
        self.assertEqual(entry.date, night)
        self.assertEqual(entry.expiry_date, day + timedelta(days=14))
