import doctest

from odoo.tests import BaseCase, tagged

from ..tools import pos_input, pos_refund


@tagged("post_install", "-at_install")
class TestPosTools(BaseCase):
    """The till's input checks and refund arithmetic, through their doctests
    and a few edge cases."""

    def test_doctests(self):
        for module in (pos_input, pos_refund):
            result = doctest.testmod(module)
            self.assertGreater(result.attempted, 0, module.__name__)
            self.assertEqual(result.failed, 0, module.__name__)

    def test_refunds_in_parts_never_exceed_the_sale(self):
        """Three teas refunded one at a time, then once more: money and
        points given back add up to what was paid, never more."""
        money = points = excess = 0.0
        for before in range(4):
            figures = pos_refund.refund_figures(
                [pos_refund.Line(300.0, 3, before, 1, True, True)], discount=90.0
            )
            money += figures.money
            points += figures.points_money
            excess += figures.excess
        self.assertAlmostEqual(money, 210.0)
        self.assertAlmostEqual(points, 90.0)
        self.assertAlmostEqual(excess, 100.0)
