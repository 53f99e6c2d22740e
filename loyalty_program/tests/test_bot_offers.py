from odoo.tests import tagged

from .bot_common import tg_text
from .offer_common import OfferMixin
from .test_bot_webhook import ANNA, BotJoinCase


@tagged("post_install", "-at_install")
class TestBotOffers(OfferMixin, BotJoinCase):
    """The customer's offers in the chat (/offers): the member's open
    offers, the reward on what and until when, in the customer's language;
    none for a customer without offers; the control group is not told."""

    def test_offers_in_the_chat(self):
        self.join()
        member = self.chat().member_id
        self.send_queue()
        self.converse(ANNA, tg_text(ANNA, "/offers"))
        reply = self.send_queue()[0]["params"]
        self.assertIn("No offers for you right now", reply["text"])
        self.assertIn("🎁 My offers", str(reply["reply_markup"]))
        coffee = self.env["product.product"].create({"name": "Coffee beans"})
        self.make_offer(
            [(member, {"product_id": coffee.id})],
            reward_type="multiply",
            reward_value=2.0,
            lifetime_days=10,
        )
        # The button, in the customer's language, as well as the command.
        self.converse(ANNA, tg_text(ANNA, "🎁 My offers"))
        text = self.send_queue()[0]["params"]["text"]
        self.assertIn("Your offers", text)
        self.assertIn("Coffee beans", text)
        self.assertIn("x2", text)
        self.assertIn("until", text)
        # The control group of an offer hears nothing of it.
        tea = self.env["product.product"].create({"name": "Green tea"})
        self.make_offer(
            [(member, {"product_id": tea.id, "group": "control"})], lifetime_days=10
        )
        self.converse(ANNA, tg_text(ANNA, "/offers"))
        text = self.send_queue()[0]["params"]["text"]
        self.assertIn("Coffee beans", text)
        self.assertNotIn("Green tea", text)
