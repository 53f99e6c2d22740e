from odoo import fields
from odoo.tests import tagged

from .stats_common import StatsCase


@tagged("post_install", "-at_install")
class TestPartnerMerge(StatsCase):
    """Odoo's contact merge in every combination it allows: members or not,
    statistics on both sides, the same bonus on both sides, memberships in
    the same program or not, whichever contact is kept. No entry is lost,
    the total balance stays, open reservations are kept, the merge is on
    the surviving member's chatter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.year = fields.Date.today().year

    def setUp(self):
        super().setUp()
        self.dup = self.make_partner("Anna I. (duplicate)")
        self.sale(self.partner, 100.0)
        self.sale(self.dup, 50.0)
        self.assertTrue(self.stats(self.partner) and self.stats(self.dup))

    def merge(self, partners, kept):
        wizard = self.env["base.partner.merge.automatic.wizard"].create({})
        wizard._merge(partners.ids, kept)
        self.assertFalse((partners - kept).exists())

    def birthday(self, member):
        return member._grant("birthday", 200.0, 0, source_key=f"birthday:{self.year}")

    def totals(self):
        Ledger = self.env["lp.ledger"]
        entries = Ledger.search([("program_id", "=", self.program.id)])
        return len(entries), round(sum(entries.mapped("amount")), 2)

    def chatter(self, member):
        return " ".join(member.message_ids.mapped("body"))

    def assertStatsMerged(self, kept):
        self.env["lp.customer.stats"].invalidate_model()
        rows = self.env["lp.customer.stats"].search([("partner_id", "=", kept.id)])
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows.purchase_count, 2)
        self.assertEqual(rows.revenue, 150.0)

    def test_both_members_same_program_same_birthday_bonus(self):
        dup_member = self.env["lp.member"].create(
            {"partner_id": self.dup.id, "program_id": self.program.id}
        )
        self.assertEqual(dup_member.balance, 100.0)  # welcome
        self.birthday(self.member)
        self.birthday(dup_member)
        self.credit(self.member, 10, key="a")
        dup_member._earn(1000.0, source_key="c")
        reservation = self.env["lp.reservation"]._reserve(
            dup_member, 30.0, "pos.order:open-till", ttl_hours=12
        )
        card = self.env["lp.card"].create({"program_id": self.program.id})
        card._assign(dup_member)
        before = self.totals()
        both = self.member | dup_member
        expected = [sum(both.mapped(f)) for f in ("balance", "pending", "window_spend")]
        # 10 + 200 and 100 (welcome) + 200; the sales order earned 5 pending.
        self.assertEqual(expected, [510.0, 55.0, 1100.0])
        self.merge(self.partner | self.dup, self.partner)
        self.assertFalse(dup_member.exists())
        self.assertEqual(self.totals(), before)
        self.assertEqual(
            [self.member.balance, self.member.pending, self.member.window_spend],
            expected,
        )
        birthdays = self.member.ledger_ids.filtered(lambda e: e.kind == "birthday")
        self.assertEqual(len(birthdays), 2)
        self.assertEqual(len(set(birthdays.mapped("source_key"))), 2)
        # Granted again this year: still a no-op.
        self.birthday(self.member)
        self.assertEqual(
            len(self.member.ledger_ids.filtered(lambda e: e.kind == "birthday")), 2
        )
        self.assertEqual(reservation.member_id, self.member)
        self.assertEqual(reservation.state, "reserved")
        self.assertEqual(self.member.reserved, 30.0)
        self.assertEqual(card.member_id, self.member)
        self.assertEqual(card.partner_id, self.partner)
        self.assertIn("merged into this one", self.chatter(self.member))
        self.assertStatsMerged(self.partner)
        self.assertConsistent(self.member)

    def test_kept_contact_is_not_a_member(self):
        self.credit(self.member, 40, key="a")
        reservation = self.env["lp.reservation"]._reserve(
            self.member, 15.0, "sale.order:1", ttl_hours=12
        )
        self.merge(self.partner | self.dup, self.dup)
        self.assertEqual(self.member.partner_id, self.dup)
        self.assertEqual(self.member.balance, 40.0)
        self.assertEqual(self.dup.lp_balance, 40.0)
        self.assertEqual(reservation.state, "reserved")
        self.assertEqual(set(self.member.ledger_ids.mapped("partner_id")), {self.dup})
        self.assertIn("merged into Anna I. (duplicate)", self.chatter(self.member))
        self.assertStatsMerged(self.dup)
        self.assertConsistent(self.member)

    def test_merged_away_contact_is_not_a_member(self):
        self.credit(self.member, 40, key="a")
        self.merge(self.partner | self.dup, self.partner)
        self.assertEqual(self.member.partner_id, self.partner)
        self.assertEqual(self.member.balance, 40.0)
        self.assertIn("merged into", self.chatter(self.member))
        self.assertStatsMerged(self.partner)

    def test_memberships_of_different_programs_both_stay(self):
        other_program = self.env["lp.program"].create(
            {"name": "Second Club", "card_prefix": "28", "welcome_points": 30.0}
        )
        other_member = self.env["lp.member"].create(
            {"partner_id": self.dup.id, "program_id": other_program.id}
        )
        self.credit(self.member, 40, key="a")
        self.merge(self.partner | self.dup, self.dup)
        self.assertEqual((self.member | other_member).partner_id, self.dup)
        self.assertEqual(self.member.balance, 40.0)
        self.assertEqual(other_member.balance, 30.0)
        self.assertEqual(self.dup.lp_member_count, 2)
        self.assertStatsMerged(self.dup)
        self.assertConsistent(self.member | other_member)

    def test_closed_membership_of_the_kept_contact_gives_way(self):
        closed = self.env["lp.member"].create(
            {"partner_id": self.dup.id, "program_id": self.program.id}
        )
        closed._adjust(-100.0, "welcome taken back before closing")
        closed.action_close()
        self.credit(self.member, 40, key="a")
        before = self.totals()
        self.merge(self.partner | self.dup, self.dup)
        self.assertFalse(closed.exists())
        self.assertEqual(self.member.partner_id, self.dup)
        self.assertEqual(self.member.state, "active")
        self.assertEqual(self.member.balance, 40.0)
        self.assertEqual(self.totals(), before)
        self.assertEqual(
            len(self.member.ledger_ids.filtered(lambda e: e.kind == "welcome")), 1
        )
        self.assertIn("Closed", self.chatter(self.member))
        self.assertConsistent(self.member)

    def test_three_contacts_two_memberships_none_kept(self):
        third = self.make_partner("Anna Ivanova (third)")
        third_member = self.env["lp.member"].create(
            {"partner_id": third.id, "program_id": self.program.id}
        )
        self.credit(self.member, 40, key="a")
        before = self.totals()
        self.merge(self.partner | self.dup | third, self.dup)
        survivors = self.env["lp.member"].search([("partner_id", "=", self.dup.id)])
        self.assertEqual(len(survivors), 1)
        self.assertEqual(survivors.balance, 140.0)
        self.assertEqual(self.totals(), before)
        self.assertEqual(
            len(survivors.exists() | self.member.exists() | third_member.exists()), 1
        )
        self.assertConsistent(survivors)
