from odoo import Command
from odoo.tests import tagged

from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon

from .bot_common import (
    BotSetupMixin,
    TelegramMock,
    WebhookMixin,
    tg_contact,
    tg_start,
    tg_text,
)

CHAT = 7770001


@tagged("post_install", "-at_install")
class TestBotTour(TelegramMock, BotSetupMixin, WebhookMixin, TestPointOfSaleHttpCommon):
    """The whole promise in one test: a visitor joins through recorded bot
    updates, gets the card picture in the chat and spends the welcome gift
    at the till with the card number the chat received."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin = cls.env(su=True)
        company = cls.main_pos_config.company_id
        company.country_id = cls.env.ref("base.ru")
        admin["lp.program"].search([]).active = False
        cls.program = admin["lp.program"].create(
            {
                "name": "Chat Club",
                "company_id": company.id,
                "earn_rate": 10.0,
                "spend_cap_percent": 50.0,
                "welcome_points": 100.0,
                "card_prefix": "27",
            }
        )
        admin["lp.tier"].create(
            {"name": "Base", "program_id": cls.program.id, "threshold": 0}
        )
        tax = admin["account.tax"].create(
            {
                "name": "LP VAT 20",
                "amount": 20,
                "amount_type": "percent",
                "price_include_override": "tax_included",
                "company_id": company.id,
            }
        )
        admin["product.product"].create(
            [
                {
                    "name": name,
                    "list_price": 100,
                    "available_in_pos": True,
                    "taxes_id": [Command.set(tax.ids)],
                }
                for name in ("LP Tea", "LP Coffee")
            ]
        )
        cls.bot = cls._lp_setup_bot(cls.program)

    def test_join_in_chat_then_spend_gift_at_till(self):
        till = self.main_pos_config
        states = self.converse(
            CHAT,
            tg_start(CHAT, f"pos-{till.id}"),
            tg_contact(CHAT, "79161234567"),
            tg_text(CHAT, "Anna Ivanova"),
            tg_text(CHAT, "Skip"),
            tg_text(CHAT, "Yes"),
            tg_text(CHAT, "Yes"),
        )
        self.assertEqual(states, ["done"] * 6)
        photo = [c for c in self.send_queue() if c["method"] == "sendPhoto"]
        self.assertEqual(len(photo), 1)
        self.assertTrue(photo[0]["files"]["photo"].startswith(b"\x89PNG"))
        caption = photo[0]["params"]["caption"]
        number = caption.splitlines()[0].split(": ")[1]
        # The number the tour types is the one the chat received.
        self.assertEqual(number, "2700000000014")
        member = self.env["lp.card"].sudo().search([("number", "=", number)]).member_id
        self.assertEqual(member.balance, 100.0)
        chat = self.env["lp.bot.chat"].sudo().search([("chat_ref", "=", CHAT)])
        self.assertEqual(chat.pos_config_id, till)
        till.with_user(self.pos_user).open_ui()
        self.start_pos_tour("lp_pos_bot_join_spend")
        order = self.env["pos.order"].search(
            [("session_id", "=", till.current_session_id.id)]
        )
        self.assertEqual(order.partner_id, member.partner_id)
        self.assertEqual(order.lp_points_spent, 100.0)
        self.assertAlmostEqual(order.amount_total, 100.0)
        self.assertEqual((member.balance, member.pending), (0.0, 10.0))
        self.assertEqual(self.env["lp.ledger"]._check_consistency(member.ids), [])
