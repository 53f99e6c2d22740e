from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .offer_common import OfferMixin
from .trigger_common import TriggerCase


@tagged("post_install", "-at_install")
class TestOfferMessages(OfferMixin, TriggerCase):
    """The customer's own offers in campaigns and triggers: the placeholders
    {offer}, {offer_product}, {offer_until}, and the ready trigger "new
    personal offer" (once per new offer, its control group not told)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.coffee = cls.env["product.product"].create({"name": "Coffee"})
        cls.tea = cls.env["product.product"].create({"name": "Tea"})

    def offer_for(self, partner, product, **values):
        return self.make_offer(
            [(self.members[partner.id], {"product_id": product.id})],
            lifetime_days=10,
            **values,
        )

    def test_new_offer_trigger_tells_once(self):
        self.offer_for(self.anna, self.coffee)
        self.offer_for(self.boris, self.tea, reward_type="discount", reward_value=10)
        trigger = self.trigger("new_offer")
        run = trigger._run(day=self.today)
        self.assertEqual(run.due_count, 2)
        rows = self.env["lp.offer.member"].search(
            [("partner_id", "in", (self.anna | self.boris).ids)]
        )
        self.assertTrue(all(rows.mapped("notified_date")))
        # The lifetime counts from the message.
        for row in rows:
            self.assertGreaterEqual(
                row.valid_until, row.notified_date + timedelta(days=10)
            )
        self.send_run(run)
        until = fields.Date.to_date(rows[0].valid_until)
        self.assertEqual(
            self.first_lines(self._new_sms),
            {
                "+79123456789": "Anna, for you: x2 points on Coffee. At the till "
                f"until {until:%m/%d/%Y}, just show your card."
            },
        )
        self.assertIn("-10% on Tea", self._new_mails.body_html)
        # Told once: the next runs find nobody; a new offer is a new occasion.
        self.assertEqual(trigger._run(day=self.today).due_count, 0)
        self.offer_for(self.anna, self.tea, reward_type="points", reward_value=50)
        self.assertEqual(trigger._run(day=self.today).due_count, 1)

    def test_control_group_of_the_trigger_is_not_told(self):
        self.offer_for(self.anna, self.coffee)
        trigger = self.trigger("new_offer", control_percent=99.99)
        run = trigger._run(day=self.today)
        self.assertEqual(self.row(run, self.anna).group, "control")
        row = self.rows(self.env["lp.offer"].search([("name", "=", "Offer")]))
        self.assertFalse(row.notified_date)
        # Still the customer's offer: the till applies it.
        self.assertTrue(self.members[self.anna.id]._lp_offers_values())

    def test_campaign_placeholders(self):
        self.offer_for(self.anna, self.coffee)
        self.offer_for(self.clara, self.tea, reward_type="points", reward_value=50)
        campaign = self.make_campaign(
            gift_points=0.0,
            sms_body="{first_name}: {offer}|{offer_product}|{offer_until}",
        )
        self.assertIn("{offer}", campaign.placeholders_help)
        self.schedule(campaign)
        self.send(campaign)
        texts = self.first_lines(self._new_sms)
        self.assertTrue(
            texts["+79123456789"].startswith("Anna: x2 points on Coffee|Coffee|")
        )
        self.assertTrue(
            texts["+74012223344"].startswith("Clara: +50 points on Tea|Tea|")
        )
