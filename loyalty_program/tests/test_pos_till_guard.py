from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_pos import PosLoyaltyCommon


@tagged("post_install", "-at_install")
class TestPosTillGuard(PosLoyaltyCommon):
    """Every call of the till checks its input and the till's company; the
    card the till scans decides the membership."""

    def setUp(self):
        super().setUp()
        self.gift(100.0)
        self.till = self.env["pos.order"]
        self.uuid = self.create_random_uid()

    def assertNothingReserved(self):
        self.assertEqual(self.member.reserved, 0.0)
        self.assertFalse(self.env["lp.reservation"].sudo().search([]))

    def test_bad_input_is_refused_and_changes_nothing(self):
        goods = self.goods(200.0)
        for points in ("10", None, float("nan"), float("inf"), -5, 1.234, 1e12, True):
            with self.assertRaisesRegex(UserError, "invalid points"):
                self.till.lp_pos_reserve(self.member.id, points, self.uuid, goods)
        for member_id in ("1", None, -3, 1.5, [self.member.id]):
            with self.assertRaisesRegex(UserError, "invalid member"):
                self.till.lp_pos_reserve(member_id, 10, self.uuid, goods)
        with self.assertRaisesRegex(UserError, "no longer exists"):
            self.till.lp_pos_reserve(10**9, 10, self.uuid, goods)
        for order_uuid in (None, 12, "x' OR 1=1", "not-an-order", "a" * 80):
            with self.assertRaisesRegex(UserError, "invalid order id"):
                self.till.lp_pos_reserve(self.member.id, 10, order_uuid, goods)
            with self.assertRaisesRegex(UserError, "invalid order id"):
                self.till.lp_pos_release([order_uuid])
        for lines in ("lines", [{"product_id": self.item.id, "amount": "100"}], [1]):
            with self.assertRaisesRegex(UserError, "invalid order lines"):
                self.till.lp_pos_spend_limit(self.member.id, self.uuid, lines)
        with self.assertRaisesRegex(UserError, "No order"):
            self.till.lp_pos_release("abc")
        for code in (None, 42, "x" * 100):
            with self.assertRaises(UserError):
                self.till.lp_pos_lookup(code)
        with self.assertRaises(UserError):
            self.till.lp_pos_enrol("values")
        self.assertNothingReserved()
        self.assertEqual(self.member.balance, 100.0)

    def test_paid_order_and_other_till_keep_their_points(self):
        self.till.lp_pos_reserve(
            self.member.id, 30, self.uuid, self.goods(100.0), config_id=self.config.id
        )
        # Another till (or a client that says nothing) cannot release them.
        with self.assertRaisesRegex(UserError, "another till"):
            self.till.lp_pos_release([self.uuid])
        self.assertEqual(self.member.reserved, 30.0)
        self.till.lp_pos_release([self.uuid], config_id=self.config.id)
        self.assertEqual(self.member.reserved, 0.0)
        self.till.lp_pos_reserve(self.member.id, 30, self.uuid, self.goods(100.0))
        order = self.sync(
            self.order_data([(self.item, 1), self.points_line(30)], uuid=self.uuid)
        )
        for call in (
            lambda: self.till.lp_pos_release([order.uuid]),
            lambda: self.till.lp_pos_reserve(
                self.member.id, 10, order.uuid, self.goods(100.0)
            ),
        ):
            with self.assertRaisesRegex(UserError, "already paid"):
                call()
        self.assertEqual((self.member.balance, self.member.reserved), (70.0, 0.0))

    def test_member_of_another_company_is_refused(self):
        other = self.env["res.company"].sudo().create({"name": "Other Shop"})
        admin = self.env(su=True)
        program = admin["lp.program"].create(
            {"name": "Other Club", "company_id": other.id}
        )
        self.assertNotEqual(program.card_prefix, self.program.card_prefix)
        partner = admin["res.partner"].create({"name": "Elsewhere"})
        member = admin["lp.member"].create(
            {"partner_id": partner.id, "program_id": program.id}
        )
        card = admin["lp.card.batch"]._generate(program, 1).card_ids
        card._assign(member)
        with self.assertRaisesRegex(UserError, "not used at this till"):
            self.till.lp_pos_lookup(card.number)
        with self.assertRaisesRegex(UserError, "not used at this till"):
            self.till.lp_pos_reserve(member.id, 0, self.uuid, [])
        with self.assertRaisesRegex(UserError, "not used at this till"):
            self.till.lp_pos_spend_limit(member.id, self.uuid, [])
        partner.sudo().company_id = other
        with self.assertRaisesRegex(UserError, "another company"):
            self.till.lp_pos_member_for_partner(partner.id)

    def test_card_decides_the_membership_and_numbers_are_unique(self):
        admin = self.env(su=True)
        second = admin["lp.program"].create(
            {
                "name": "Coffee Club",
                "earn_rate": 20.0,
                "card_length": 10,
                "sequence": 99,
            }
        )
        self.assertEqual(second.card_prefix, "28")
        member2 = admin["lp.member"].create(
            {"partner_id": self.customer.id, "program_id": second.id}
        )
        card2 = admin["lp.card"].create({"program_id": second.id})
        card2._assign(member2)
        self.assertEqual((len(card2.number), card2.number[:2]), (10, "28"))
        info = self.till.lp_pos_lookup(card2.number)
        self.assertEqual(info["member_id"], member2.id)
        # The order rung up with that card earns in the second program.
        data = self.order_data([(self.item, 1)])
        data["lp_till_member_id"] = member2.id
        order = self.sync(data)
        self.assertEqual(order.lp_member_id, member2)
        self.assertEqual(order.lp_points_earned, 20.0)
        self.assertEqual(self.member.pending, 0.0)
        # A number of the first program cannot be reused by the second.
        card1 = admin["lp.card.batch"]._generate(self.program, 1).card_ids
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            admin["lp.card"].create({"program_id": second.id, "number": card1.number})
        # An archived program's cards are refused at the scan.
        second.active = False
        with self.assertRaisesRegex(UserError, "not used at this till"):
            self.till.lp_pos_lookup(card2.number)

    def test_typed_number_is_tried_as_card_and_phone(self):
        self.env.company.sudo().country_id = self.env.ref("base.ru")
        self.customer.write({"phone": "+380671234567"})
        info = self.till.lp_pos_lookup("380 67 123 45 67")
        self.assertEqual(info["member_id"], self.member.id)
        other = self.env["res.partner"].create(
            {"name": "Phone Seven", "phone": "+79123456789"}
        )
        member = self.env(su=True)["lp.member"].create(
            {"partner_id": other.id, "program_id": self.program.id}
        )
        info = self.till.lp_pos_lookup("7 912 345 67 89")
        self.assertEqual(info["member_id"], member.id)
        with self.assertRaisesRegex(UserError, "No loyalty card has the number"):
            self.till.lp_pos_lookup("2700000099995")

    def test_unknown_order_is_refused(self):
        """A well-formed uuid of an order the server never heard of (no
        order, no points held for it) cannot release anything: the till is
        told, and nothing changes. Reserving points for a new order, which
        the server does not know yet, stays the till's normal first call."""
        unknown = self.create_random_uid()
        with self.assertRaisesRegex(UserError, "does not know this order"):
            self.till.lp_pos_release([unknown], config_id=self.config.id)
        with self.assertRaisesRegex(UserError, "does not know this order"):
            self.till.lp_pos_reserve(self.member.id, 0, unknown, [])
        # One unknown order among known ones: nothing is released.
        self.till.lp_pos_reserve(
            self.member.id, 30, self.uuid, self.goods(100.0), config_id=self.config.id
        )
        with self.assertRaisesRegex(UserError, "does not know this order"):
            self.till.lp_pos_release([self.uuid, unknown], config_id=self.config.id)
        self.assertEqual((self.member.balance, self.member.reserved), (100.0, 30.0))
        # The new order reserves, then lets go of its points.
        self.till.lp_pos_reserve(self.member.id, 20, unknown, self.goods(100.0))
        self.till.lp_pos_reserve(self.member.id, 0, unknown, [])
        self.till.lp_pos_release([self.uuid], config_id=self.config.id)
        self.assertEqual(self.member.reserved, 0.0)
        # Released once, it is known: letting go again changes nothing.
        self.till.lp_pos_release([self.uuid], config_id=self.config.id)
        self.assertEqual(self.member.balance, 100.0)
