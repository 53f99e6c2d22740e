from odoo import Command
from odoo.tests import tagged

from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon


@tagged("post_install", "-at_install")
class TestOfferTour(TestPointOfSaleHttpCommon):
    """The till in a real browser with offers: the panel lists the member's
    offers, the money discount is laid by itself, the receipt shows the
    offer's points; the server's figures afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin = cls.env(su=True)
        company = cls.main_pos_config.company_id
        company.country_id = cls.env.ref("base.ru")
        admin["lp.program"].search([]).active = False
        cls.program = admin["lp.program"].create(
            {
                "name": "Offer Club",
                "company_id": company.id,
                "earn_rate": 10.0,
                "hold_days": 14,
                "card_prefix": "27",
            }
        )
        tax = admin["account.tax"].create(
            {
                "name": "LP VAT 10",
                "amount": 10,
                "amount_type": "percent",
                "price_include_override": "tax_included",
                "company_id": company.id,
            }
        )
        Product = admin["product.product"]
        cls.tea, cls.coffee = (
            Product.create(
                {
                    "name": name,
                    "list_price": 100,
                    "available_in_pos": True,
                    "taxes_id": [Command.set(tax.ids)],
                }
            )
            for name in ("LP Tea", "LP Coffee")
        )
        partner = admin["res.partner"].create(
            {"name": "Olga Offerova", "phone": "+79125550033"}
        )
        cls.member = admin["lp.member"]._enrol(partner, cls.program, welcome=False)
        Offer = admin["lp.offer"]
        cls.double, cls.discount = Offer.create(
            [
                {
                    "name": "Coffee x2",
                    "program_id": cls.program.id,
                    "audience": "personal",
                    "reward_type": "multiply",
                    "reward_value": 2.0,
                    "control_percent": 0.0,
                    "state": "running",
                },
                {
                    "name": "Tea -10%",
                    "program_id": cls.program.id,
                    "audience": "personal",
                    "reward_type": "discount",
                    "reward_value": 10.0,
                    "control_percent": 0.0,
                    "state": "running",
                },
            ]
        )
        admin["lp.offer.member"].create(
            [
                {
                    "offer_id": cls.double.id,
                    "member_id": cls.member.id,
                    "product_id": cls.coffee.id,
                },
                {
                    "offer_id": cls.discount.id,
                    "member_id": cls.member.id,
                    "product_id": cls.tea.id,
                },
            ]
        )

    def test_offer_at_the_till(self):
        self.main_pos_config.with_user(self.pos_user).open_ui()
        self.start_pos_tour("lp_pos_offer_receipt")
        order = self.env["pos.order"].search(
            [("session_id", "=", self.main_pos_config.current_session_id.id)]
        )
        self.assertEqual(order.partner_id, self.member.partner_id)
        self.assertAlmostEqual(order.amount_total, 190.0)
        self.assertEqual(order.lp_offer_points, 10.0)
        self.assertEqual(order.lp_points_earned, 19.0)
        uses = self.env["lp.offer.use"].sudo().search([("res_id", "=", order.id)])
        self.assertEqual(
            sorted(uses.mapped(lambda u: (u.offer_id.name, u.points, u.discount))),
            [("Coffee x2", 10.0, 0.0), ("Tea -10%", 0.0, 10.0)],
        )
        discount = order.lines.filtered("lp_offer_ref")
        self.assertEqual(discount.tax_ids.amount, 10.0)
        self.assertFalse(
            self.env["lp.pos.exception"].sudo().search([("order_id", "=", order.id)])
        )
