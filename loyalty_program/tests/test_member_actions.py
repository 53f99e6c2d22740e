from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestMemberActions(LoyaltyCase):
    """Who holds a membership, its state and its cards change only through
    the actions, each checking the group and logged on the chatter; direct
    writes by RPC are refused, as the Loyalty User who would try them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.partner"].create({"name": "Boris Smirnov"})
        cls.cashier = new_test_user(
            cls.env,
            login="lp_actions_cashier",
            groups="base.group_user,point_of_sale.group_pos_user",
        )

    def setUp(self):
        super().setUp()
        self.credit(self.member, 120, key="start")
        Card = self.env["lp.card"]
        self.card = Card.create({"program_id": self.program.id})
        self.card._assign(self.member)
        self.lost = Card.create({"program_id": self.program.id})
        self.lost._assign(self.member)
        self.lost._replace_with(reason="lost")
        self.lost_new = self.lost.replaced_by_id

    def messages(self, member):
        return " ".join(member.message_ids.mapped("body"))

    def test_user_cannot_hand_the_membership_to_someone_else(self):
        member = self.member.with_user(self.user)
        for vals in (
            {"partner_id": self.other.id},
            {"state": "closed"},
            {"state": "blocked"},
            {"enrol_phone": "+79120000000"},
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(UserError, "only through its actions"),
            ):
                member.write(vals)
        self.assertEqual(self.member.partner_id, self.partner)
        self.assertEqual(self.member.state, "active")
        self.assertEqual(self.partner.lp_balance, 120.0)
        self.assertEqual(self.other.lp_balance, 0.0)

    def test_user_cannot_rewrite_a_card(self):
        stranger = self.env["lp.member"].create(
            {"partner_id": self.other.id, "program_id": self.program.id}
        )
        for card, vals in (
            (self.card, {"member_id": stranger.id}),
            (self.card, {"number": "2700000000017"}),
            (self.lost, {"state": "active"}),
            (self.card, {"state": "lost"}),
            (self.card, {"activation_date": False}),
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(UserError, "change only through its actions"),
            ):
                card.with_user(self.user).write(vals)
        # Created straight into a state it may not start in.
        with self.assertRaisesRegex(UserError, "change only through its actions"):
            self.env["lp.card"].with_user(self.user).create(
                {"program_id": self.program.id, "state": "active"}
            )
        self.assertEqual(self.lost.state, "lost")
        self.assertEqual(self.card.member_id, self.member)
        with self.assertRaisesRegex(UserError, "reported lost"):
            self.lost._check_usable()
        # The cashier cannot even try.
        with self.assertRaises(AccessError):
            self.card.with_user(self.cashier).write({"block_reason": "x"})

    def test_user_cannot_create_a_card_active_for_a_member(self):
        """A card goes to a member only through the card actions (hand a
        printed card over, replace a card), which check and log it: not by
        creating it with its holder already set."""
        Card = self.env["lp.card"].with_user(self.user)
        cards = self.member.card_ids
        for vals in (
            {"member_id": self.member.id},
            {"member_id": self.member.id, "card_type": "virtual"},
            {"member_id": self.member.id, "number": "2700000000017"},
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(UserError, "change only through its actions"),
            ):
                Card.create({"program_id": self.program.id, **vals})
        self.assertEqual(self.member.card_ids, cards)
        # "New" in the member's card list makes a card not handed out yet.
        context = self.member.with_user(self.user).action_view_cards()["context"]
        card = Card.with_context(**context).create({"program_id": self.program.id})
        self.assertEqual(card.state, "issued")
        self.assertFalse(card.member_id)

    def test_close_is_for_managers(self):
        member = self.member.with_user(self.user)
        with self.assertRaises(AccessError):
            member.action_close()
        with self.assertRaises(AccessError):
            self.member.with_user(self.cashier).action_close()
        as_manager = self.member.with_user(self.manager)
        with self.assertRaisesRegex(UserError, "still has points"):
            as_manager.action_close()
        as_manager._adjust(-120, "closing the account")
        as_manager.action_close()
        self.assertEqual(self.member.state, "closed")
        self.assertEqual(self.card.state, "blocked")
        self.assertIn("Membership closed by", self.messages(self.member))
        with self.assertRaisesRegex(UserError, "closed membership"):
            self.card.with_user(self.user).action_unblock()

    def test_unblock_reactivates_the_cards_the_block_switched_off(self):
        own_block = self.env["lp.card"].create({"program_id": self.program.id})
        own_block._assign(self.member)
        own_block.with_user(self.user).action_block()
        with self.assertRaises(AccessError):
            self.member.with_user(self.cashier).action_block()
        self.member.with_user(self.user).action_block()
        self.assertEqual(self.member.state, "blocked")
        self.assertEqual(
            (self.card | self.lost_new).mapped("state"), ["blocked", "blocked"]
        )
        with self.assertRaisesRegex(UserError, "blocked"):
            self.env["lp.card"]._lookup(self.card.number)._check_usable()
        self.member.with_user(self.user).action_unblock()
        self.assertEqual(self.member.state, "active")
        self.assertEqual(self.card.state, "active")
        self.assertEqual(self.lost_new.state, "active")
        self.assertEqual(self.lost.state, "lost")  # not brought back
        self.assertEqual(own_block.state, "blocked")  # blocked on its own
        self.env["lp.card"]._lookup(self.card.number)._check_usable()
        log = self.messages(self.member)
        self.assertIn("Membership blocked by", log)
        self.assertIn("Membership unblocked by", log)
        self.assertEqual(self.member.balance, 120.0)

    def test_transfer_to_another_customer_with_a_reason(self):
        Wizard = self.env["lp.member.transfer.wizard"]
        with self.assertRaises(AccessError):
            Wizard.with_user(self.user).create(
                {
                    "member_id": self.member.id,
                    "partner_id": self.other.id,
                    "reason": "x",
                }
            )
        with self.assertRaises(AccessError):
            self.member.with_user(self.user)._transfer_to(self.other, "x")
        with self.assertRaises(AccessError):
            self.member.with_user(self.user).action_open_transfer()
        wizard = Wizard.with_user(self.manager).create(
            {
                "member_id": self.member.id,
                "partner_id": self.other.id,
                "reason": "   ",
            }
        )
        with self.assertRaisesRegex(UserError, "needs a reason"):
            wizard.action_transfer()
        wizard.reason = "Opened under her husband's name"
        wizard.action_transfer()
        self.assertEqual(self.member.partner_id, self.other)
        self.assertEqual(self.member.balance, 120.0)
        self.assertEqual(self.other.lp_balance, 120.0)
        self.assertEqual(self.partner.lp_balance, 0.0)
        self.assertEqual(set(self.member.ledger_ids.mapped("partner_id")), {self.other})
        self.assertEqual(self.card.partner_id, self.other)
        self.assertIn("husband", self.messages(self.member))
        self.assertConsistent(self.member)
        # Not onto a customer already in the program.
        back = self.env["lp.member"].create(
            {"partner_id": self.partner.id, "program_id": self.program.id}
        )
        with self.assertRaisesRegex(UserError, "merge the two contacts"):
            self.member.with_user(self.manager)._transfer_to(self.partner, "again")
        self.assertEqual(back.partner_id, self.partner)

    def test_printed_card_handed_from_the_back_office_works_at_the_till(self):
        batch = self.env["lp.card.batch"]._generate(self.program, 2)
        printed = batch.card_ids.sorted("number")[0]
        self.assertEqual(printed.state, "issued")
        with self.assertRaisesRegex(UserError, "change only through its actions"):
            printed.with_user(self.user).write({"member_id": self.member.id})
        with self.assertRaises(AccessError):
            self.env["lp.card.assign.wizard"].with_user(self.cashier).create(
                {"member_id": self.member.id, "number": printed.number}
            )
        wizard = (
            self.env["lp.card.assign.wizard"]
            .with_user(self.user)
            .create({"member_id": self.member.id, "number": printed.number})
        )
        wizard.action_assign()
        self.assertEqual(printed.member_id, self.member)
        self.assertEqual(printed.state, "active")
        self.assertTrue(printed.activation_date)
        self.assertIn(printed.number, self.messages(self.member))
        info = (
            self.env["pos.order"].with_user(self.cashier).lp_pos_lookup(printed.number)
        )
        self.assertEqual(info["member_id"], self.member.id)
        self.assertEqual(info["balance"], 120.0)
        # The same card cannot be handed out twice.
        second = (
            self.env["lp.card.assign.wizard"]
            .with_user(self.user)
            .create({"member_id": self.member.id, "card_id": printed.id})
        )
        with self.assertRaisesRegex(UserError, "already in use"):
            second.action_assign()
