import json

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_sale import LoyaltySaleCase
from .offer_common import OfferMixin


@tagged("post_install", "-at_install")
class TestOfferSale(OfferMixin, LoyaltySaleCase):
    """Offers on sales orders: points posted on confirmation, money
    discounts laid on the quotation and checked again on confirmation,
    reversed by a cancellation and, for the goods refunded, a credit note."""

    def offer_entries(self, order):
        return (
            self.env["lp.ledger"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "sale.order"),
                    ("res_id", "=", order.id),
                    ("kind", "=", "offer"),
                ]
            )
        )

    def test_multiplied_points_on_confirmation(self):
        offer = self.make_offer([(self.member, {"product_id": self.product10.id})])
        order = self.make_order([(self.product10, 2), (self.product20, 1)])
        order.action_confirm()
        # 460 paid earns 23; the kettles (220) earned 11, doubled: +11.
        entry = self.offer_entries(order)
        self.assertEqual(entry.amount, 11.0)
        row = self.rows(offer)
        self.assertEqual(entry.source_key, f"sale.order:{order.id}:offer:{row.id}")
        summary = json.loads(order.sudo().lp_offer_summary)
        self.assertEqual(summary[0]["label"], "x2 points on Kettle")
        self.assertEqual(order.lp_offers_text, "x2 points on Kettle: +11 points")
        # Cancelled: the offer points go with the earn.
        order.with_user(self.salesman)._action_cancel()
        reversal = entry.reversal_ids
        self.assertEqual(reversal.amount, -11.0)

    def test_discount_laid_on_the_quotation_and_checked(self):
        offer = self.make_offer(
            [(self.member, {"product_id": self.product10.id})],
            reward_type="discount",
            reward_value=10.0,
        )
        order = self.make_order([(self.product10, 2), (self.product20, 1)])
        order.action_lp_apply_offers()
        line = order.order_line.filtered("lp_offer_ref")
        # 10% of the kettles' 220 (tax included), on their 10% tax.
        self.assertAlmostEqual(line.price_total, -22.0)
        self.assertEqual(line.tax_ids, self.tax10)
        self.assertAlmostEqual(order.amount_total, 438.0)
        order.action_confirm()
        use = self.env["lp.offer.use"].sudo().search([("res_id", "=", order.id)])
        self.assertEqual((use.discount, use.channel), (22.0, "sale"))
        self.assertEqual(self.rows(offer).state, "used")

    def test_discount_above_the_offer_refuses_confirmation(self):
        self.make_offer(
            [(self.member, {"product_id": self.product10.id})],
            reward_type="discount",
            reward_value=10.0,
        )
        order = self.make_order([(self.product10, 2)])
        order.action_lp_apply_offers()
        line = order.order_line.filtered("lp_offer_ref")
        line.price_unit = -100.0
        with self.assertRaisesRegex(UserError, "offer discounts are above"):
            order.action_confirm()
        order.action_lp_apply_offers()
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_credit_note_takes_back_the_refunded_goods_share(self):
        self.make_offer([(self.member, {"product_id": self.product10.id})])
        order = self.make_order([(self.product10, 2), (self.product20, 1)])
        order.action_confirm()
        entry = self.offer_entries(order)
        invoice = self.invoice(order)
        self.credit_note(invoice, {self.product10: 1, self.product20: 0})
        # One kettle of two: half the offer points.
        self.assertEqual(entry.reversal_ids.amount, -5.5)
