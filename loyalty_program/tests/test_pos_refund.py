from odoo.tests import tagged

from .common_pos import PosLoyaltyCommon


@tagged("post_install", "-at_install")
class TestPosRefund(PosLoyaltyCommon):
    """Refunds and exchanges through ``sync_from_ui``: the customer gets back
    in money what they paid, the points share comes back as points, and all
    refunds of an order together never give back more than was paid."""

    def setUp(self):
        super().setUp()
        self.gift(100.0)
        uuid = self.create_random_uid()
        self.env["pos.order"].lp_pos_reserve(
            self.member.id, 50, uuid, self.goods(200.0)
        )
        # Two teas of 100: 150 in money, 50 in points.
        self.sale = self.sync(
            self.order_data([(self.item, 2), self.points_line(50)], uuid=uuid)
        )
        self.tea = self.sale.lines.filtered(lambda line: line.product_id == self.item)

    def test_sale(self):
        self.assertAlmostEqual(self.sale.amount_total, 150.0)
        self.assertEqual(self.sale.lp_points_spent, 50.0)
        self.assertEqual(self.sale.lp_points_earned, 15.0)
        self.assertEqual((self.member.balance, self.member.pending), (50.0, 15.0))

    def test_partial_refunds_pay_net_and_never_more_than_paid(self):
        refund = self.sync(
            self.order_data([self.refund_line(self.tea), self.share_line(25.0)])
        )
        # One tea of 100 carried 25 of the points: 75 in money, 25 in points,
        # half of the earn (7.5, still held) taken back.
        self.assertAlmostEqual(refund.amount_total, -75.0)
        self.assertAlmostEqual(refund.amount_paid, -75.0)
        self.assertEqual(refund.lp_points_reversed, 17.5)
        self.assertEqual((self.member.balance, self.member.pending), (75.0, 7.5))
        self.assertFalse(self.exceptions(refund))
        second = self.sync(
            self.order_data([self.refund_line(self.tea), self.share_line(25.0)])
        )
        self.assertAlmostEqual(second.amount_total, -75.0)
        self.assertEqual((self.member.balance, self.member.pending), (100.0, 0.0))
        # Everything came back: 150 in money, 50 in points, as paid.
        self.assertAlmostEqual(-(refund.amount_total + second.amount_total), 150.0)
        # The same tea refunded a third time (the server accepts it): nothing
        # more is reversed, the money the till paid is flagged.
        third = self.sync(
            self.order_data([self.refund_line(self.tea), self.share_line(25.0)])
        )
        self.assertEqual(third.state, "paid")
        self.assertEqual(third.lp_points_reversed, 0.0)
        self.assertEqual((self.member.balance, self.member.pending), (100.0, 0.0))
        exception = self.exceptions(third)
        self.assertEqual(exception.mapped("reason"), ["over_refund"])
        self.assertEqual(exception.amount, 100.0)
        # Re-sending a refund posts nothing twice.
        self.sync(self.order_data([self.refund_line(self.tea)], uuid=refund.uuid))
        self.assertEqual((self.member.balance, self.member.pending), (100.0, 0.0))
        self.assertEqual(self.env["lp.ledger"]._check_consistency([self.member.id]), [])

    def test_refund_paying_the_points_share_in_money_gives_no_points(self):
        refund = self.sync(self.order_data([self.refund_line(self.tea)]))
        self.assertAlmostEqual(refund.amount_total, -100.0)
        # The 25 of points went back in money: not as points too.
        self.assertEqual((self.member.balance, self.member.pending), (50.0, 7.5))
        exception = self.exceptions(refund)
        self.assertEqual(exception.reason, "refund_money")
        self.assertEqual(
            (exception.amount, exception.points_wanted, exception.points_posted),
            (25.0, 25.0, 0.0),
        )

    def test_exchange_reverses_returned_share_and_earns_on_new_goods(self):
        coffee = self.create_product("Coffee", self.categ_basic, 100.0)
        uuid = self.create_random_uid()
        self.env["pos.order"].lp_pos_reserve(
            self.member.id,
            20,
            uuid,
            [{"product_id": coffee.id, "amount": 100.0}],
        )
        exchange = self.sync(
            self.order_data(
                [
                    self.refund_line(self.tea),
                    self.share_line(25.0),
                    (coffee, 1),
                    self.points_line(20),
                ],
                uuid=uuid,
            )
        )
        # -100 + 25 back, +100 - 20 new: the customer pays 5.
        self.assertAlmostEqual(exchange.amount_total, 5.0)
        self.assertEqual(exchange.lp_points_spent, 20.0)
        # Earned on the 80 paid for the coffee.
        self.assertEqual(exchange.lp_points_earned, 8.0)
        # 50 + 25 back - 20 spent; 15 - 7.5 + 8 held.
        self.assertEqual((self.member.balance, self.member.pending), (55.0, 15.5))
        self.assertEqual(self.member.reserved, 0.0)
        self.assertFalse(self.exceptions(exchange))
        self.assertEqual(self.env["lp.ledger"]._check_consistency([self.member.id]), [])

    def test_refund_of_excluded_goods_reverses_their_tier_spend_exactly(self):
        """Cigarettes earn but points may not pay for them: returning all of
        them takes back their own price from the tier spend, to the cent,
        however large the order (the earn's share is not rounded first)."""
        cigarettes = self.create_product("Cigarettes", self.categ_basic, 200.0)
        self.program.sudo().spend_excluded_product_ids = cigarettes
        uuid = self.create_random_uid()
        self.env["pos.order"].lp_pos_reserve(
            self.member.id, 50, uuid, self.goods(20000.0)
        )
        before = self.member.window_spend
        sale = self.sync(
            self.order_data(
                [(cigarettes, 150), (self.item, 200), self.points_line(50)], uuid=uuid
            )
        )
        # 30,000 of cigarettes, 20,000 of tea less the 50 of points on it.
        self.assertEqual(self.member.window_spend - before, 49950.0)
        self.assertEqual(sale.lp_points_earned, 4995.0)
        packs = sale.lines.filtered(lambda line: line.product_id == cigarettes)
        refund = self.sync(self.order_data([self.refund_line(packs, 150)]))
        self.assertAlmostEqual(refund.amount_total, -30000.0)
        self.assertEqual(refund.lp_points_reversed, -3000.0)
        self.assertEqual(self.member.window_spend - before, 19950.0)
        reversal = (
            self.env["lp.ledger"]
            .sudo()
            .search([("res_model", "=", "pos.order"), ("res_id", "=", refund.id)])
        )
        self.assertEqual(reversal.base_amount, -30000.0)
        self.assertFalse(self.exceptions(refund))
