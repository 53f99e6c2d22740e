from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_pos import PosLoyaltyCommon


@tagged("post_install", "-at_install")
class TestPosOrderLoyalty(PosLoyaltyCommon):
    """Earning, spending and refunds of POS orders, through the real sync
    path of the till (``sync_from_ui``)."""

    def test_earn_on_payment_excluding_excluded_products(self):
        order = self.sync(self.order_data([(self.item, 2), (self.excluded, 1)]))
        self.assertEqual(order.state, "paid")
        # 10% of the 200 of tea; the tobacco earns nothing.
        self.assertEqual(order.lp_points_earned, 20.0)
        self.assertEqual(order.lp_member_id, self.member)
        self.assertEqual(self.member.pending, 20.0)
        self.assertEqual(self.member.balance, 0.0)
        # The tier counts what earns: the tobacco neither earns nor counts.
        self.assertEqual(self.member.window_spend, 200.0)

    def test_order_synced_twice_posts_once(self):
        data = self.order_data([(self.item, 1)])
        self.sync(data)
        self.sync(data)
        earns = self.member.ledger_ids.filtered(lambda e: e.kind == "earn")
        self.assertEqual(len(earns), 1)
        self.assertEqual(self.member.pending, 10.0)

    def test_no_member_no_posting(self):
        stranger = self.env["res.partner"].create({"name": "Stranger"})
        order = self.sync(self.order_data([(self.item, 1)], customer=stranger))
        self.assertFalse(order.lp_member_id)
        self.assertFalse(
            self.env["lp.ledger"].search(
                [("res_id", "=", order.id), ("res_model", "=", "pos.order")]
            )
        )

    def test_spend_reserved_then_consumed_and_earn_net_of_discount(self):
        self.env["lp.ledger"]._post(
            [{"member_id": self.member.id, "kind": "gift", "amount": 80.0}]
        )
        uuid = self.create_random_uid()
        info = self.env["pos.order"].lp_pos_reserve(
            self.member.id, 40, uuid, self.goods(200.0)
        )
        self.assertEqual(info["reserved"], 40.0)
        # The cap: the smallest of the balance (80) and 50% of the order.
        with self.assertRaisesRegex(UserError, "At most 80.0 points"):
            self.env["pos.order"].lp_pos_reserve(
                self.member.id, 81, uuid, self.goods(200.0)
            )
        with self.assertRaisesRegex(UserError, "At most 50.0 points"):
            self.env["pos.order"].lp_pos_reserve(
                self.member.id, 51, uuid, self.goods(100.0)
            )
        order = self.sync(
            self.order_data([(self.item, 2), self.points_line(40)], uuid=uuid)
        )
        self.assertEqual(order.lp_points_spent, 40.0)
        # Earned on 200 - 40 = 160 actually paid.
        self.assertEqual(order.lp_points_earned, 16.0)
        self.assertEqual(self.member.balance, 40.0)
        self.assertEqual(self.member.reserved, 0.0)
        self.assertEqual(order.lp_balance_after, 40.0)

    def test_paid_without_member_releases_reservation(self):
        self.env["lp.ledger"]._post(
            [{"member_id": self.member.id, "kind": "gift", "amount": 80.0}]
        )
        uuid = self.create_random_uid()
        self.env["pos.order"].lp_pos_reserve(
            self.member.id, 30, uuid, self.goods(100.0)
        )
        stranger = self.env["res.partner"].create({"name": "Other"})
        self.sync(self.order_data([(self.item, 1)], uuid=uuid, customer=stranger))
        self.assertEqual(self.member.reserved, 0.0)
        self.assertEqual(self.member.balance, 80.0)

    def test_partial_refund_reverses_proportionally_once(self):
        self.env["lp.ledger"]._post(
            [{"member_id": self.member.id, "kind": "gift", "amount": 100.0}]
        )
        uuid = self.create_random_uid()
        self.env["pos.order"].lp_pos_reserve(
            self.member.id, 50, uuid, self.goods(400.0)
        )
        order = self.sync(
            self.order_data([(self.item, 4), self.points_line(50)], uuid=uuid)
        )
        self.assertEqual(order.lp_points_earned, 35.0)  # 10% of 350
        self.assertEqual(self.member.balance, 50.0)
        tea_line = order.lines.filtered(lambda line: line.product_id == self.item)
        # The refund keeps back the tea's share of the points (12.5) in money.
        refund = self.order_data(
            [
                {
                    "product": self.item,
                    "quantity": -1,
                    "refunded_orderline_id": tea_line.id,
                },
                self.share_line(12.5),
            ]
        )
        refund_order = self.sync(refund)
        self.sync(refund)  # re-sent: nothing more
        self.assertAlmostEqual(refund_order.amount_total, -87.5)
        # A quarter of the goods came back: a quarter of the spend is given
        # back (12.5) and a quarter of the earn taken back (8.75, still held).
        self.assertAlmostEqual(self.member.balance, 62.5)
        self.assertAlmostEqual(self.member.pending, 26.25)
        self.assertAlmostEqual(refund_order.lp_points_reversed, 12.5 - 8.75)
        reversals = self.member.ledger_ids.filtered(lambda e: e.kind == "reversal")
        self.assertEqual(len(reversals), 2)
        self.assertEqual(self.env["lp.ledger"]._check_consistency([self.member.id]), [])

    def test_lookup_by_card_and_phone(self):
        self.env.company.sudo().country_id = self.env.ref("base.ru")
        self.customer.write(
            {"phone": "+7 912 555 00 11", "country_id": self.env.ref("base.ru").id}
        )
        card = self.env["lp.card.batch"].sudo()._generate(self.program, 1).card_ids
        card._assign(self.member)
        by_card = self.env["pos.order"].lp_pos_lookup(card.number)
        self.assertEqual(by_card["member_id"], self.member.id)
        self.assertTrue(by_card["card"].endswith(card.number[-4:]))
        by_phone = self.env["pos.order"].lp_pos_lookup("8 (912) 555-00-11")
        self.assertEqual(by_phone["partner_id"], self.customer.id)
        card.action_block()  # card is sudo: a loyalty user's action
        with self.assertRaisesRegex(UserError, "blocked"):
            self.env["pos.order"].lp_pos_lookup(card.number)
        with self.assertRaisesRegex(UserError, "not a valid card number"):
            self.env["pos.order"].lp_pos_lookup(
                card.number[:-1] + str((int(card.number[-1]) + 1) % 10)
            )

    def test_spend_follows_the_points_lines_of_the_paid_order(self):
        """Points lines removed while the till was offline (it could not
        release the reservation) are not spent; a smaller discount spends
        only its worth."""
        self.env["lp.ledger"]._post(
            [{"member_id": self.member.id, "kind": "gift", "amount": 80.0}]
        )
        till = self.env["pos.order"]
        uuid = self.create_random_uid()
        till.lp_pos_reserve(self.member.id, 40, uuid, self.goods(200.0))
        order = self.sync(
            self.order_data([(self.item, 2), self.points_line(25)], uuid=uuid)
        )
        self.assertEqual(order.lp_points_spent, 25.0)
        self.assertEqual((self.member.balance, self.member.reserved), (55.0, 0.0))
        uuid = self.create_random_uid()
        till.lp_pos_reserve(self.member.id, 30, uuid, self.goods(100.0))
        order = self.sync(self.order_data([(self.item, 1)], uuid=uuid))
        self.assertEqual(order.lp_points_spent, 0.0)
        self.assertEqual((self.member.balance, self.member.reserved), (55.0, 0.0))
        self.assertEqual(self.env["lp.ledger"]._check_consistency([self.member.id]), [])
