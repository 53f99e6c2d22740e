import doctest
import random
from collections import Counter

from odoo.tests import BaseCase, TransactionCase, tagged

from ..tools import demo_story


@tagged("post_install", "-at_install")
class TestDemoStory(BaseCase):
    """The plain-Python story behind the demo database."""

    def test_doctests(self):
        result = doctest.testmod(demo_story)
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)

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
