import doctest
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import BaseCase, HttpCase, tagged

from ..tools import sale_points
from .common_sale import LoyaltySaleCase


@tagged("post_install", "-at_install")
class TestSalePointsTools(BaseCase):
    def test_doctests(self):
        result = doctest.testmod(sale_points)
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)

    def test_partial_refunds_add_up_to_whole(self):
        done = 0.0
        taken = []
        for requested in (0.3, 0.5, 0.4):
            share = sale_points.ratio_left(requested, done)
            taken.append(share)
            done += share
        self.assertEqual(taken, [0.3, 0.5, 0.2])


@tagged("post_install", "-at_install")
class TestSaleMember(LoyaltySaleCase):
    def test_member_recognised_with_preview(self):
        self.credit(self.member, 500)
        order = self.make_order([(self.product10, 2), (self.product_no_earn, 1)])
        self.assertEqual(order.lp_member_id, self.member)
        self.assertEqual(order.lp_tier_id.name, "Base")
        self.assertEqual(order.lp_balance, 500.0)
        # 220 earns (5% = 11), the tobacco (44) earns nothing.
        self.assertEqual(order.amount_total, 264.0)
        self.assertEqual(order.lp_points_to_earn, 11.0)

    def test_contact_of_a_member_company_is_recognised(self):
        company = self.env["res.partner"].create(
            {"name": "Petrov LLC", "is_company": True}
        )
        self.env["lp.member"].sudo().create(
            {"partner_id": company.id, "program_id": self.program.id}
        )
        contact = self.env["res.partner"].create(
            {"name": "Ivan", "parent_id": company.id}
        )
        order = self.make_order([(self.product10, 1)], partner=contact)
        self.assertEqual(order.lp_member_id.partner_id, company)

    def test_first_program_by_sequence_and_closed_membership_ignored(self):
        second = (
            self.env["lp.program"]
            .sudo()
            .create(
                {
                    "name": "Second Club",
                    "sequence": 1,
                    "company_id": self.env.company.id,
                }
            )
        )
        other = (
            self.env["lp.member"]
            .sudo()
            .create({"partner_id": self.customer.id, "program_id": second.id})
        )
        order = self.make_order([(self.product10, 1)])
        self.assertEqual(order.lp_member_id, other)
        other.sudo().action_close()
        order.invalidate_recordset(["lp_member_id"])
        self.assertEqual(order.lp_member_id, self.member)

    def test_stranger_is_no_member(self):
        stranger = self.env["res.partner"].create({"name": "Nobody"})
        order = self.make_order([(self.product10, 1)], partner=stranger)
        self.assertFalse(order.lp_member_id)
        self.assertEqual(order.lp_points_to_earn, 0.0)
        with self.assertRaisesRegex(UserError, "does not collect bonus points"):
            order._lp_apply_points(10)


