from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_pos import PosLoyaltyCommon


@tagged("post_install", "-at_install")
class TestPosTill(PosLoyaltyCommon):
    """The calls the till makes: start-up data, spend limits, reservations
    of open orders, enrolment."""

    def test_load_data_has_program_and_tiers_never_members(self):
        data = self.pos_session.load_data([])
        self.assertIn(self.program.id, [p["id"] for p in data["lp.program"]])
        self.assertIn("Base", [t["name"] for t in data["lp.tier"]])
        self.assertNotIn("lp.member", data)
        self.assertNotIn("lp.card", data)
        points_product = self.points_product
        self.assertEqual(
            data["pos.config"][0]["_lp_points_product_id"], points_product.id
        )
        self.assertIn(points_product.id, [p["id"] for p in data["product.product"]])

    def test_spend_limit_leaves_out_excluded_products_and_other_orders(self):
        self.program.sudo().spend_excluded_product_ids = self.excluded
        self.env["lp.ledger"]._post(
            [{"member_id": self.member.id, "kind": "gift", "amount": 500.0}]
        )
        lines = [
            {"product_id": self.item.id, "amount": 100.0},
            {"product_id": self.excluded.id, "amount": 300.0},
        ]
        # 50% of 400 is 200, but only the 100 of tea may be paid with points.
        a, b = self.create_random_uid(), self.create_random_uid()
        info = self.env["pos.order"].lp_pos_spend_limit(self.member.id, a, lines)
        self.assertEqual(info["max_points"], 100.0)
        # Another till holds 450: 50 are left for this one.
        self.env["pos.order"].lp_pos_reserve(self.member.id, 450, b, self.goods(1000.0))
        info = self.env["pos.order"].lp_pos_spend_limit(self.member.id, a, lines)
        self.assertEqual(info["max_points"], 50.0)
        with self.assertRaisesRegex(UserError, "50.0 points free to spend"):
            self.env["pos.order"].lp_pos_reserve(self.member.id, 60, a, lines)

    def test_clamp_shrinks_reservation_when_order_shrinks(self):
        self.env["lp.ledger"]._post(
            [{"member_id": self.member.id, "kind": "gift", "amount": 500.0}]
        )
        till = self.env["pos.order"]
        c = self.create_random_uid()
        till.lp_pos_reserve(self.member.id, 100, c, self.goods(200.0))
        info = till.lp_pos_reserve(
            self.member.id, 100, c, self.goods(120.0), clamp=True
        )
        self.assertEqual(info["order_points"], 60.0)
        self.assertEqual(self.member.reserved, 60.0)

    def test_release_of_cancelled_or_emptied_orders(self):
        self.env["lp.ledger"]._post(
            [{"member_id": self.member.id, "kind": "gift", "amount": 100.0}]
        )
        uuid = self.create_random_uid()
        self.env["pos.order"].lp_pos_reserve(
            self.member.id, 40, uuid, self.goods(100.0)
        )
        self.assertEqual(self.member.reserved, 40.0)
        self.env["pos.order"].lp_pos_release([uuid])
        self.assertEqual(self.member.reserved, 0.0)
        # A draft order synced to the server and cancelled there.
        data = self.order_data([(self.item, 1)])
        data.update(state="draft", payment_ids=[])
        self.env["pos.order"].lp_pos_reserve(
            self.member.id, 30, data["uuid"], self.goods(100.0)
        )
        order = self.sync(data)
        self.assertEqual(order.state, "draft")
        self.assertEqual(self.member.reserved, 30.0)
        order.action_pos_order_cancel()
        self.assertEqual(self.member.reserved, 0.0)
        self.assertEqual(self.member.balance, 100.0)

    def test_member_for_partner(self):
        info = self.env["pos.order"].lp_pos_member_for_partner(self.customer.id)
        self.assertEqual(info["member_id"], self.member.id)
        stranger = self.env["res.partner"].create({"name": "Walk-in"})
        self.assertFalse(self.env["pos.order"].lp_pos_member_for_partner(stranger.id))

    def test_enrol_with_printed_card_welcome_spendable_at_once(self):
        self.env.company.sudo().country_id = self.env.ref("base.ru")
        self.program.sudo().welcome_points = 50.0
        card = self.env["lp.card.batch"].sudo()._generate(self.program, 1).card_ids
        info = self.env["pos.order"].lp_pos_enrol(
            {
                "name": "Anna Petrova",
                "phone": "8 (912) 000-11-22",
                "birthday": "1990-05-17",
                "card": card.number,
                "consent_sms": True,
                "consent_email": False,
            }
        )
        member = self.env["lp.member"].browse(info["member_id"])
        self.assertEqual(member.enrol_source, "pos")
        self.assertEqual(member.partner_id.lp_phone_e164, "+79120001122")
        self.assertEqual(str(member.partner_id.lp_birthday), "1990-05-17")
        self.assertEqual(card.state, "active")
        self.assertEqual(card.member_id, member)
        self.assertEqual(info["balance"], 50.0)
        consent = (
            self.env["lp.consent.event"]
            .sudo()
            .search([("partner_id", "=", member.partner_id.id)])
        )
        self.assertEqual(consent.mapped("source"), ["pos"])
        self.assertEqual(consent.mapped("channel"), ["sms"])
        # The welcome bonus pays for part of this very order.
        uuid = self.create_random_uid()
        self.env["pos.order"].lp_pos_reserve(member.id, 50, uuid, self.goods(100.0))
        order = self.sync(
            self.order_data(
                [(self.item, 1), self.points_line(50)],
                uuid=uuid,
                customer=member.partner_id,
            )
        )
        self.assertEqual(order.lp_points_spent, 50.0)
        self.assertEqual(member.balance, 0.0)
        self.assertTrue(order.lp_card_masked.endswith(card.number[-4:]))

    def test_enrol_virtual_card_and_clear_refusals(self):
        self.env.company.sudo().country_id = self.env.ref("base.ru")
        till = self.env["pos.order"]
        info = till.lp_pos_enrol({"name": "Ivan", "phone": "+7 912 333 44 55"})
        self.assertTrue(info["new_card_number"].startswith("27"))
        card = (
            self.env["lp.card"]
            .sudo()
            .search([("number", "=", info["new_card_number"])])
        )
        self.assertEqual(card.card_type, "virtual")
        with self.assertRaisesRegex(UserError, "already a member"):
            till.lp_pos_enrol({"name": "Ivan again", "phone": "89123334455"})
        with self.assertRaisesRegex(UserError, "not a valid phone"):
            till.lp_pos_enrol({"name": "Olga", "phone": "12"})
        with self.assertRaisesRegex(UserError, "name"):
            till.lp_pos_enrol({"name": " ", "phone": "+7 912 333 44 66"})
        used = self.env["lp.card.batch"].sudo()._generate(self.program, 1).card_ids
        used._assign(self.member.sudo())
        with self.assertRaisesRegex(UserError, "already in use"):
            till.lp_pos_enrol(
                {"name": "Olga", "phone": "+7 912 333 44 66", "card": used.number}
            )
        with self.assertRaisesRegex(UserError, "future"):
            till.lp_pos_enrol(
                {"name": "Olga", "phone": "+7 912 333 44 66", "birthday": "2999-01-01"}
            )
        # Nothing of the refused attempts was kept.
        self.assertFalse(self.env["res.partner"]._lp_find_by_phone("+79123334466"))

    def test_only_pos_users_call_the_till_methods(self):
        user = (
            self.env["res.users"]
            .sudo()
            .create({"name": "No POS", "login": "nopos", "group_ids": []})
        )
        with self.assertRaises(AccessError):
            self.env["pos.order"].with_user(user).lp_pos_lookup("2700000000014")
