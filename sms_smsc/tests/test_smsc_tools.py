import doctest
import importlib

from odoo.tests import TransactionCase, tagged

from ..tools import smsc

TEXTS = [
    "",
    "Hello",
    "a" * 160,
    "a" * 161,
    "a" * 306,
    "a" * 307,
    "я" * 70,
    "я" * 71,
    "я" * 134,
    "я" * 135,
    "Anna, +50 points! Card *1234",
    "Анна, вам +50 баллов! Карта *1234",
    "€" * 80,
    "€" * 81,
    "Price {10} [x] ~ ^",
    "emoji 🙂",
    "new\nline",
]


@tagged("post_install", "-at_install")
class TestSmscTools(TransactionCase):
    def test_doctests(self):
        result = doctest.testmod(smsc)
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)

    def test_parts_as_smsc_bills(self):
        """SMSC's documented sizes: 160 GSM-7 / 70 Cyrillic characters in
        one SMS, 153 / 67 per part of a longer one."""
        expected = [0, 1, 1, 2, 2, 3, 1, 2, 2, 3, 1, 1, 1, 2, 1, 1, 1]
        self.assertEqual([smsc.parts(text) for text in TEXTS], expected)

    def test_parts_agree_with_loyalty_counter(self):
        """The SMS counter of loyalty_program (what campaigns show and
        count) gives the parts SMSC bills, where that addon is present."""
        try:
            counter = importlib.import_module(
                "odoo.addons.loyalty_program.tools.sms_parts"
            )
        except ImportError:
            counter = None
        if counter is None:
            self.assertNotIn("lp.campaign", self.env)
            return
        for text in TEXTS:
            self.assertEqual(counter.count(text).parts, smsc.parts(text), text)