@tagged("post_install", "-at_install")
class TestSaleSpend(LoyaltySaleCase):
    def setUp(self):
        super().setUp()
        self.credit(self.member, 500)

    def test_discount_lines_per_tax_group(self):
        order = self.make_order([(self.product10, 1), (self.product20, 1)])
        self.assertEqual(order.amount_total, 350.0)  # 110 + 240
        self.apply_points(order, 70)
        points_lines = order.order_line.filtered("lp_is_points_line")
        self.assertEqual(len(points_lines), 2)
        by_tax = {line.tax_ids: line for line in points_lines}
        # 70 spread by what each tax group costs: 22 on 110, 48 on 240.
        self.assertAlmostEqual(by_tax[self.tax10].price_total, -22.0)
        self.assertAlmostEqual(by_tax[self.tax10].price_subtotal, -20.0)
        self.assertAlmostEqual(by_tax[self.tax20].price_total, -48.0)
        self.assertAlmostEqual(by_tax[self.tax20].price_subtotal, -40.0)
        self.assertEqual(order.amount_total, 280.0)
        self.assertEqual(order.amount_untaxed, 240.0)
        self.assertEqual(order.amount_tax, 40.0)
        self.assertIn("Bonus points: 70 points", points_lines[0].name)
        self.assertEqual(order.lp_points_spent, 70.0)
        self.assertEqual(self.member.reserved, 70.0)
        # Earning: 280 paid, 5% = 14; the discount lines earn nothing.
        self.assertEqual(order.lp_points_to_earn, 14.0)

    def test_cap_balance_and_exclusions(self):
        # 110 spendable, 220 that points cannot pay for: cap 50% of 330 = 165.
        order = self.make_order([(self.product10, 1), (self.product_no_spend, 4)])
        self.assertEqual(order._lp_max_points(), 110.0)
        with self.assertRaisesRegex(UserError, "At most 110 points"):
            self.apply_points(order, 110.01)
        self.assertFalse(order.order_line.filtered("lp_is_points_line"))
        self.assertEqual(self.member.reserved, 0.0)
        self.apply_points(order, 110)
        points_line = order.order_line.filtered("lp_is_points_line")
        self.assertEqual(points_line.tax_ids, self.tax10)
        self.assertAlmostEqual(points_line.price_total, -110.0)
        # The cap: 50% of an order that points may pay for entirely.
        capped = self.make_order([(self.product20, 10)])  # 2400
        self.assertEqual(capped._lp_max_points(), 390.0)  # 500 - 110 held
        # The balance.
        poor = self.env["res.partner"].create({"name": "Poor"})
        member = (
            self.env["lp.member"]
            .sudo()
            .create({"partner_id": poor.id, "program_id": self.program.id})
        )
        self.credit(member, 40)
        small = self.make_order([(self.product20, 10)], partner=poor)
        self.assertEqual(small._lp_max_points(), 40.0)
        with self.assertRaises(UserError):
            self.apply_points(small, 41)

    def test_reservation_blocks_other_quotation(self):
        first = self.make_order([(self.product20, 10)])
        second = self.make_order([(self.product20, 10)])
        self.apply_points(first, 450)
        self.assertEqual(second._lp_max_points(), 50.0)
        with self.assertRaisesRegex(UserError, "At most 50 points"):
            self.apply_points(second, 60)
        self.apply_points(second, 50)
        self.assertEqual(self.member.reserved, 500.0)
        # Nobody else can spend them meanwhile.
        with self.assertRaisesRegex(UserError, "reserved by another open order"):
            self.member._spend(1)
        # Changing the amount on the same quotation replaces its reservation.
        self.apply_points(first, 300)
        self.assertEqual(self.member.reserved, 350.0)

    def test_confirmation_spends(self):
        order = self.make_order([(self.product10, 1), (self.product20, 1)])
        self.apply_points(order, 70)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        spend = self.entries(order, "spend")
        self.assertEqual(spend.amount, -70.0)
        self.assertEqual(spend.source_key, f"sale.order:{order.id}:spend")
        self.assertEqual(spend.user_id, self.salesman)
        self.assertEqual(self.member.balance, 430.0)
        self.assertEqual(self.member.reserved, 0.0)
        self.assertConsistent(self.member)

    def test_confirmation_refused_when_points_gone(self):
        order = self.make_order([(self.product20, 10)])
        self.apply_points(order, 400)
        # The quotation sat too long: its reservation lapsed and the points
        # went elsewhere.
        reservation = order._lp_reservations()
        reservation.write({"expires_at": fields.Datetime.now() - timedelta(minutes=1)})
        self.env["lp.reservation"]._cron_release_stale()
        self.member._spend(300, source_key="elsewhere")
        with self.assertRaisesRegex(UserError, "cannot be confirmed"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertFalse(self.entries(order))
        self.assertEqual(self.member.balance, 200.0)
        # Fewer points, and it goes through.
        self.apply_points(order, 200)
        order.action_confirm()
        self.assertEqual(self.member.balance, 0.0)

    def test_confirmation_refused_above_cap_after_change(self):
        order = self.make_order([(self.product20, 10)])
        self.apply_points(order, 400)
        order.order_line.filtered(lambda l: not l.lp_is_points_line).product_uom_qty = 2
        with self.assertRaisesRegex(UserError, "Apply the bonus points again"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")

    def test_remove_points_releases(self):
        order = self.make_order([(self.product10, 1), (self.product20, 1)])
        self.apply_points(order, 70)
        order.action_lp_remove_points()
        self.assertFalse(order.order_line.filtered("lp_is_points_line"))
        self.assertEqual(order.lp_points_spent, 0.0)
        self.assertEqual(self.member.reserved, 0.0)
        self.assertEqual(order.amount_total, 350.0)
        # Deleting one of the lines by hand removes its sibling too.
        self.apply_points(order, 70)
        order.write(
            {
                "order_line": [
                    Command.delete(order.order_line.filtered("lp_is_points_line")[0].id)
                ]
            }
        )
        self.assertFalse(order.order_line.filtered("lp_is_points_line"))
        self.assertEqual(self.member.reserved, 0.0)
        self.assertEqual(order.lp_points_spent, 0.0)

    def test_cancel_quotation_releases(self):
        order = self.make_order([(self.product20, 1)])
        self.apply_points(order, 100)
        order.action_cancel()
        self.assertEqual(self.member.reserved, 0.0)
        self.assertFalse(order.order_line.filtered("lp_is_points_line"))
        self.assertFalse(self.entries(order))

    def test_customer_change_drops_points(self):
        order = self.make_order([(self.product20, 1)])
        self.apply_points(order, 100)
        order.partner_id = self.env["res.partner"].create({"name": "Someone else"})
        self.assertFalse(order.order_line.filtered("lp_is_points_line"))
        self.assertEqual(self.member.reserved, 0.0)

    def test_copy_drops_points_lines(self):
        order = self.make_order([(self.product20, 1)])
        self.apply_points(order, 100)
        copy = order.copy()
        self.assertFalse(copy.order_line.filtered("lp_is_points_line"))
        self.assertEqual(copy.lp_points_spent, 0.0)
        self.assertEqual(self.member.reserved, 100.0)

    def test_recompute_keeps_points_within_cap(self):
        order = self.make_order([(self.product20, 2)])  # 480
        self.apply_points(order, 200)
        order.order_line.filtered(lambda l: not l.lp_is_points_line).write(
            {"price_unit": 100.0}
        )  # 240 now: the cap is 120
        order.action_lp_apply_tier_discount()
        self.assertEqual(order.lp_points_spent, 120.0)
        self.assertEqual(self.member.reserved, 120.0)
        order.action_update_prices()  # back to 200 each: 480, cap 240
        self.assertEqual(order.lp_points_spent, 120.0)
        self.assertAlmostEqual(
            sum(order.order_line.filtered("lp_is_points_line").mapped("price_total")),
            -120.0,
        )
        self.assertEqual(order.amount_total, 360.0)

    def test_blocked_member_cannot_spend(self):
        self.member.sudo().action_block()
        order = self.make_order([(self.product20, 1)])
        self.assertEqual(order._lp_max_points(), 0.0)
        with self.assertRaises(UserError):
            self.apply_points(order, 10)


@tagged("post_install", "-at_install")
class TestSaleEarn(LoyaltySaleCase):
    def test_earn_on_confirmation_once(self):
        order = self.make_order([(self.product10, 10)])  # 1100
        order.action_confirm()
        earn = self.entries(order, "earn")
        self.assertEqual(earn.amount, 55.0)
        self.assertEqual(earn.base_amount, 1100.0)
        self.assertEqual(earn.source_key, f"sale.order:{order.id}:earn")
        self.assertTrue(earn.held)
        self.assertEqual(
            earn.available_from.date(),
            (fields.Datetime.now() + timedelta(days=14)).date(),
        )
        self.assertEqual(self.member.pending, 55.0)
        # The event firing again posts nothing more.
        self.assertEqual(order._lp_post_earn(), earn)
        invoice = self.invoice(order)
        self.pay(invoice)
        self.assertEqual(self.entries(order, "earn"), earn)
        self.assertEqual(self.member.pending, 55.0)
        self.assertEqual(order.lp_points_earned, 55.0)
        self.assertConsistent(self.member)

    def test_earn_net_of_points_and_exclusions(self):
        self.credit(self.member, 500)
        order = self.make_order([(self.product10, 2), (self.product_no_earn, 5)])
        # 220 earns, 220 of tobacco does not; 100 points on 440: 50 on each.
        self.apply_points(order, 100)
        order.action_confirm()
        earn = self.entries(order, "earn")
        self.assertEqual(earn.base_amount, 170.0)
        self.assertEqual(earn.amount, 8.0)  # 8.5 rounded down

    def test_earn_when_invoice_paid(self):
        self.program.sudo().sale_earn_event = "paid"
        order = self.make_order([(self.product10, 10)])
        order.action_confirm()
        self.assertFalse(self.entries(order, "earn"))
        invoice = self.invoice(order)
        self.assertFalse(self.entries(order, "earn"))
        self.pay(invoice)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        earn = self.entries(order, "earn")
        self.assertEqual(earn.amount, 55.0)
        self.assertEqual(earn.source_key, f"sale.order:{order.id}:earn")
        # Paid again (in_payment -> paid, a hook fired twice): once.
        invoice.sudo()._invoice_paid_hook()
        self.assertEqual(self.entries(order, "earn"), earn)
        self.assertEqual(self.member.pending, 55.0)

    def test_paid_event_waits_for_full_invoicing(self):
        self.program.sudo().sale_earn_event = "paid"
        order = self.make_order([(self.product10, 10)])
        order.action_confirm()
        down_payment = (
            self.env["sale.advance.payment.inv"]
            .with_user(self.salesman)
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "percentage", "amount": 50})
        )
        down_payment.create_invoices()
        invoice = order.invoice_ids.with_user(self.invoicer)
        invoice.action_post()
        self.pay(invoice)
        self.assertFalse(self.entries(order, "earn"))
        final = self.invoice(order)
        self.pay(final)
        self.assertEqual(self.entries(order, "earn").amount, 55.0)


