from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .bot_common import BOT_USERNAME, TOKEN, BotSetupMixin, TelegramMock
from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestBotAccess(TelegramMock, BotSetupMixin, LoyaltyCase):
    """Who may set up the bot, read its token, see its chats and show its
    QR code at the till; connecting registers the webhook with a secret."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bot = cls._lp_setup_bot(cls.program)
        cls.till = cls.env["pos.config"].create({"name": "Till A"})
        cls.cashier = new_test_user(
            cls.env, login="lp_bot_cashier", groups="point_of_sale.group_pos_user"
        )
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.manager_b = new_test_user(
            cls.env,
            login="lp_bot_manager_b",
            groups="base.group_user,loyalty_program.group_lp_manager",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )

    def test_token_and_setup_are_for_managers(self):
        bot = self.bot.with_user(self.user)
        self.assertEqual(bot.name, "Shop bot")
        with self.assertRaises(AccessError):
            bot.read(["token"])
        with self.assertRaises(AccessError):
            bot.action_connect()
        with self.assertRaises(AccessError):
            bot.write({"name": "Mine"})
        self.assertEqual(self.bot.with_user(self.manager).token, TOKEN)
        with self.assertRaises(AccessError):
            self.bot.with_user(self.manager).read(["secret_token"])

    def test_other_company_sees_nothing(self):
        Bot = self.env["lp.bot"].with_user(self.manager_b)
        self.assertFalse(Bot.search([]))
        with self.assertRaises(AccessError):
            self.bot.with_user(self.manager_b).read(["name"])
        self.assertFalse(self.env["lp.bot.chat"].with_user(self.manager_b).search([]))

    def test_connect_registers_webhook_with_a_secret(self):
        self.env["ir.config_parameter"].set_param(
            "web.base.url", "https://shop.example"
        )
        bot = self.bot.with_user(self.manager)
        bot.sudo().write({"state": "draft", "username": False, "secret_token": False})
        bot.action_connect()
        self.assertEqual((bot.state, bot.username), ("connected", BOT_USERNAME))
        hook = self.sent("setWebhook")[0]["params"]
        self.assertEqual(
            hook["url"], f"https://shop.example/loyalty/bot/{bot.id}/update"
        )
        self.assertEqual(hook["secret_token"], bot.sudo().secret_token)
        self.assertGreaterEqual(len(hook["secret_token"]), 32)
        self.assertEqual(hook["allowed_updates"], ["message", "my_chat_member"])
        self.assertEqual(self.sent("setWebhook")[0]["token"], TOKEN)
        self.assertTrue(bot.qr_image)
        self.assertEqual(bot.deep_link, f"https://t.me/{BOT_USERNAME}?start=poster")
        # Plain http: Telegram would refuse it; the manager is told why.
        self.env["ir.config_parameter"].set_param("web.base.url", "http://shop.local")
        with self.assertRaises(UserError):
            bot.action_connect()
        # Polling: the webhook is removed.
        bot.update_mode = "polling"
        bot.action_connect()
        self.assertTrue(self.sent("deleteWebhook"))
        self.assertEqual(bot.state, "connected")

    def test_wrong_token_shows_telegram_refusal(self):
        type(self).telegram_method_errors = {"getMe": (401, "Unauthorized")}
        self.bot.with_user(self.manager).action_connect()
        self.assertEqual(
            (self.bot.state, self.bot.last_error), ("error", "Unauthorized")
        )

    def test_till_shows_its_own_qr_code(self):
        Order = self.env["pos.order"].with_user(self.cashier)
        join = Order.lp_pos_bot_join(self.till.id)
        self.assertEqual(
            join["link"], f"https://t.me/{BOT_USERNAME}?start=pos-{self.till.id}"
        )
        self.assertTrue(join["qr"].startswith("data:image/png;base64,"))
        self.assertEqual(join["gift_points"], self.program.welcome_points)
        self.assertTrue(self.program.lp_bot_ready)
        other = (
            self.env["pos.config"]
            .with_company(self.company_b)
            .create({"name": "Till B", "payment_method_ids": [(6, 0, [])]})
        )
        with self.assertRaises(UserError):
            Order.lp_pos_bot_join(other.id)
        with self.assertRaises(UserError):
            Order.lp_pos_bot_join("1; DROP TABLE")
        with self.assertRaises(AccessError):
            self.env["pos.order"].with_user(self.user).lp_pos_bot_join(self.till.id)
        self.bot.state = "draft"
        self.assertFalse(self.program.lp_bot_ready)
        with self.assertRaises(UserError):
            Order.lp_pos_bot_join(self.till.id)

    def test_poster_to_print(self):
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("loyalty_program.report_bot_poster", self.bot.ids)[0]
            .decode()
        )
        self.assertIn("data:image/png;base64,", html)
        self.assertIn(f"https://t.me/{BOT_USERNAME}?start=poster", html)
        self.assertIn("<span>100</span> points as a gift", html)
