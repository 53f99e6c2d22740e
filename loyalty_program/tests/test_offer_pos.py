import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .offer_common import OfferPosCommon


@tagged("post_install", "-at_install")
class TestOfferPos(OfferPosCommon):
    """Offers applied by the server when a paid till order is posted: the
    reward, its caps and limits, its dates, the control group, the money
    discount the till gave checked against what the offer allows, refunds."""

    def basket(self, coffees=2, teas=1, extra=(), uuid=None):
        lines = []
        if coffees:
            lines.append((self.coffee, coffees))
        if teas:
            lines.append((self.item, teas))
        return self.sync(self.order_data([*lines, *extra], uuid=uuid))

    def test_till_lookup_lists_the_members_offers(self):
        till = self.env["pos.order"]
        info = till.lp_pos_member_for_partner(self.customer.id)
        self.assertEqual(info["offers"], [])
        offer = self.make_offer([(self.member, {"product_id": self.coffee.id})])
        info = till.lp_pos_member_for_partner(self.customer.id)
        self.assertEqual(len(info["offers"]), 1)
        shown = info["offers"][0]
        self.assertEqual(shown["offer_id"], offer.id)
        self.assertEqual(shown["label"], "x2 points on Coffee")
        self.assertEqual(shown["uses_left"], 1)

    def test_multiplied_points_on_the_matching_goods(self):
        offer = self.make_offer([(self.member, {"product_id": self.coffee.id})])
        order = self.basket()
        # 400 paid earns 40; the coffee (300) earned 30, doubled: +30.
        self.assertEqual(order.lp_points_earned, 40.0)
        self.assertEqual(order.lp_offer_points, 30.0)
        summary = json.loads(order.lp_offer_summary)
        self.assertEqual(
            summary, [{"label": "x2 points on Coffee", "points": 30.0, "discount": 0.0}]
        )
        entry = self.offer_entries()
        self.assertEqual(
            (entry.amount, entry.held, entry.res_id), (30.0, True, order.id)
        )
        self.assertEqual(
            entry.source_key, f"pos.order:{order.uuid}:offer:{offer.row_ids.id}"
        )
        self.assertEqual(self.member.pending, 70.0)
        row = self.rows(offer)
        self.assertEqual(
            (row.state, row.use_count, row.given_points), ("used", 1, 30.0)
        )
        # Used once: the next coffee earns no more.
        again = self.basket()
        self.assertEqual(again.lp_offer_points, 0.0)
        self.assertEqual(len(self.offer_entries()), 1)
        self.assertConsistent()

    def test_multiplied_net_of_the_points_discount(self):
        self.gift(200.0)
        self.make_offer([(self.member, {"product_id": self.coffee.id})])
        uuid = self.create_random_uid()
        self.env["pos.order"].lp_pos_reserve(
            self.member.id,
            100,
            uuid,
            [
                {"product_id": self.coffee.id, "amount": 300.0},
                {"product_id": self.item.id, "amount": 100.0},
            ],
        )
        order = self.basket(extra=[self.points_line(100)], uuid=uuid)
        # A quarter of every good paid with points: the coffee earned on 225.
        self.assertEqual(order.lp_points_earned, 30.0)
        self.assertEqual(order.lp_offer_points, 22.0)

    def assertConsistent(self):
        problems = self.env["lp.ledger"]._check_consistency([self.member.id])
        self.assertEqual(problems, [])

    def test_fixed_bonus_on_a_basket_above_an_amount(self):
        self.make_offer(
            [self.member],
            reward_type="points",
            reward_value=50.0,
            basket_min=300.0,
            uses_per_customer=0,
        )
        self.assertEqual(self.basket(coffees=1, teas=1).lp_offer_points, 0.0)
        self.assertEqual(self.basket(coffees=2, teas=0).lp_offer_points, 50.0)

    def test_percentage_in_points_on_a_category(self):
        self.make_offer(
            [self.member],
            reward_type="percent",
            reward_value=7.0,
            categ_ids=[self.drinks.id],
        )
        # 7% of 300 of coffee: 21 points.
        self.assertEqual(self.basket().lp_offer_points, 21.0)

    def test_money_discount_is_checked_by_the_server(self):
        offer = self.make_offer(
            [(self.member, {"product_id": self.coffee.id})],
            reward_type="discount",
            reward_value=20.0,
            uses_per_customer=0,
        )
        row = offer.row_ids
        till = self.env["pos.order"]
        proposed = till.lp_pos_offer_discounts(
            self.member.id,
            self.create_random_uid(),
            [
                {"product_id": self.item.id, "amount": 100.0, "qty": 1},
                {"product_id": self.coffee.id, "amount": 300.0, "qty": 2},
            ],
        )
        self.assertEqual(
            proposed,
            [{"id": row.id, "amount": 60.0, "lines": [1], "label": "-20% on Coffee"}],
        )
        order = self.basket(extra=[self.discount_line(row, 60.0)])
        self.assertAlmostEqual(order.amount_paid, 340.0)
        use = self.env["lp.offer.use"].sudo().search([("res_id", "=", order.id)])
        self.assertEqual((use.discount, use.points), (60.0, 0.0))
        self.assertFalse(self.exceptions(order))
        # Earned on what was paid: 340.
        self.assertEqual(order.lp_points_earned, 34.0)
        # A till giving more than the offer allows: the excess is flagged.
        greedy = self.basket(extra=[self.discount_line(row, 100.0)])
        exception = self.exceptions(greedy)
        self.assertEqual((exception.reason, exception.amount), ("offer_refused", 40.0))
        self.assertEqual(self.rows(offer).given_discount, 120.0)

    def test_discount_of_an_offer_used_elsewhere_is_refused(self):
        offer = self.make_offer(
            [(self.member, {"product_id": self.coffee.id})],
            reward_type="discount",
            reward_value=20.0,
            uses_per_customer=1,
        )
        row = offer.row_ids
        self.basket(extra=[self.discount_line(row, 60.0)])
        second = self.basket(extra=[self.discount_line(row, 60.0)])
        self.assertEqual(second.state, "paid")
        exception = self.exceptions(second)
        self.assertEqual((exception.reason, exception.amount), ("offer_refused", 60.0))
        # A discount line for an offer of no member at all.
        anonymous = self.sync(
            self.create_ui_order_data(
                [(self.coffee, 1), self.discount_line(row, 30.0)], customer=False
            )
        )
        self.assertEqual(self.exceptions(anonymous).amount, 30.0)

    def test_caps_per_order_and_per_customer(self):
        self.make_offer(
            [(self.member, {"product_id": self.coffee.id})],
            reward_value=3.0,
            order_cap=40.0,
            customer_cap=70.0,
            uses_per_customer=0,
        )
        # x3 on 30 earned: +60, capped at 40 per order, 70 in all.
        self.assertEqual(self.basket().lp_offer_points, 40.0)
        self.assertEqual(self.basket().lp_offer_points, 30.0)
        self.assertEqual(self.basket().lp_offer_points, 0.0)

    def test_limit_of_uses_over_all_customers(self):
        other = self.env["res.partner"].create({"name": "Other Customer"})
        other_member = self.env(su=True)["lp.member"].create(
            {"partner_id": other.id, "program_id": self.program.id}
        )
        offer = self.make_offer(
            reward_type="points",
            reward_value=25.0,
            audience="everyone",
            max_uses=1,
            uses_per_customer=0,
        )
        self.assertEqual(len(offer.row_ids), 2)
        self.assertEqual(self.basket().lp_offer_points, 25.0)
        order = self.sync(self.order_data([(self.item, 1)], customer=other))
        self.assertEqual(order.lp_offer_points, 0.0)
        self.assertEqual(offer.use_count, 1)
        self.assertFalse(self.offer_entries(other_member))

    def test_expired_ended_and_other_days_give_nothing(self):
        offer = self.make_offer(
            [self.member], reward_type="points", reward_value=10.0, uses_per_customer=0
        )
        row = offer.row_ids
        row.sudo().write({"valid_until": self.days_ago(1)})
        self.assertEqual(self.basket().lp_offer_points, 0.0)
        row.sudo().write({"valid_until": False})
        today = fields.Date.context_today(self.env["pos.order"])
        offer.sudo().write({"date_to": today - timedelta(days=1)})
        self.assertEqual(self.basket().lp_offer_points, 0.0)
        weekday = fields.Datetime.now().weekday()
        offer.sudo().write(
            {
                "date_to": False,
                **{
                    f"on_{d}": i != weekday
                    for i, d in enumerate(
                        ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
                    )
                },
            }
        )
        self.assertEqual(self.basket().lp_offer_points, 0.0)
        manager = new_test_user(
            self.env,
            login="lp_offer_manager",
            groups="base.group_user,loyalty_program.group_lp_manager",
            company_id=self.env.company.id,
        )
        offer.with_user(manager).action_end()
        self.assertEqual(row.state, "cancelled")
        self.assertEqual(
            self.env["pos.order"].lp_pos_member_for_partner(self.customer.id)["offers"],
            [],
        )

    def test_order_synced_late_gets_the_offer_of_its_time(self):
        offer = self.make_offer([self.member], reward_type="points", reward_value=10.0)
        self.rows(offer).write(
            {"date_start": self.days_ago(1), "valid_until": self.days_ago(0.5)}
        )
        # Paid while the offer was open, synced after its end.
        data = self.order_data([(self.item, 1)])
        data["date_order"] = fields.Datetime.to_string(self.days_ago(0.75))
        self.assertEqual(self.sync(data).lp_offer_points, 10.0)
        # Paid after its end: nothing.
        offer = self.make_offer([self.member], reward_type="points", reward_value=7.0)
        self.rows(offer).write({"valid_until": self.days_ago(0.5)})
        self.assertEqual(self.basket().lp_offer_points, 0.0)

    def test_control_group_is_held_out(self):
        offer = self.make_offer(
            reward_type="points",
            reward_value=10.0,
            audience="everyone",
            control_percent=99.99,
        )
        self.assertEqual(self.rows(offer, self.member).group, "control")
        info = self.env["pos.order"].lp_pos_member_for_partner(self.customer.id)
        self.assertEqual(info["offers"], [])
        self.assertEqual(self.basket().lp_offer_points, 0.0)

    def test_first_purchase_after_being_told(self):
        offer = self.make_offer(
            [self.member],
            reward_type="points",
            reward_value=10.0,
            first_purchase=True,
            uses_per_customer=0,
        )
        self.assertEqual(self.basket().lp_offer_points, 10.0)
        self.assertEqual(self.basket().lp_offer_points, 0.0)
        self.assertEqual(self.rows(offer).use_count, 1)

    def test_refund_takes_back_the_offer_points_of_returned_goods(self):
        self.make_offer([(self.member, {"product_id": self.coffee.id})])
        order = self.basket()
        coffee = order.lines.filtered(lambda line: line.product_id == self.coffee)
        tea = order.lines.filtered(lambda line: line.product_id == self.item)
        tea_back = self.sync(self.order_data([self.refund_line(tea)]))
        self.assertEqual(tea_back.lp_points_reversed, -10.0)
        self.assertEqual(self.member.pending, 60.0)
        one = self.sync(self.order_data([self.refund_line(coffee)]))
        # One coffee of two: half its earn (15) and half the offer (15).
        self.assertEqual(one.lp_points_reversed, -30.0)
        two = self.sync(self.order_data([self.refund_line(coffee)]))
        self.assertEqual(two.lp_points_reversed, -30.0)
        self.assertEqual((self.member.balance, self.member.pending), (0.0, 0.0))
        # A coffee refunded a third time takes nothing more back.
        third = self.sync(self.order_data([self.refund_line(coffee)]))
        self.assertEqual(third.lp_points_reversed, 0.0)
        self.assertConsistent()

    def test_posting_again_posts_nothing_twice(self):
        offer = self.make_offer(
            [self.member], reward_type="points", reward_value=10.0, uses_per_customer=0
        )
        order = self.basket()
        order.with_context(lp_posting_deferred=True)._lp_post_safely()
        self.assertEqual(len(self.offer_entries()), 1)
        self.assertEqual(self.rows(offer).use_count, 1)
        self.assertEqual(len(self.env["lp.offer.use"].sudo().search([])), 1)

    def test_only_cashiers_ask_for_discounts(self):
        clerk = new_test_user(
            self.env, login="lp_offer_clerk", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            self.env["pos.order"].with_user(clerk).lp_pos_offer_discounts(
                self.member.id, self.create_random_uid(), []
            )
