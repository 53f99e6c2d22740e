import doctest
from datetime import date, datetime, time, timedelta

from odoo import fields
from odoo.tests import BaseCase, tagged

from ..tools import occasions
from .trigger_common import TriggerCase


@tagged("post_install", "-at_install")
class TestOccasionTools(BaseCase):
    def test_doctests(self):
        result = doctest.testmod(occasions)
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)

    def test_leap_day_every_year(self):
        born = date(2000, 2, 29)
        kept = [occasions.observed_birthday(born, y) for y in range(2025, 2030)]
        self.assertEqual(
            [d.isoformat() for d in kept],
            ["2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29", "2029-02-28"],
        )


@tagged("post_install", "-at_install")
class TestTriggerDue(TriggerCase):
    """Who each trigger finds due on a given day, and each occasion once."""

    def due(self, trigger, day, now=None):
        now = now or fields.Datetime.now()
        run = trigger._run(day=day, now=now)
        return {m.partner_id: m for m in self.occasions(trigger) if m.run_id == run}

    def test_birthday_on_the_day_leap_day_and_catch_up(self):
        trigger = self.trigger("birthday", catch_up_days=1)
        self.anna.lp_birthday = "1992-02-29"
        self.boris.lp_birthday = "1985-03-01"
        self.clara.lp_birthday = "1990-02-27"  # yesterday: the job missed it
        self.dima.lp_birthday = "1990-02-26"  # two days ago: too late
        day = date(2027, 2, 28)
        due = self.due(trigger, day)
        self.assertEqual(set(due), {self.anna, self.clara})
        self.assertRecordValues(
            due[self.anna],
            [
                {
                    "occasion": "birthday:2027",
                    "occasion_date": day,
                    "points": 200.0,
                }
            ],
        )
        self.assertEqual(due[self.clara].occasion_date, date(2027, 2, 27))
        # rerun the same day, then the next day: nobody twice
        self.assertEqual(self.due(trigger, day), {})
        self.assertEqual(set(self.due(trigger, date(2027, 3, 1))), {self.boris})
        # in a leap year Anna is greeted on the 29th, once
        self.assertEqual(set(self.due(trigger, date(2028, 2, 28))), {self.clara})
        self.assertEqual(set(self.due(trigger, date(2028, 2, 29))), {self.anna})
        self.assertEqual(set(self.due(trigger, date(2028, 3, 1))), {self.boris})

    def test_birthday_days_before_across_new_year(self):
        trigger = self.trigger("birthday", days=3, catch_up_days=0)
        self.anna.lp_birthday = "1990-01-02"
        due = self.due(trigger, date(2026, 12, 30))
        self.assertEqual(due[self.anna].occasion, "birthday:2027")
        self.assertEqual(due[self.anna].occasion_date, date(2027, 1, 2))
        self.assertEqual(self.due(trigger, date(2026, 12, 31)), {})

    def test_birthday_bonus_set_based_once_leap_day_catch_up(self):
        Member = self.env["lp.member"]
        self.anna.lp_birthday = "1992-02-29"
        self.boris.lp_birthday = "1990-02-27"
        self.clara.lp_birthday = "1990-02-26"
        self.members[self.dima.id].action_close()
        self.dima.lp_birthday = "1990-02-28"
        credited = Member._cron_birthday_bonus(today=date(2027, 2, 28))
        self.assertEqual(credited.partner_id, self.anna | self.boris)
        self.assertEqual(Member._cron_birthday_bonus(today=date(2027, 2, 28)), Member)
        self.assertEqual(Member._cron_birthday_bonus(today=date(2027, 3, 1)), Member)
        for partner in (self.anna, self.boris):
            member = self.members[partner.id]
            entry = member.ledger_ids.filtered(lambda e: e.kind == "birthday")
            self.assertRecordValues(
                entry,
                [
                    {
                        "amount": 200.0,
                        "remaining": 200.0,
                        "source_key": "birthday:2027",
                        "expiry_date": date(2027, 2, 28) + timedelta(days=14),
                    }
                ],
            )
            self.assertEqual(member.balance, 200.0)
        self.assertFalse(self.members[self.clara.id].ledger_ids)
        self.assertConsistent()
        # next year again, 29 February in a leap year
        credited = Member._cron_birthday_bonus(today=date(2028, 2, 29))
        self.assertEqual(credited.partner_id, self.anna)
        self.assertEqual(self.members[self.anna.id].balance, 400.0)

    def test_winback_rfm_once_per_sleeping_spell(self):
        trigger = self.trigger("winback", winback_rule="rfm")
        self.sale(self.anna, 500, days_ago=120)
        self.sale(self.boris, 500, days_ago=10)
        self.run_nightly()
        due = self.due(trigger, self.today)
        self.assertEqual(set(due), {self.anna})
        self.assertEqual(
            due[self.anna].occasion, f"sleep:{self.today - timedelta(days=120)}"
        )
        self.assertEqual(self.due(trigger, self.today), {})
        # she came back, then fell asleep again: a new spell, a new message
        self.sale(self.anna, 300, days_ago=95)
        self.run_nightly()
        due = self.due(trigger, self.today)
        self.assertEqual(due[self.anna].occasion, f"sleep:{self.days(95)}")

    def test_winback_days_just_asleep(self):
        trigger = self.trigger("winback", winback_rule="days", days=60, catch_up_days=1)
        self.sale(self.anna, 500, days_ago=60)
        self.sale(self.boris, 500, days_ago=61)
        self.sale(self.clara, 500, days_ago=62)  # asleep for a while already
        self.run_nightly()
        self.assertEqual(set(self.due(trigger, self.today)), {self.anna, self.boris})

    def test_expiry_points_and_date(self):
        trigger = self.trigger("expiry", days=14, catch_up_days=1)
        anna, boris = self.members[self.anna.id], self.members[self.boris.id]
        self.credit(anna, 120, expiry_days=14)
        self.credit(anna, 30, expiry_days=14)
        self.credit(anna, 500, expiry_days=40)
        self.credit(boris, 70, expiry_days=13)  # missed yesterday: caught up
        self.credit(self.members[self.clara.id], 70, expiry_days=12)
        due = self.due(trigger, self.today)
        self.assertEqual(set(due), {self.anna, self.boris})
        self.assertRecordValues(
            due[self.anna],
            [{"points": 150.0, "occasion_date": self.today + timedelta(days=14)}],
        )
        self.assertEqual(due[self.boris].points, 70.0)
        self.assertEqual(self.due(trigger, self.today), {})

    def test_welcome_after_enrolment_not_import(self):
        trigger = self.trigger("welcome", catch_up_days=1)
        partner = self.make_partner("Newcomer", email="new@example.com")
        member = self.env["lp.member"]._enrol(partner, self.program, source="pos")
        imported = self.make_partner("Imported")
        self.env["lp.member"].create(
            {
                "partner_id": imported.id,
                "program_id": self.program.id,
                "enrol_source": "import",
            }
        )
        old = self.make_partner("Old member")
        self.env["lp.member"].create(
            {
                "partner_id": old.id,
                "program_id": self.program.id,
                "join_date": self.days(10),
            }
        )
        due = self.due(trigger, self.today)
        self.assertIn(partner, due)
        self.assertNotIn(imported, due)
        self.assertNotIn(old, due)
        self.assertEqual(due[partner].points, 100.0)
        self.assertEqual(due[partner].occasion, f"welcome:{member.id}")
        self.assertEqual(self.due(trigger, self.today), {})

    def test_tier_upgrade_and_downgrade_warning(self):
        up = self.trigger("tier_upgrade")
        down = self.trigger("tier_downgrade", days=14)
        now = fields.Datetime.now()
        anna = self.members[self.anna.id]
        # 8,000 bought 360 days ago leaves the 365-day period in 6 days
        anna._earn(8000, source_key="old", date=now - timedelta(days=360))
        anna._earn(27000, source_key="recent", date=now - timedelta(days=10))
        self.assertEqual(anna.tier_id, self.tier_silver)
        boris = self.members[self.boris.id]
        boris._earn(40000, source_key="b", date=now - timedelta(days=5))
        due = self.due(up, self.today)
        self.assertEqual(set(due), {self.anna, self.boris})
        self.assertEqual(due[self.anna].tier_id, self.tier_silver)
        self.assertEqual(self.due(up, self.today), {})
        warned = self.due(down, self.today)
        self.assertEqual(set(warned), {self.anna})
        drop_day = (now - timedelta(days=360)).date() + timedelta(days=366)
        self.assertRecordValues(
            warned[self.anna],
            [
                {
                    "tier_id": self.tier_silver.id,
                    "amount": 3000.0,
                    "occasion_date": drop_day - timedelta(days=1),
                }
            ],
        )
        self.assertEqual(self.due(down, self.today), {})

    def test_post_purchase_hours_after(self):
        trigger = self.trigger("post_purchase", hours=2)
        now = datetime.combine(self.today, time(12))
        anna, boris = self.members[self.anna.id], self.members[self.boris.id]
        anna._earn(1000, source_key="a1", date=now - timedelta(hours=3))
        anna._earn(400, source_key="a2", date=now - timedelta(hours=2, minutes=30))
        boris._earn(1000, source_key="b1", date=now - timedelta(hours=1))  # too soon
        due = self.due(trigger, self.today, now)
        self.assertEqual(set(due), {self.anna})
        self.assertEqual(due[self.anna].points, 70.0)  # 5% of 1,400
        self.assertEqual(self.due(trigger, self.today, now), {})
        later = now + timedelta(hours=2)
        self.assertEqual(set(self.due(trigger, self.today, later)), {self.boris})
