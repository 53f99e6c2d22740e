from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_sale import LoyaltySaleCase


@tagged("post_install", "-at_install")
class TestSalePointsPair(LoyaltySaleCase):
    """The points applied (``lp_points_spent``) and the discount lines they
    pay go together: a salesperson's RPC writes that would break the pair
    are refused, and confirmation spends exactly what the lines are worth."""

    def setUp(self):
        super().setUp()
        self.credit(self.member, 500)
        self.order = self.make_order([(self.product10, 1), (self.product20, 1)])
        self.apply_points(self.order, 70)  # 22 on the 10% goods, 48 on the 20%
        self.points_lines = self.order.order_line.filtered("lp_is_points_line")

    def assertPairIntact(self):
        order = self.order
        self.assertEqual(order.lp_points_spent, 70.0)
        self.assertAlmostEqual(sum(self.points_lines.mapped("price_total")), -70.0)
        self.assertEqual(order.amount_total, 280.0)
        self.assertEqual(self.member.reserved, 70.0)

    def test_salesperson_cannot_change_a_points_line(self):
        line = self.as_salesman(self.points_lines[0])
        for vals in (
            {"price_unit": line.price_unit * 3},
            {"product_uom_qty": 5},
            {"discount": 50.0},
            {"tax_ids": [Command.clear()]},
            {"product_id": self.product10.id},
            {"lp_is_points_line": False},
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(UserError, "Apply Bonus Points"),
            ):
                line.write(vals)
        # Through the order, as the form would send it.
        with self.assertRaisesRegex(UserError, "Apply Bonus Points"):
            self.as_salesman(self.order).write(
                {"order_line": [Command.update(line.id, {"price_unit": -500.0})]}
            )
        self.assertPairIntact()
        # Harmless changes go through.
        line.write({"sequence": 99})
        self.as_salesman(self.order).action_confirm()
        self.assertEqual(self.entries(self.order, "spend").amount, -70.0)
        self.assertEqual(self.member.balance, 430.0)

    def test_salesperson_cannot_write_points_spent(self):
        order = self.as_salesman(self.order)
        for points in (0.0, 10.0, 500.0):
            with self.assertRaisesRegex(UserError, "never written by hand"):
                order.write({"lp_points_spent": points})
        with self.assertRaisesRegex(UserError, "never written by hand"):
            order.write({"lp_cycle": 3})
        self.assertPairIntact()

    def test_salesperson_cannot_add_a_points_line(self):
        points_product = self.env.ref("loyalty_program.product_lp_points_discount")
        order = self.as_salesman(self.make_order([(self.product20, 2)]))
        for vals in (
            {"product_id": points_product.id, "price_unit": -200.0},
            {"product_id": self.product20.id, "lp_is_points_line": True},
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(UserError, "Apply Bonus Points"),
            ):
                order.write({"order_line": [Command.create(vals)]})
        # A goods line turned into the points product.
        with self.assertRaisesRegex(UserError, "Apply Bonus Points"):
            order.order_line.write({"product_id": points_product.id})
        self.assertEqual(order.amount_total, 480.0)
        order.action_confirm()
        self.assertFalse(self.entries(order, "spend"))

    def test_confirmed_points_line_keeps_its_quantity(self):
        order = self.as_salesman(self.order)
        order.action_confirm()
        with self.assertRaisesRegex(UserError, "Apply Bonus Points"):
            order.order_line.filtered("lp_is_points_line").write({"product_uom_qty": 0})
        self.assertEqual(order.amount_total, 280.0)
        self.assertEqual(self.member.balance, 430.0)

    def test_confirmation_refuses_a_broken_pair(self):
        # The pair broken under the ORM (a bad import, an old bug): the
        # discount lines are worth more than the points applied.
        line = self.points_lines[0]
        line._lp_points_env().write({"price_unit": line.price_unit * 3})
        with self.assertRaisesRegex(
            UserError, "bonus points lines give a discount of .* Apply the bonus"
        ):
            self.as_salesman(self.order).action_confirm()
        self.assertEqual(self.order.state, "draft")
        self.assertFalse(self.entries(self.order))
        # Applying the points again mends it.
        self.apply_points(self.as_salesman(self.order), 70)
        self.as_salesman(self.order).action_confirm()
        self.assertEqual(self.entries(self.order, "spend").amount, -70.0)
        self.assertAlmostEqual(
            sum(
                self.order.order_line.filtered("lp_is_points_line").mapped(
                    "price_total"
                )
            ),
            -70.0,
        )
        self.assertEqual(self.member.balance, 430.0)
        self.assertConsistent(self.member)

    def test_points_lines_without_points_refused(self):
        self.order._lp_set_points_spent(0.0)
        with self.assertRaisesRegex(UserError, "0 points applied"):
            self.as_salesman(self.order).action_confirm()
        self.assertEqual(self.order.state, "draft")
        self.assertEqual(self.member.balance, 500.0)

    def test_confirmation_spends_exactly_the_lines_worth_within_cap(self):
        order = self.as_salesman(self.order)
        order.action_confirm()
        spend = self.entries(order, "spend")
        self.assertEqual(spend.amount, -70.0)
        discount = -sum(
            order.order_line.filtered("lp_is_points_line").mapped("price_total")
        )
        self.assertAlmostEqual(discount, -spend.amount * self.program.point_value)
        self.assertEqual(self.member.balance, 430.0)
        self.assertConsistent(self.member)
