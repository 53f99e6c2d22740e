from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common_pos import PosLoyaltyCommon

CHANNELS = ("backend", "import", "till", "page")


@tagged("post_install", "-at_install")
class TestWelcomePerPhone(PosLoyaltyCommon):
    """One welcome bonus per phone, ever, whatever the channels: a phone
    that had the bonus through the back office, an import, the till or the
    join page never gets it again, even once its member changed phone. Each
    channel runs as the person who would use it (a Loyalty User in the back
    office and for imports, the cashier at the till, a visitor's request on
    the page); the rule lives in ``lp.member._welcome``, which every
    enrolment path goes through."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program.sudo().welcome_points = 100.0
        cls.lp_user = new_test_user(
            cls.env,
            login="lp_welcome_user",
            groups="base.group_user,loyalty_program.group_lp_user",
        )
        cls.codes = {}

    def setUp(self):
        super().setUp()
        codes = self.codes
        self.patch(
            type(self.env["lp.join.request"]),
            "_lp_send_sms",
            lambda request, code: codes.__setitem__(request.phone, code),
        )

    def enrol(self, channel, name, phone):
        """Enrol a new customer with ``phone`` through ``channel``: the
        member, or None when the channel refuses the phone (already held by
        a membership)."""
        Member = self.env["lp.member"].with_user(self.lp_user)
        if channel in ("backend", "import"):
            partner = self.env["res.partner"].create({"name": name, "phone": phone})
            if channel == "backend":
                return Member.create(
                    {"partner_id": partner.id, "program_id": self.program.id}
                )
            result = Member.load(
                ["partner_id/.id", "program_id/.id", "enrol_source"],
                [[str(partner.id), str(self.program.id), "import"]],
            )
            self.assertFalse(result["messages"], result["messages"])
            return Member.browse(result["ids"])
        if channel == "till":
            try:
                info = self.env["pos.order"].lp_pos_enrol(
                    {"name": name, "phone": phone, "consent_sms": True}
                )
            except UserError as error:
                self.assertIn("already a member", str(error))
                return None
            return self.env["lp.member"].browse(info["member_id"])
        visitor = self.env["lp.join.request"].with_user(
            self.env.ref("base.public_user")
        )
        request = visitor._lp_send_code(phone, "203.0.113.9", self.program)
        if request.state == "member":
            return None
        self.assertTrue(request._lp_check_code(self.codes[request.phone]))
        return request._lp_join({"name": name})

    def welcomes(self, member):
        return member.sudo().ledger_ids.filtered(lambda e: e.kind == "welcome")

    def test_a_phone_gets_one_welcome_bonus_across_channels(self):
        serial = 0
        for first in CHANNELS:
            for second in CHANNELS:
                serial += 1
                phone = f"+791255{serial:05d}"
                with self.subTest(first=first, second=second):
                    member = self.enrol(first, f"First {serial}", phone)
                    self.assertEqual(member.balance, 100.0)
                    self.assertEqual(len(self.welcomes(member)), 1)
                    # The member moves to a new number; the old one is
                    # given to someone else, who enrols with it.
                    member.partner_id.sudo().phone = f"+791266{serial:05d}"
                    again = self.enrol(second, f"Second {serial}", phone)
                    if again is not None:
                        self.assertNotEqual(again, member)
                        self.assertFalse(self.welcomes(again), (first, second))
                        self.assertEqual(again.balance, 0.0)
                    self.assertEqual(len(self.welcomes(member)), 1)

    def test_the_phones_a_member_had_are_kept(self):
        member = self.enrol("till", "Kept Phones", "+79125500001")
        partner = member.partner_id.sudo()
        partner.phone = "+79125500002"
        partner.phone = "+7 912 550-00-03"
        self.assertEqual(
            member.sudo().phone_ids.mapped("phone"),
            ["+79125500001", "+79125500002", "+79125500003"],
        )
        self.assertTrue(all(member.sudo().phone_ids.mapped("welcome")))
        # Any of them is spent: a new customer with the second one joins at
        # the till without a bonus.
        again = self.enrol("till", "Newcomer", "+79125500002")
        self.assertEqual(again.balance, 0.0)
        self.assertFalse(self.welcomes(again))
        notes = " ".join(again.sudo().message_ids.mapped("body"))
        self.assertIn("+79125500002 had the welcome bonus", notes)

    def test_a_phone_added_later_is_spent_too(self):
        """Enrolled in the back office without a phone (the bonus is paid),
        the customer gives a phone later: that phone is spent."""
        partner = self.env["res.partner"].create({"name": "No Phone Yet"})
        member = (
            self.env["lp.member"]
            .with_user(self.lp_user)
            .create({"partner_id": partner.id, "program_id": self.program.id})
        )
        self.assertEqual(member.balance, 100.0)
        partner.phone = "+79125500009"
        again = self.enrol("backend", "Other Person", "+79125500009")
        self.assertFalse(self.welcomes(again))
