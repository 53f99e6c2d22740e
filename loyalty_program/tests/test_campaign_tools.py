import doctest
from datetime import date, datetime

from odoo.tests import BaseCase, tagged

from ..tools import daytime, placeholders, sms_parts


@tagged("post_install", "-at_install")
class TestCampaignTools(BaseCase):
    """SMS part counting, local sending windows and placeholders."""

    def test_doctests(self):
        for module in (sms_parts, daytime, placeholders):
            result = doctest.testmod(module)
            self.assertGreater(result.attempted, 0, module.__name__)
            self.assertEqual(result.failed, 0, module.__name__)

    def assertParts(self, text, encoding, units, parts):
        self.assertEqual(
            tuple(sms_parts.count(text)), (encoding, units, parts), repr(text)
        )

    def test_latin_boundaries(self):
        self.assertParts("a" * 160, "gsm7", 160, 1)
        self.assertParts("a" * 161, "gsm7", 161, 2)
        self.assertParts("a" * 306, "gsm7", 306, 2)
        self.assertParts("a" * 307, "gsm7", 307, 3)
        self.assertParts("Ça coûte 5€?", "ucs2", 12, 1)  # û is not GSM-7

    def test_cyrillic_boundaries(self):
        self.assertParts("Привет" * 10 + "Приве", "ucs2", 65, 1)
        self.assertParts("ж" * 70, "ucs2", 70, 1)
        self.assertParts("ж" * 71, "ucs2", 71, 2)
        self.assertParts("ж" * 134, "ucs2", 134, 2)
        self.assertParts("ж" * 135, "ucs2", 135, 3)

    def test_mixed_text_is_ucs2(self):
        # one Cyrillic letter turns a 100-character Latin text into 2 parts
        text = "a" * 99 + "я"
        self.assertParts(text, "ucs2", 100, 2)
        self.assertParts("a" * 100, "gsm7", 100, 1)
        # an emoji outside the BMP takes two UTF-16 units
        self.assertParts("ok 🎁", "ucs2", 5, 1)

    def test_extension_characters_count_twice(self):
        self.assertParts("[" * 80, "gsm7", 160, 1)
        self.assertParts("a" * 159 + "€", "gsm7", 161, 2)
        self.assertParts("{}" * 76 + "a", "gsm7", 305, 2)
        self.assertParts("~" * 80, "gsm7", 160, 1)
        self.assertParts("~" * 81, "gsm7", 162, 2)

    def test_empty(self):
        self.assertParts("", "gsm7", 0, 0)
        self.assertParts(None, "gsm7", 0, 0)

    def test_send_time_per_zone(self):
        day = date(2026, 12, 1)
        vladivostok = daytime.send_time("Asia/Vladivostok", day, 10, 21)
        kaliningrad = daytime.send_time("Europe/Kaliningrad", day, 10, 21)
        self.assertEqual(vladivostok, datetime(2026, 12, 1, 0, 0))  # UTC+10
        self.assertEqual(kaliningrad, datetime(2026, 12, 1, 8, 0))  # UTC+2

    def test_send_time_dst(self):
        # New York: UTC-4 in summer, UTC-5 in winter; 2026-03-08 is the switch
        self.assertEqual(
            daytime.send_time("America/New_York", date(2026, 3, 7), 10, 21),
            datetime(2026, 3, 7, 15, 0),
        )
        self.assertEqual(
            daytime.send_time("America/New_York", date(2026, 3, 9), 10, 21),
            datetime(2026, 3, 9, 14, 0),
        )
        # a window starting in the skipped hour still gives a moment
        self.assertEqual(
            daytime.send_time("America/New_York", date(2026, 3, 8), 2.5, 21),
            datetime(2026, 3, 8, 7, 30),
        )

    def test_send_time_never_at_night(self):
        # asked at 23:00 Moscow time: tomorrow 10:00 Moscow
        late = datetime(2026, 12, 1, 20, 0)
        self.assertEqual(
            daytime.send_time("Europe/Moscow", date(2026, 12, 1), 10, 21, late),
            datetime(2026, 12, 2, 7, 0),
        )
        # asked at 05:00 Moscow time: 10:00 the same day
        early = datetime(2026, 12, 1, 2, 0)
        self.assertEqual(
            daytime.send_time("Europe/Moscow", date(2026, 12, 1), 10, 21, early),
            datetime(2026, 12, 1, 7, 0),
        )
        with self.assertRaises(ValueError):
            daytime.send_time("UTC", date(2026, 12, 1), 21, 10)

    def test_buckets_share_moments(self):
        result = daytime.buckets(
            ["Europe/Moscow", "Europe/Istanbul", "Asia/Vladivostok"],
            date(2026, 12, 1),
            10,
            21,
        )
        self.assertEqual(result["Europe/Moscow"], result["Europe/Istanbul"])
        self.assertEqual(len(set(result.values())), 2)

    def test_placeholders(self):
        text = "Hi {name}! <b>{gift_points}</b> {nope}"
        self.assertEqual(
            placeholders.render(text, {"name": "<A&B>", "gift_points": 5}, str.upper),
            "Hi <A&B>! <b>5</b> {nope}",
        )
        self.assertEqual(placeholders.used(text), ["name", "gift_points", "nope"])
