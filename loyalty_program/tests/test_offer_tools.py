import doctest

from odoo.tests import BaseCase, tagged

from ..tools import offers


@tagged("post_install", "-at_install")
class TestOfferTools(BaseCase):
    """The offers' plain-Python core: conditions, worth, refund share."""

    def test_doctests(self):
        result = doctest.testmod(offers)
        self.assertGreater(result.attempted, 10)
        self.assertEqual(result.failed, 0)

    def test_goods_only(self):
        terms = offers.Terms()
        returned = offers.Line(1, 10, frozenset(), -1.0, -50.0)
        self.assertEqual(
            offers.match(terms, [returned], offers.WEDNESDAY_NOON, "pos"), []
        )

    def test_nothing_on_nothing(self):
        self.assertEqual(
            offers.worth(offers.Terms(reward_type="points", value=5.0), 0.0, 0.0),
            offers.NOTHING,
        )

    def test_discount_never_above_the_goods(self):
        terms = offers.Terms(reward_type="discount", value=100.0)
        self.assertEqual(offers.worth(terms, 80.0, 0.0).discount, 80.0)
