from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestLedger(LoyaltyCase):
    def test_earn_is_held_then_released(self):
        entry = self.member._earn(1000.0, source_key="order-1")
        self.assertEqual(entry.kind, "earn")
        self.assertEqual(entry.amount, 50.0)  # 5% of 1000
        self.assertTrue(entry.held)
        self.assertEqual(self.member.balance, 0.0)
        self.assertEqual(self.member.pending, 50.0)
        self.assertEqual(
            entry.expiry_date,
            (entry.available_from + timedelta(days=365)).date(),
        )
        # Not yet: the hold lasts 14 days.
        self.assertEqual(self.env["lp.ledger"]._release_held(), 0)
        later = fields.Datetime.now() + timedelta(days=15)
        self.assertEqual(self.env["lp.ledger"]._release_held(now=later), 1)
        self.assertEqual(self.member.balance, 50.0)
        self.assertEqual(self.member.pending, 0.0)
        self.assertFalse(entry.held)
        self.assertConsistent(self.member)

    def test_earn_rounding_and_rate(self):
        self.program.rounding_method = "down"
        self.assertEqual(self.member._earn(339.0).amount, 16.0)  # 16.95 down
        self.program.rounding_method = "half"
        self.assertEqual(self.member._earn(339.0).amount, 17.0)
        self.program.points_rounding = 0.01
        self.assertEqual(self.member._earn(339.0).amount, 16.95)

    def test_spend_fifo_consumes_earliest_expiry_first(self):
        late = self.credit(self.member, 100, expiry_days=90)
        early = self.credit(self.member, 100, expiry_days=10)
        never = self.credit(self.member, 100)
        spend = self.member._spend(150, source_key="pos-1")
        self.assertEqual(spend.amount, -150.0)
        self.assertEqual(early.remaining, 0.0)
        self.assertEqual(late.remaining, 50.0)
        self.assertEqual(never.remaining, 100.0)
        self.assertEqual(
            sorted((a.credit_id.id, a.amount) for a in spend.allocation_ids),
            sorted([(early.id, 100.0), (late.id, 50.0)]),
        )
        self.assertEqual(self.member.balance, 150.0)
        self.assertConsistent(self.member)

    def test_spend_above_balance_refused_and_nothing_posted(self):
        self.credit(self.member, 40)
        count = self.env["lp.ledger"].search_count([("member_id", "=", self.member.id)])
        with self.assertRaisesRegex(UserError, "40.0 points available"):
            self.member._spend(40.01)
        self.assertEqual(
            self.env["lp.ledger"].search_count([("member_id", "=", self.member.id)]),
            count,
        )
        self.assertEqual(self.member.balance, 40.0)

    def test_held_points_cannot_be_spent(self):
        self.member._earn(10000.0)  # 500 pending
        with self.assertRaises(UserError):
            self.member._spend(1)
        self.assertEqual(self.member.pending, 500.0)

    def test_idempotent_posting(self):
        first = self.member._earn(1000.0, source_key="pos.order:42")
        again = self.member._earn(1000.0, source_key="pos.order:42")
        self.assertEqual(first, again)
        self.assertEqual(self.member.pending, 50.0)
        spend_key = "spend:7"
        self.credit(self.member, 100)
        self.member._spend(30, source_key=spend_key)
        self.member._spend(30, source_key=spend_key)
        self.assertEqual(self.member.balance, 70.0)
        self.assertConsistent(self.member)

    @mute_logger("odoo.sql_db")
    def test_unique_source_index_is_the_last_defence(self):
        self.credit(self.member, 10, key="k1")
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env.cr.execute(
                """INSERT INTO lp_ledger (member_id, kind, amount, date, source_key,
                                         remaining, held)
                   VALUES (%s, 'gift', 10, now(), 'k1', 10, false)""",
                [self.member.id],
            )

    def test_ledger_is_append_only(self):
        entry = self.credit(self.member, 10)
        with self.assertRaises(UserError):
            entry.write({"amount": 1000})
        with self.assertRaises(UserError):
            entry.write({"remaining": 1000})  # bookkeeping, engine only
        with self.assertRaises(UserError):
            entry.unlink()
        with self.assertRaises(UserError):
            self.env["lp.ledger"].create(
                {"member_id": self.member.id, "kind": "gift", "amount": 5}
            )
        with self.assertRaises(UserError):
            self.member.write({"balance": 1e6})
        self.assertEqual(self.member.balance, 10.0)

    def test_expiry_burns_only_what_is_left(self):
        credit = self.credit(self.member, 100, expiry_days=5)
        other = self.credit(self.member, 30, expiry_days=400)
        self.member._spend(60)
        today = fields.Date.today() + timedelta(days=6)
        self.assertEqual(self.env["lp.ledger"]._expire_due(today=today), 1)
        expire = self.env["lp.ledger"].search(
            [("member_id", "=", self.member.id), ("kind", "=", "expire")]
        )
        self.assertEqual(expire.amount, -40.0)
        self.assertEqual(expire.allocation_ids.credit_id, credit)
        self.assertEqual(credit.remaining, 0.0)
        self.assertEqual(other.remaining, 30.0)
        self.assertEqual(self.member.balance, 30.0)
        # A second run finds nothing more.
        self.assertEqual(self.env["lp.ledger"]._expire_due(today=today), 0)
        self.assertConsistent(self.member)

    def test_reverse_earn_takes_back_held_credit_first(self):
        earn = self.member._earn(2000.0, source_key="o1")  # 100 pending
        self.credit(self.member, 20)
        reversal = earn._reverse(ratio=0.5, source_key="refund-1")
        self.assertEqual(reversal.amount, -50.0)
        self.assertEqual(reversal.allocation_ids.credit_id, earn)
        self.assertEqual(self.member.pending, 50.0)
        self.assertEqual(self.member.balance, 20.0)
        self.assertEqual(self.member.window_spend, 1000.0)
        # Reversing the same refund twice does nothing more.
        self.assertEqual(earn._reverse(ratio=0.5, source_key="refund-1"), reversal)
        self.assertEqual(self.member.pending, 50.0)
        self.assertConsistent(self.member)

    def test_reverse_earn_never_goes_negative(self):
        earn = self.member._earn(2000.0)  # 100
        self.env["lp.ledger"]._release_held(
            now=fields.Datetime.now() + timedelta(days=20)
        )
        self.member._spend(90)
        reversal = earn._reverse()
        self.assertEqual(reversal.amount, -10.0)
        self.assertEqual(reversal.shortfall, 90.0)
        self.assertEqual(self.member.balance, 0.0)
        self.assertConsistent(self.member)

    def test_reverse_spend_gives_points_back_with_their_expiry(self):
        self.credit(self.member, 100, expiry_days=10)
        spend = self.member._spend(80, source_key="s1")
        back = spend._reverse(ratio=0.25, source_key="r1")
        self.assertEqual(back.amount, 20.0)
        self.assertEqual(back.kind, "reversal")
        self.assertEqual(back.expiry_date, fields.Date.today() + timedelta(days=10))
        self.assertEqual(self.member.balance, 40.0)
        self.assertConsistent(self.member)

    def test_manual_adjustment_needs_manager_and_reason(self):
        member_as_user = self.member.with_user(self.user)
        with self.assertRaises(AccessError):
            member_as_user._adjust(10, "goodwill")
        member_as_manager = self.member.with_user(self.manager)
        with self.assertRaises(UserError):
            member_as_manager._adjust(10, "  ")
        entry = member_as_manager._adjust(10, "Complaint #12: goodwill")
        self.assertEqual(entry.kind, "adjustment")
        self.assertEqual(entry.user_id, self.manager)
        self.assertEqual(entry.reason, "Complaint #12: goodwill")
        self.assertEqual(self.member.balance, 10.0)
        self.assertIn("goodwill", self.member.message_ids[:1].body)
        with self.assertRaises(UserError):
            member_as_manager._adjust(-11, "too much")
        self.assertEqual(self.member.balance, 10.0)

    def test_adjust_wizard(self):
        wizard = (
            self.env["lp.adjust.wizard"]
            .with_user(self.manager)
            .create(
                {"member_id": self.member.id, "points": 25, "reason": "Lost receipt"}
            )
        )
        wizard.action_confirm()
        self.assertEqual(self.member.balance, 25.0)

    def test_welcome_bonus_once_and_spendable_at_once(self):
        partner = self.env["res.partner"].create({"name": "New Customer"})
        member = self.env["lp.member"]._enrol(partner, self.program, source="pos")
        self.assertEqual(member.balance, 100.0)
        self.env["lp.member"]._enrol(partner, self.program)
        self.assertEqual(member.balance, 100.0)
        member._spend(100)
        self.assertEqual(member.balance, 0.0)

    def test_birthday_bonus_once_a_year(self):
        today = fields.Date.today()
        self.partner.lp_birthday = today.replace(year=1990)
        self.env["lp.member"]._cron_birthday_bonus(today=today)
        self.env["lp.member"]._cron_birthday_bonus(today=today)
        birthday = self.member.ledger_ids.filtered(lambda e: e.kind == "birthday")
        self.assertEqual(len(birthday), 1)
        self.assertEqual(self.member.balance, 200.0)

    def test_closed_member_gets_nothing(self):
        self.member.action_close()
        with self.assertRaises(UserError):
            self.credit(self.member, 10)

    def test_blocked_member_cannot_spend(self):
        self.credit(self.member, 10)
        self.member.action_block()
        with self.assertRaisesRegex(UserError, "Blocked"):
            self.member._spend(5)

    def test_max_spend_respects_cap_balance_and_exclusions(self):
        self.credit(self.member, 1000)
        # cap 50% of 600 = 300, spendable part 250 -> 250
        self.assertEqual(self.program._max_spend_points(self.member, 600, 250), 250)
        self.assertEqual(self.program._max_spend_points(self.member, 600, 600), 300)
        self.assertEqual(
            self.program._max_spend_points(self.member, 10000, 10000), 1000
        )
        self.program.point_value = 0.5  # a point pays half a unit
        self.assertEqual(self.program._max_spend_points(self.member, 600, 600), 600)

    def test_expiring_soon(self):
        self.credit(self.member, 30, expiry_days=5)
        self.credit(self.member, 20, expiry_days=20)
        self.credit(self.member, 50, expiry_days=200)
        self.assertEqual(self.member.expiring_points, 50.0)
        self.assertEqual(
            self.member.expiring_date, fields.Date.today() + timedelta(days=5)
        )

    def test_cron_entry_points(self):
        earn = self.member._earn(1000.0)
        gift = self.credit(self.member, 10, expiry_days=-1)
        self.env["lp.ledger"]._cron_release_and_expire(batch_size=1)
        self.assertTrue(earn.held)  # the hold has not ended
        self.assertEqual(gift.remaining, 0.0)
        self.assertEqual(self.member.balance, 0.0)
        self.env["lp.member"]._cron_reevaluate_tiers(batch_size=1)
        self.assertEqual(self.member.tier_id, self.tier_base)
        self.assertConsistent(self.member)