@tagged("post_install", "-at_install")
class TestSaleReversal(LoyaltySaleCase):
    def setUp(self):
        super().setUp()
        self.credit(self.member, 500)

    def test_cancel_confirmed_order_reverses_once(self):
        order = self.make_order([(self.product10, 10)])  # 1100
        self.apply_points(order, 100)
        order.action_confirm()
        self.assertEqual(self.member.balance, 400.0)
        self.assertEqual(self.member.pending, 50.0)  # 5% of 1000
        order.action_cancel()
        self.assertEqual(self.member.balance, 500.0)
        self.assertEqual(self.member.pending, 0.0)
        self.assertFalse(order.order_line.filtered("lp_is_points_line"))
        reversals = self.reversals_of(self.entries(order))
        self.assertEqual(sorted(reversals.mapped("amount")), [-50.0, 100.0])
        # Confirmed again (a new cycle): spends and earns again, cancelled
        # again: given back again, and nothing twice.
        order.action_draft()
        self.apply_points(order, 200)
        order.action_confirm()
        self.assertEqual(self.member.balance, 300.0)
        self.assertEqual(self.member.pending, 45.0)
        self.assertEqual(len(self.entries(order)), 4)
        order.action_cancel()
        self.assertEqual(self.member.balance, 500.0)
        self.assertEqual(self.member.pending, 0.0)
        self.assertEqual(len(self.reversals_of(self.entries(order))), 4)
        order._lp_after_cancel(was_confirmed=True)
        self.assertEqual(len(self.reversals_of(self.entries(order))), 4)
        self.assertConsistent(self.member)

    def test_partial_credit_notes_proportional_and_never_twice(self):
        order = self.make_order([(self.product10, 10)])  # 1100, earns 55
        order.action_confirm()
        invoice = self.invoice(order)
        earn = self.entries(order, "earn")
        refund = self.credit_note(invoice, {self.product10: 3})  # 330: 30%
        self.assertEqual(self.reversals_of(earn).amount, -16.5)
        self.assertEqual(self.member.pending, 38.5)
        # Reset to draft and posted again: nothing more.
        refund.button_draft()
        refund.action_post()
        self.assertEqual(len(self.reversals_of(earn)), 1)
        self.assertEqual(self.member.pending, 38.5)
        # 80% more asked: only the 70% left is reversed.
        self.credit_note(invoice, {self.product10: 8})
        self.assertEqual(
            sorted(self.reversals_of(earn).mapped("amount")), [-38.5, -16.5]
        )
        self.assertEqual(self.member.pending, 0.0)
        self.assertEqual(order.lp_points_earned, 0.0)
        # Cancelling afterwards has nothing left to reverse.
        order.action_cancel()
        self.assertEqual(len(self.reversals_of(earn)), 2)
        self.assertConsistent(self.member)

    def test_full_credit_note_gives_spent_points_back(self):
        order = self.make_order([(self.product10, 1), (self.product20, 1)])  # 350
        self.apply_points(order, 70)
        order.action_confirm()
        self.assertEqual(self.member.balance, 430.0)
        invoice = self.invoice(order)
        self.assertAlmostEqual(invoice.amount_total, 280.0)
        self.credit_note(invoice)
        self.assertEqual(self.member.balance, 500.0)
        self.assertEqual(self.member.pending, 0.0)
        self.assertConsistent(self.member)

    def test_credit_note_of_one_product_with_its_points_line(self):
        order = self.make_order([(self.product10, 1), (self.product20, 1)])  # 350
        self.apply_points(order, 70)  # 22 on the 10% group, 48 on the 20% one
        order.action_confirm()
        earn = self.entries(order, "earn")
        self.assertEqual(earn.amount, 14.0)  # 5% of 280
        invoice = self.invoice(order)
        # The toaster comes back, with the points line of its tax.
        self.credit_note(
            invoice,
            drop=lambda line: line.tax_ids == self.tax10,
        )
        spend = self.entries(order, "spend")
        self.assertEqual(self.reversals_of(spend).amount, 48.0)
        # Earning refunded: 240 - 48 = 192 of 280.
        self.assertAlmostEqual(self.reversals_of(earn).amount, -9.6)
        self.assertEqual(self.member.balance, 478.0)
        self.assertAlmostEqual(self.member.pending, 4.4)
        self.assertConsistent(self.member)

    def test_partial_credit_note_with_points(self):
        order = self.make_order([(self.product10, 10)])  # 1100
        self.apply_points(order, 100)  # earns on 1000: 50
        order.action_confirm()
        invoice = self.invoice(order)
        self.credit_note(invoice, {self.product10: 5})  # half the kettles
        spend = self.entries(order, "spend")
        earn = self.entries(order, "earn")
        # The points line was refunded whole: the spent points come back whole;
        # the earning base refunded is 550 - 100 = 450 of 1000.
        self.assertEqual(self.reversals_of(spend).amount, 100.0)
        self.assertEqual(self.reversals_of(earn).amount, -22.5)
        self.assertConsistent(self.member)


