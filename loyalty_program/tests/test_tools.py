import doctest

from odoo.tests import BaseCase, tagged

from ..tools import card_number, fifo, rfm, tiers


@tagged("post_install", "-at_install")
class TestTools(BaseCase):
    """The plain-Python cores, through their doctests and a few edge cases."""

    def test_doctests(self):
        for module in (card_number, fifo, tiers, rfm):
            result = doctest.testmod(module)
            self.assertGreater(result.attempted, 0, module.__name__)
            self.assertEqual(result.failed, 0, module.__name__)

    def test_check_digit_catches_single_digit_errors(self):
        number = card_number.make_number("27", 123456, 13)
        self.assertTrue(card_number.is_valid(number))
        for position in range(len(number)):
            for digit in "0123456789":
                if digit == number[position]:
                    continue
                typo = number[:position] + digit + number[position + 1 :]
                self.assertFalse(card_number.is_valid(typo), typo)

    def test_fifo_prefers_earliest_expiry_then_never_expiring(self):
        credits = [
            fifo.Credit(1, 10, None, 1),
            fifo.Credit(2, 10, "2030-01-01", 2),
            fifo.Credit(3, 10, "2029-01-01", 3),
        ]
        self.assertEqual(fifo.allocate(credits, 25), [(3, 10.0), (2, 10.0), (1, 5.0)])
        with self.assertRaises(fifo.InsufficientPoints):
            fifo.allocate(credits, 30.01)

    def test_proportional_sums_exactly(self):
        parts = fifo.proportional(100, [1, 2, 3, 0])
        self.assertEqual(round(sum(parts), 2), 100)
        self.assertEqual(parts[3], 0.0)
