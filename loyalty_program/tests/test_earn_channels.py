from odoo import Command
from odoo.tests import new_test_user, tagged

from .common_pos import PosLoyaltyCommon


@tagged("post_install", "-at_install")
class TestEarnSameOnEveryChannel(PosLoyaltyCommon):
    """One rule for what earns and what counts toward the tier: the goods
    that earn, net of the share of the points discount that lies on them
    (the discount lies on the goods points may pay for). The same basket
    earns the same at the till and on a sales order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin_env = cls.env(su=True)
        cls.gift_card = cls.create_product("Gift card", cls.categ_basic, 60.0)
        admin_env["lp.program"].browse(
            cls.program.id
        ).spend_excluded_product_ids = cls.gift_card
        cls.salesman = new_test_user(
            cls.env,
            login="lp_channels_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=cls.env.company.id,
        )

    def basket(self):
        # Tea earns and may be paid with points; tobacco earns nothing;
        # the gift card earns but points cannot pay for it.
        return [(self.item, 2), (self.excluded, 1), (self.gift_card, 1)]

    def till(self, points):
        uuid = self.create_random_uid()
        goods = [
            {"product_id": product.id, "amount": product.lst_price * qty}
            for product, qty in self.basket()
        ]
        lines = self.basket()
        if points:
            self.env["pos.order"].lp_pos_reserve(self.member.id, points, uuid, goods)
            lines = [*lines, self.points_line(points)]
        order = self.sync(self.order_data(lines, uuid=uuid))
        return self.member.ledger_ids.filtered(
            lambda e: (
                e.kind == "earn" and e.res_model == "pos.order" and e.res_id == order.id
            )
        )

    def sales_order(self, points):
        order = (
            self.env["sale.order"]
            .with_user(self.salesman)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": qty}
                        )
                        for product, qty in self.basket()
                    ],
                }
            )
        )
        self.assertEqual(order.amount_total, 310.0)
        if points:
            order._lp_apply_points(points)
        order.action_confirm()
        return self.member.ledger_ids.filtered(
            lambda e: (
                e.kind == "earn"
                and e.res_model == "sale.order"
                and e.res_id == order.id
            )
        )

    def test_same_basket_same_points_and_tier_spend(self):
        self.env["lp.ledger"].sudo()._post(
            [{"member_id": self.member.id, "kind": "gift", "amount": 200.0}]
        )
        at_till = self.till(50.0)
        on_sale = self.sales_order(50.0)
        # 310 of goods, 50 of points on the 250 points may pay for (tea and
        # tobacco): 40 of it on the tea. The tea (200) and the gift card (60)
        # earn: 260 - 40 = 220, 10% = 22 points.
        for entry in (at_till, on_sale):
            self.assertEqual(entry.base_amount, 220.0)
            self.assertEqual(entry.amount, 22.0)
        self.assertEqual(self.member.window_spend, 440.0)
        self.assertEqual(self.member.balance, 100.0)
        self.assertEqual(self.member.pending, 44.0)

    def test_same_basket_without_points(self):
        at_till = self.till(0.0)
        on_sale = self.sales_order(0.0)
        for entry in (at_till, on_sale):
            self.assertEqual((entry.base_amount, entry.amount), (260.0, 26.0))
        self.assertEqual(self.member.window_spend, 520.0)