@tagged("post_install", "-at_install")
class TestSaleTierDiscount(LoyaltySaleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Lp = cls.env(su=True)
        cls.discount_program = Lp["lp.program"].create(
            {
                "name": "Discount Club",
                "program_type": "discount",
                "company_id": cls.env.company.id,
                "spend_excluded_product_ids": [Command.set(cls.product_no_spend.ids)],
            }
        )
        cls.tier_base, cls.tier_silver = Lp["lp.tier"].create(
            [
                {
                    "name": "Base",
                    "program_id": cls.discount_program.id,
                    "threshold": 0,
                    "discount_percent": 5.0,
                },
                {
                    "name": "Silver",
                    "program_id": cls.discount_program.id,
                    "threshold": 3000,
                    "discount_percent": 10.0,
                },
            ]
        )
        cls.regular = cls.env["res.partner"].create({"name": "Regular"})
        cls.discount_member = Lp["lp.member"].create(
            {"partner_id": cls.regular.id, "program_id": cls.discount_program.id}
        )

    def test_tier_discount_on_lines_and_recompute(self):
        order = self.make_order(
            [(self.product10, 10), (self.product20, 1), (self.product_no_spend, 1)],
            partner=self.regular,
        )
        kettle, toaster, gift = order.order_line
        self.assertEqual(order.lp_tier_discount, 5.0)
        self.assertEqual(
            (kettle.discount, toaster.discount, gift.discount), (5.0, 5.0, 0.0)
        )
        self.assertEqual(kettle.lp_discount_percent, 5.0)
        self.assertAlmostEqual(kettle.price_total, 1045.0)
        self.assertEqual(order._lp_max_points(), 0.0)  # no points here
        # A larger discount of the line's own stays.
        toaster.discount = 8.0
        # The member reaches Silver; the salesperson applies the tier again.
        self.discount_member._earn(5000.0, source_key="earlier")
        self.assertEqual(self.discount_member.tier_id, self.tier_silver)
        order.action_lp_apply_tier_discount()
        self.assertEqual(
            (kettle.discount, toaster.discount, gift.discount), (10.0, 10.0, 0.0)
        )
        self.tier_silver.sudo().discount_percent = 7.0
        toaster.discount = 8.0
        order.action_lp_apply_tier_discount()
        self.assertEqual((kettle.discount, toaster.discount), (7.0, 8.0))
        self.assertEqual(toaster.lp_discount_percent, 0.0)

    def test_discount_program_counts_purchases_for_the_tier(self):
        order = self.make_order([(self.product10, 10)], partner=self.regular)  # 1045
        order.action_confirm()
        earn = self.entries(order, "earn")
        self.assertEqual(earn.amount, 0.0)
        self.assertAlmostEqual(earn.base_amount, 1045.0)
        self.assertAlmostEqual(self.discount_member.window_spend, 1045.0)
        order.action_cancel()
        self.assertAlmostEqual(self.discount_member.window_spend, 0.0)
        self.assertEqual(len(self.reversals_of(earn)), 1)


@tagged("post_install", "-at_install")
class TestSalePortal(HttpCase):
    """The customer's portal view of a quotation shows the points lines and
    what the order earns."""

    def test_portal_quotation_shows_points(self):
        program = self.env["lp.program"].create(
            {"name": "Portal Club", "earn_rate": 5.0, "spend_cap_percent": 50.0}
        )
        partner = self.env["res.partner"].create(
            {"name": "Portal Customer", "email": "portal.customer@example.com"}
        )
        member = self.env["lp.member"].create(
            {"partner_id": partner.id, "program_id": program.id}
        )
        self.env["lp.ledger"]._post(
            [{"member_id": member.id, "kind": "gift", "amount": 100.0}]
        )
        product = self.env["product.product"].create(
            {"name": "Samovar", "list_price": 300.0, "taxes_id": [Command.clear()]}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        order._lp_apply_points(60)
        order._portal_ensure_token()
        response = self.url_open(order.get_portal_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn("Bonus points: 60 points", response.text)
        self.assertIn("o_lp_points_line", response.text)
        self.assertIn("o_lp_points_spent", response.text)
        self.assertIn("o_lp_points_to_earn", response.text)
