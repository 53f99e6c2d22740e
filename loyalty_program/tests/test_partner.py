from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestPartner(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ru = cls.env.ref("base.ru")
        cls.env.company.country_id = cls.ru

    def test_phone_any_format_finds_the_customer(self):
        partner = self.env["res.partner"].create(
            {
                "name": "Phone Owner",
                "phone": "8 (912) 000-11-22",
                "country_id": self.ru.id,
            }
        )
        self.assertEqual(partner.lp_phone_e164, "+79120001122")
        Partner = self.env["res.partner"]
        for typed in (
            "8 (912) 000-11-22",
            "+7 912 000 11 22",
            "89120001122",
            "9120001122",
        ):
            self.assertEqual(Partner._lp_find_by_phone(typed), partner, typed)

    def test_phone_other_countries(self):
        Partner = self.env["res.partner"]
        cases = {
            "base.ua": ("067 123 4567", "+380671234567"),
            "base.kz": ("8 701 123 4567", "+77011234567"),
            "base.by": ("8 029 123-45-67", "+375291234567"),
        }
        for xmlid, (typed, e164) in cases.items():
            country = self.env.ref(xmlid)
            self.assertEqual(Partner._lp_normalize_phone(typed, country), e164, xmlid)

    def test_bad_phone_is_refused_clearly(self):
        with self.assertRaisesRegex(UserError, "not a valid phone number"):
            self.env["res.partner"]._lp_normalize_phone("12")

    def test_consent_audit_trail(self):
        partner = self.env["res.partner"].create(
            {"name": "Consenting", "lp_consent_email": True}
        )
        self.assertEqual(partner.lp_consent_event_ids.mapped("channel"), ["email"])
        partner.with_context(lp_consent_source="pos").write(
            {"lp_consent_sms": True, "lp_consent_email": True}
        )
        events = partner.lp_consent_event_ids.sorted("id")
        self.assertEqual(len(events), 2, "unchanged email consent is not logged again")
        self.assertEqual(
            (events[-1].channel, events[-1].granted, events[-1].source),
            ("sms", True, "pos"),
        )
        partner.lp_consent_sms = False
        last = partner.lp_consent_event_ids.sorted("id")[-1]
        self.assertEqual(
            (last.channel, last.granted, last.user_id), ("sms", False, self.env.user)
        )

    def test_birthday_parts(self):
        self.partner.lp_birthday = "1990-02-28"
        self.assertEqual(
            (self.partner.lp_birthday_month, self.partner.lp_birthday_day), (2, 28)
        )

    def test_partner_summary(self):
        self.credit(self.member, 42)
        self.assertEqual(self.partner.lp_balance, 42.0)
        self.assertEqual(self.partner.lp_tier_id, self.tier_base)
        self.assertEqual(self.partner.lp_member_count, 1)

    def test_merge_partners_merges_memberships(self):
        other = self.env["res.partner"].create({"name": "Anna I. (duplicate)"})
        other_member = self.env["lp.member"].create(
            {"partner_id": other.id, "program_id": self.program.id}
        )
        card = self.env["lp.card"].create({"program_id": self.program.id})
        card._assign(other_member)
        self.credit(self.member, 10, key="a")
        moved = self.credit(other_member, 25, key="b")
        other_member._earn(1000.0, source_key="c")
        entries_before = self.env["lp.ledger"].search_count([])
        wizard = self.env["base.partner.merge.automatic.wizard"].create({})
        wizard._merge((self.partner | other).ids, self.partner)
        self.assertFalse(other.exists())
        self.assertFalse(other_member.exists())
        self.assertEqual(self.env["lp.ledger"].search_count([]), entries_before)
        self.assertEqual(moved.member_id, self.member)
        self.assertEqual(card.member_id, self.member)
        # 10 + 25 and the duplicate's welcome bonus.
        self.assertEqual(self.member.balance, 135.0)
        self.assertEqual(self.member.pending, 50.0)
        self.assertEqual(self.member.window_spend, 1000.0)
        self.assertConsistent(self.member)
