from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from .offer_common import OfferPosCommon


@tagged("post_install", "-at_install")
class TestOfferGenerators(OfferPosCommon):
    """The nightly generators on constructed histories: a regular buyer due
    again, two products bought together, a favourite category, a customer
    who bought everything already; the cap per customer, exclusions, stock,
    archived products, a generator switched off, the control group."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin = cls.env(su=True)
        cls.program.sudo().write(
            {"offer_min_baskets": 3, "offer_min_lift": 1.2, "offer_max_personal": 3}
        )
        cls.croissant = cls.create_product("Croissant", cls.categ_basic, 50.0)
        cls.cake = cls.create_product("Cake", cls.categ_basic, 80.0)
        (cls.coffee | cls.item | cls.croissant | cls.cake).sudo().is_storable = False
        Partner = admin["res.partner"]
        cls.regular, cls.pairer, cls.fan, cls.everything = (
            admin["lp.member"].create(
                {
                    "partner_id": Partner.create({"name": name}).id,
                    "program_id": cls.program.id,
                }
            )
            for name in ("Regular", "Pairer", "Fan", "Everything")
        )
        cls.generators = cls.program.sudo()._lp_offer_generators()
        # Nobody held out unless a test asks (the seeds are random).
        cls.generators.control_percent = 0.0

    def setUp(self):
        super().setUp()
        self.day = fields.Date.today()

    def generate(self):
        return self.env["lp.offer"].sudo()._lp_run_all(today=self.day)

    def made(self, member, generator=None):
        rows = (
            self.env["lp.offer.member"].sudo().search([("member_id", "=", member.id)])
        )
        return rows.filtered(lambda r: not generator or r.generator == generator)

    def history(self):
        # Coffee every 12 days, last 24 days ago; tea twice only; cake
        # regularly, last bought 3 days ago (not due yet).
        for days in (72, 60, 48, 36, 24):
            self.bought(self.regular, days, [(self.coffee, 2)])
        for days in (20, 6):
            self.bought(self.regular, days, [(self.item, 1)])
        for days in (30, 20, 10, 3):
            self.bought(self.regular, days, [(self.cake, 1)])
        # Croissant goes with coffee: 4 baskets of both, tea alone often.
        for days in (40, 30, 20, 10):
            self.bought(
                None, days, [(self.coffee, 1), (self.croissant, 1)], partner=False
            )
        for days in range(1, 12):
            self.bought(None, days, [(self.item, 1)], partner=False)
        self.bought(self.pairer, 15, [(self.coffee, 1)])
        self.bought(self.everything, 15, [(self.coffee, 1), (self.croissant, 1)])
        self.bought(self.everything, 14, [(self.item, 1), (self.cake, 1)])
        # The fan spends mostly on drinks.
        self.bought(self.fan, 50, [(self.coffee, 3), (self.item, 1)])
        self.bought(self.fan, 9, [(self.coffee, 2)])

    def test_regular_buyer_due_again(self):
        self.history()
        self.generate()
        due = self.made(self.regular, "due_again")
        self.assertEqual(due.product_id, self.coffee)
        self.assertEqual(
            (due.fig_interval, due.fig_days_since, due.fig_purchases, due.fig_qty),
            (12.0, 24, 5, 2.0),
        )
        self.assertEqual(due.fig_price, 150.0)
        self.assertEqual(due.reason, "Coffee every 12 days, last 24 days ago")
        self.assertEqual((due.state, due.group), ("active", "target"))
        self.assertEqual(due.valid_until, due.date_start + timedelta(days=14))
        # The member's hint follows: the till sees it.
        rows = self.made(self.regular).filtered(lambda r: r.group == "target")
        self.assertEqual(self.regular.offer_until, max(rows.mapped("valid_until")))
        shown = self.regular._lp_offers_values()
        self.assertIn("x2 points on Coffee", [o["label"] for o in shown])
        # Running again makes nothing twice.
        self.generate()
        self.assertEqual(len(self.made(self.regular, "due_again")), 1)

    def test_goes_with_what_you_buy(self):
        self.history()
        self.generate()
        pair = (
            self.env["lp.offer.pair"]
            .sudo()
            .search(
                [
                    ("product_id", "=", self.coffee.id),
                    ("other_id", "=", self.croissant.id),
                ]
            )
        )
        self.assertTrue(pair)
        goes = self.made(self.pairer, "goes_with")
        self.assertEqual(goes.product_id, self.croissant)
        self.assertEqual(goes.fig_because_id, self.coffee)
        self.assertEqual(goes.fig_baskets, pair.baskets)
        self.assertGreaterEqual(goes.fig_lift, 1.2)
        self.assertIn("also hold Croissant", goes.reason)

    def test_customer_who_bought_everything_gets_no_pair(self):
        self.history()
        self.generate()
        self.assertFalse(self.made(self.everything, "goes_with"))
        self.assertFalse(self.made(self.everything, "due_again"))

    def test_favourite_category(self):
        self.history()
        self.generate()
        favourite = self.made(self.fan, "favourite")
        self.assertEqual(favourite.categ_id, self.drinks)
        # 750 of 850 on drinks.
        self.assertAlmostEqual(favourite.fig_share, 88.2, places=1)
        self.assertEqual(favourite.fig_spend, 750.0)

    def test_at_most_n_per_customer_best_first(self):
        self.history()
        self.program.sudo().offer_max_personal = 1
        self.generate()
        rows = self.made(self.regular)
        self.assertEqual(len(rows), 1)
        # Expected values: drinks, 1,500 in 180 days (250 a month), beat the
        # coffee due again (300 a visit x 5/7) and the croissant that goes
        # with coffee (38% x 50).
        self.assertEqual((rows.generator, rows.categ_id), ("favourite", self.drinks))
        self.assertAlmostEqual(rows.expected_value, 250.0)

    def test_never_excluded_archived_or_out_of_stock(self):
        self.history()
        self.program.sudo().offer_excluded_product_ids = self.coffee
        self.croissant.sudo().active = False
        self.generate()
        self.assertFalse(self.made(self.regular, "due_again"))
        self.assertFalse(self.made(self.pairer, "goes_with"))
        self.program.sudo().offer_excluded_product_ids = False
        self.coffee.sudo().is_storable = True  # none in stock
        self.generate()
        self.assertFalse(self.made(self.regular, "due_again"))
        stock = (
            self.env["stock.location"]
            .sudo()
            .search(
                [("usage", "=", "internal"), ("company_id", "=", self.env.company.id)],
                limit=1,
            )
        )
        self.env["stock.quant"].sudo()._update_available_quantity(
            self.coffee, stock, 10
        )
        self.generate()
        self.assertEqual(self.made(self.regular, "due_again").product_id, self.coffee)

    def test_generator_switched_off(self):
        self.history()
        manager = new_test_user(
            self.env,
            login="lp_generator_manager",
            groups="base.group_user,loyalty_program.group_lp_manager",
            company_id=self.env.company.id,
        )
        goes = self.generators.filtered(lambda o: o.generator == "goes_with")
        goes.with_user(manager).action_end()
        self.generate()
        self.assertFalse(self.made(self.pairer, "goes_with"))
        self.assertTrue(self.made(self.regular, "due_again"))
        # Switched on again.
        goes.with_user(manager).action_launch()
        self.generate()
        self.assertEqual(self.made(self.pairer, "goes_with").product_id, self.croissant)

    def test_control_group_and_expiry(self):
        self.history()
        due = self.generators.filtered(lambda o: o.generator == "due_again")
        due.control_percent = 99.99
        self.generate()
        row = self.made(self.regular, "due_again")
        self.assertEqual(row.group, "control")
        shown = [offer["id"] for offer in self.regular._lp_offers_values()]
        self.assertNotIn(row.id, shown)
        later = fields.Datetime.now() + timedelta(days=15)
        self.env["lp.offer.member"].sudo()._lp_expire(later)
        self.assertEqual(row.state, "expired")

    def test_nightly_job(self):
        self.history()
        Offer = self.env["lp.offer"].sudo()
        self.assertTrue(Offer._cron_nightly())
        self.assertTrue(self.made(self.regular, "due_again"))
        self.assertTrue(self.env["lp.offer.pair"].sudo().search([]))
        due = self.generators.filtered(lambda o: o.generator == "due_again")
        self.assertTrue(due.results_date)
        self.assertEqual(due.sent_count, len(self.made(self.regular, "due_again")))
        # Run again: nothing made twice, the pairs (a day old at most) kept.
        built = []
        original = type(Offer)._lp_build_pairs

        def build(offer, program, today):
            built.append(program)
            return original(offer, program, today)

        self.patch(type(Offer), "_lp_build_pairs", build)
        before = self.env["lp.offer.member"].sudo().search_count([])
        self.assertTrue(Offer._cron_nightly())
        self.assertEqual(built, [])
        self.assertEqual(self.env["lp.offer.member"].sudo().search_count([]), before)
