from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import LoyaltyCase
from .common_portal import PortalFixture
from .offer_common import OfferMixin


@tagged("post_install", "-at_install")
class TestOfferSecurity(OfferMixin, LoyaltyCase):
    """Who may do what with offers: managers run them, loyalty users read,
    cashiers only through orders, a portal customer reads the offers made to
    them and nothing else, another company sees none; the counters and the
    uses are the postings' alone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = new_test_user(
            cls.env, login="lp_offer_portal", groups="base.group_portal"
        )
        cls.portal_member = cls.env["lp.member"].create(
            {"partner_id": cls.portal.partner_id.id, "program_id": cls.program.id}
        )
        cls.cashier = new_test_user(
            cls.env, login="lp_offer_cashier", groups="point_of_sale.group_pos_user"
        )
        cls.company_b = cls.env["res.company"].create({"name": "Offers B"})
        cls.manager_b = new_test_user(
            cls.env,
            login="lp_offer_manager_b",
            groups="base.group_user,loyalty_program.group_lp_manager",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )

    def setUp(self):
        super().setUp()
        self.offer = self.make_offer(
            [self.member, self.portal_member], reward_type="points", reward_value=5.0
        )

    def test_managers_run_offers_users_read(self):
        offer = self.offer.with_user(self.user)
        self.assertEqual(offer.name, "Offer")
        with self.assertRaises(AccessError):
            offer.write({"reward_value": 50.0})
        with self.assertRaises(AccessError):
            offer.action_end()
        with self.assertRaises(AccessError):
            self.env["lp.offer"].with_user(self.user).create(
                {"name": "Mine", "program_id": self.program.id}
            )
        draft = (
            self.env["lp.offer"]
            .with_user(self.manager)
            .create(
                {
                    "name": "Tea week",
                    "program_id": self.program.id,
                    "audience": "everyone",
                }
            )
        )
        draft.action_launch()
        self.assertEqual(draft.state, "running")
        self.assertIn(self.member, draft.row_ids.member_id)
        # A copy starts as a draft made by hand, without customers.
        generator = self.program._lp_offer_generators()[:1]
        copy = generator.with_user(self.manager).copy()
        self.assertEqual(
            (copy.state, copy.generator, copy.row_count), ("draft", "manual", 0)
        )

    def test_cashiers_use_offers_through_orders_only(self):
        with self.assertRaises(AccessError):
            self.offer.with_user(self.cashier).write({"reward_value": 50.0})
        row = self.rows(self.offer, self.member).with_user(self.cashier)
        with self.assertRaises(AccessError):
            row.write({"reward_value": 99.0})
        with self.assertRaises(UserError):
            self.env["lp.offer.use"].sudo().create(
                [{"offer_member_id": row.id, "key": "x", "channel": "pos"}]
            )

    def test_counters_and_hint_are_not_written_by_hand(self):
        with self.assertRaises(UserError):
            self.member.with_user(self.manager).write({"offer_until": False})
        row = self.rows(self.offer, self.member).with_user(self.manager)
        with self.assertRaises(UserError):
            row.write({"member_id": self.portal_member.id})

    def test_portal_reads_only_the_offers_made_to_them(self):
        Row = self.env["lp.offer.member"].with_user(self.portal)
        own = self.rows(self.offer, self.portal_member)
        self.assertEqual(Row.search([]), own.with_user(self.portal))
        self.assertEqual(
            self.env["lp.offer"].with_user(self.portal).search([]).ids, self.offer.ids
        )
        with self.assertRaises(AccessError):
            self.rows(self.offer, self.member).with_user(self.portal).read(["state"])
        with self.assertRaises(AccessError):
            own.with_user(self.portal).write({"reward_value": 99.0})
        # Held out: the row is not theirs to see, nor the offer.
        own.sudo().flush_recordset()
        self.env.cr.execute(
            "UPDATE lp_offer_member SET \"group\" = 'control' WHERE id = %s", [own.id]
        )
        self.env.invalidate_all()
        self.assertFalse(Row.search([]))
        self.assertFalse(self.env["lp.offer"].with_user(self.portal).search([]))

    def test_another_company_sees_no_offer(self):
        Offer = self.env["lp.offer"].with_user(self.manager_b)
        self.assertFalse(Offer.search([]))
        with self.assertRaises(AccessError):
            self.offer.with_user(self.manager_b).read(["name"])
        self.assertFalse(
            self.env["lp.offer.member"].with_user(self.manager_b).search([])
        )


@tagged("post_install", "-at_install")
class TestOfferPortal(OfferMixin, PortalFixture, HttpCase):
    """The personal account lists the customer's own offers, not another
    customer's, and the bot's values are the same plain values."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._lp_portal_setup()
        cls.coffee = cls.env["product.product"].create({"name": "Portal Coffee"})

    def test_your_offers(self):
        self.make_offer(
            [(self.member, {"product_id": self.coffee.id})], name="Coffee for Maria"
        )
        self.make_offer(
            [self.other_member], reward_type="points", reward_value=77.0, name="Other"
        )
        values = self.member._lp_offers_values()
        self.assertEqual([v["label"] for v in values], ["x2 points on Portal Coffee"])
        self.authenticate("lp_portal", "lp_portal")
        page = self.url_open("/my/loyalty").text
        self.assertIn("x2 points on Portal Coffee", page)
        self.assertNotIn("+77 points", page)
