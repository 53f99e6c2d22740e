from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon


@tagged("post_install", "-at_install")
class TestPosTours(TestPointOfSaleHttpCommon):
    """The till in a real browser: identify, spend, earn, enrol, refund and
    the receipt, with the figures checked on the server afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin = cls.env(su=True)
        company = cls.main_pos_config.company_id
        company.country_id = cls.env.ref("base.ru")
        admin["lp.program"].search([]).active = False
        cls.program = admin["lp.program"].create(
            {
                "name": "Till Club",
                "company_id": company.id,
                "earn_rate": 10.0,
                "spend_cap_percent": 50.0,
                "hold_days": 14,
                "welcome_points": 100.0,
                "card_prefix": "27",
            }
        )
        admin["lp.tier"].create(
            {"name": "Base", "program_id": cls.program.id, "threshold": 0}
        )
        cls.silver = admin["lp.tier"].create(
            {
                "name": "Silver",
                "program_id": cls.program.id,
                "threshold": 100000,
                "discount_percent": 10.0,
            }
        )
        taxes = admin["account.tax"].create(
            [
                {
                    "name": f"LP VAT {rate}",
                    "amount": rate,
                    "amount_type": "percent",
                    "price_include_override": "tax_included",
                    "company_id": company.id,
                }
                for rate in (10, 20)
            ]
        )
        cls.tax10, cls.tax20 = taxes
        Product = admin["product.product"]
        cls.tea = Product.create(cls._lp_product("LP Tea", 100, cls.tax10))
        cls.coffee = Product.create(cls._lp_product("LP Coffee", 100, cls.tax20))
        cls.cigarettes = Product.create(cls._lp_product("LP Cigarettes", 50, None))
        cls.program.spend_excluded_product_ids = cls.cigarettes
        cards = (
            admin["lp.card.batch"]._generate(cls.program, 3).card_ids.sorted("number")
        )
        assert cards.mapped("number") == [
            "2700000000014",
            "2700000000021",
            "2700000000038",
        ]
        cls.maria = cls._lp_member("Maria Ivanova", "+79125550011", cards[0], 200.0)
        cls.maria._set_tier(cls.silver, "manual")
        cls.blocked = cls._lp_member("Boris Blocked", "+79125550099", cards[1], 10.0)
        cards[1].action_block()
        cls.pyotr = cls._lp_member("Pyotr Sidorov", "+79125550022", None, 100.0)
        cls.fresh_card = cards[2]

    @classmethod
    def _lp_product(cls, name, price, tax):
        return {
            "name": name,
            "list_price": price,
            "available_in_pos": True,
            "taxes_id": [Command.set(tax.ids if tax else [])],
        }

    @classmethod
    def _lp_member(cls, name, phone, card, points):
        admin = cls.env(su=True)
        partner = admin["res.partner"].create({"name": name, "phone": phone})
        member = admin["lp.member"]._enrol(
            partner, cls.program, card=card, welcome=False
        )
        admin["lp.ledger"]._post(
            [{"member_id": member.id, "kind": "gift", "amount": points}]
        )
        return member

    def _open_and_run(self, tour):
        self.main_pos_config.with_user(self.pos_user).open_ui()
        self.start_pos_tour(tour)
        return self.env["pos.order"].search(
            [("session_id", "=", self.main_pos_config.current_session_id.id)],
            order="id",
        )

    def _exceptions(self, order):
        return self.env["lp.pos.exception"].sudo().search([("order_id", "=", order.id)])

    def _assert_consistent(self, *members):
        self.assertEqual(
            self.env["lp.ledger"]._check_consistency(
                members and [m.id for m in members]
            ),
            [],
        )

    def test_scan_spend_receipt_blocked_card(self):
        orders = self._open_and_run("lp_pos_scan_spend_receipt")
        paid, walk_in = orders
        self.assertEqual(paid.partner_id, self.maria.partner_id)
        self.assertEqual(paid.lp_points_spent, 60.0)
        self.assertEqual(paid.lp_points_earned, 14.0)
        points_lines = paid.lines.filtered(
            lambda line: (
                line.product_id
                == self.env.ref("loyalty_program.product_lp_points_discount")
            )
        )
        # One discount line per tax group, 30 each: taxes stay right.
        self.assertEqual(
            sorted(
                points_lines.mapped(
                    lambda line: (line.tax_ids.amount, line.price_subtotal_incl)
                )
            ),
            [(10.0, -30.0), (20.0, -30.0)],
        )
        self.assertAlmostEqual(paid.amount_total, 140.0)
        self.assertEqual((self.maria.balance, self.maria.pending), (140.0, 14.0))
        self.assertEqual(self.maria.reserved, 0.0)
        self.assertFalse(walk_in.partner_id)
        self.assertFalse(walk_in.lp_member_id)
        self.assertEqual(self.blocked.balance, 10.0)
        self._assert_consistent(self.maria, self.blocked)

    def test_phone_other_till_offline(self):
        (order,) = self._open_and_run("lp_pos_phone_other_till_offline")
        self.assertEqual(order.partner_id, self.pyotr.partner_id)
        self.assertEqual(order.lp_points_spent, 20.0)
        self.assertEqual(order.lp_points_earned, 18.0)
        # The other till's 80 points are still held for its open order.
        self.assertEqual((self.pyotr.balance, self.pyotr.reserved), (80.0, 80.0))
        self._assert_consistent(self.pyotr)

    def test_enrol_and_spend_welcome_bonus(self):
        (order,) = self._open_and_run("lp_pos_enrol_welcome")
        member = self.env["lp.member"].search([("card_ids", "=", self.fresh_card.id)])
        partner = member.partner_id
        self.assertEqual(partner.name, "Olga Novikova")
        self.assertEqual(partner.lp_phone_e164, "+79127776655")
        self.assertEqual(str(partner.lp_birthday), "1988-03-08")
        self.assertTrue(partner.lp_consent_sms)
        self.assertFalse(partner.lp_consent_email)
        self.assertEqual(member.enrol_source, "pos")
        self.assertEqual(self.fresh_card.state, "active")
        consent = (
            self.env["lp.consent.event"]
            .sudo()
            .search([("partner_id", "=", partner.id)])
        )
        self.assertEqual(consent.mapped("source"), ["pos"])
        self.assertEqual(order.partner_id, partner)
        self.assertEqual(order.lp_points_spent, 100.0)
        self.assertEqual(order.lp_points_earned, 20.0)  # 10% of the 200 paid
        self.assertEqual((member.balance, member.pending), (0.0, 20.0))
        self._assert_consistent(member)

    def test_customer_from_list(self):
        """A customer who is no member costs the till no request (the till
        knows it from the customers it loaded); a member is found and earns."""
        stranger = self.env["res.partner"].create({"name": "Walk-in Stranger"})
        (order,) = self._open_and_run("lp_pos_customer_from_list")
        self.assertNotEqual(order.partner_id, stranger)
        self.assertEqual(order.partner_id, self.pyotr.partner_id)
        self.assertEqual(order.lp_points_earned, 10.0)  # 10% of 100
        self.assertEqual(self.pyotr.pending, 10.0)
        self._assert_consistent(self.pyotr)

    def test_refund_reverses_proportionally(self):
        sale, refund = self._open_and_run("lp_pos_refund")
        # The refund paid back the tea net of its 25 of points.
        self.assertAlmostEqual(refund.amount_total, -75.0)
        self.assertAlmostEqual(refund.amount_paid, -75.0)
        self.assertFalse(self._exceptions(refund))
        self.assertEqual(sale.lp_points_spent, 50.0)
        self.assertEqual(sale.lp_points_earned, 15.0)
        self.assertEqual(refund.lp_points_reversed, 17.5)
        # Half of the goods came back: 25 of the 50 spent are given back,
        # 7.5 of the 15 earned (still held) are taken back.
        self.assertEqual((self.maria.balance, self.maria.pending), (175.0, 7.5))
        self._assert_consistent(self.maria)

    def test_discount_program_applies_tier_discount(self):
        self.program.program_type = "discount"
        (order,) = self._open_and_run("lp_pos_discount_program")
        discounts = {line.product_id.name: line.discount for line in order.lines}
        self.assertEqual(
            discounts, {"LP Tea": 10.0, "LP Coffee": 10.0, "LP Cigarettes": 0.0}
        )
        self.assertAlmostEqual(order.amount_total, 230.0)
        self.assertEqual(order.lp_points_earned, 0.0)

    def test_exchange(self):
        sale, exchange = self._open_and_run("lp_pos_exchange")
        self.assertEqual(sale.lp_points_spent, 50.0)
        # -100 + 25 kept back for the tea, +100 - 50 in points for the coffee.
        self.assertAlmostEqual(exchange.amount_total, -25.0)
        self.assertAlmostEqual(exchange.amount_paid, -25.0)
        self.assertEqual(exchange.lp_points_spent, 50.0)
        self.assertEqual(exchange.lp_points_earned, 5.0)  # 10% of 100 - 50
        # 200 - 50 + 25 given back - 50; 15 - 7.5 + 5 held.
        self.assertEqual((self.maria.balance, self.maria.pending), (125.0, 12.5))
        self.assertFalse(self._exceptions(exchange))
        self._assert_consistent(self.maria)

    def test_order_synced_after_its_reservation_was_released(self):
        (order,) = self._open_and_run("lp_pos_released_reservation")
        self.assertEqual(order.state, "paid")
        self.assertAlmostEqual(order.amount_total, 140.0)
        self.assertEqual(order.lp_points_spent, 20.0)
        # 200 - 20; the other till's 180 are still held.
        self.assertEqual((self.maria.balance, self.maria.reserved), (180.0, 180.0))
        exception = self._exceptions(order)
        self.assertEqual(
            (exception.reason, exception.points_missing, exception.amount),
            ("released", 40.0, 40.0),
        )
        manager = new_test_user(
            self.env,
            login="lp_tour_manager",
            groups="base.group_user,loyalty_program.group_lp_manager",
        )
        self.start_tour(
            "/odoo/action-loyalty_program.action_lp_pos_exception",
            "lp_pos_exception_manager",
            login=manager.login,
        )
        exception.invalidate_recordset()
        self.assertEqual((exception.state, exception.resolution), ("settled", "loss"))
        self.assertEqual(exception.settled_by_id, manager)
        self._assert_consistent(self.maria)
