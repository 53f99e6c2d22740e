from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from ..tools import bot_queue
from .bot_common import BotSetupMixin, FakeClock, TelegramMock, tg_contact, tg_start
from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestBotQueue(TelegramMock, BotSetupMixin, LoyaltyCase):
    """The send queue: Telegram's limits (30 a second, 1 a second per chat),
    a 429 retried after the delay Telegram gives, a blocked bot withdrawing
    the consent, transient errors retried, and the polling job."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bot = cls._lp_setup_bot(cls.program)

    def chats(self, count, start=9000):
        Chat = self.env["lp.bot.chat"].sudo()
        return Chat.create(
            [
                {"bot_id": self.bot.id, "chat_ref": start + n, "step": "done"}
                for n in range(count)
            ]
        )

    def queue(self, chats, per_chat=1, **values):
        return self.env["lp.bot.message"]._lp_queue(
            [
                {"chat_id": chat.id, "text": f"m{n} to {chat.chat_ref}", **values}
                for n in range(per_chat)
                for chat in chats
            ]
        )

    def test_pace_30_a_second_and_1_a_second_per_chat(self):
        chats = self.chats(45)
        messages = self.queue(chats, per_chat=2)
        calls = self.send_queue()
        self.assertEqual(len(calls), 90)
        self.assertEqual(set(messages.mapped("state")), {"sent"})
        times = sorted(call["at"] for call in calls)
        for index, moment in enumerate(times):
            window = [t for t in times[index:] if t < moment + 1.0]
            self.assertLessEqual(len(window), bot_queue.PER_SECOND)
        by_chat = {}
        for call in calls:
            by_chat.setdefault(call["params"]["chat_id"], []).append(call)
        for chat_calls in by_chat.values():
            first, second = chat_calls
            self.assertGreaterEqual(second["at"] - first["at"], 1.0)
            # and in the order queued
            self.assertTrue(first["params"]["text"].startswith("m0"))
        # 90 messages take at least 3 seconds at 30 a second.
        self.assertGreaterEqual(self.telegram_clock.now - 1000.0, 2.0)

    def test_conversation_answers_go_before_campaign_messages(self):
        chats = self.chats(2)
        self.queue(chats[:1], priority=0, text="campaign")
        self.queue(chats[1:], priority=10, text="answer")
        calls = self.send_queue()
        self.assertEqual([c["params"]["text"] for c in calls], ["answer", "campaign"])

    def test_429_waits_the_delay_telegram_gives(self):
        chat = self.chats(1)
        message = self.queue(chat)
        type(self).telegram_errors = {
            chat.chat_ref: [(429, "Too Many Requests: retry after 7", 7)]
        }
        before = fields.Datetime.now()
        self.send_queue()
        self.assertEqual(message.state, "queued")
        self.assertEqual(message.tries, 0)
        self.assertGreaterEqual(message.not_before, before + timedelta(seconds=7))
        self.assertGreaterEqual(self.bot.paused_until, before + timedelta(seconds=7))
        # Paused: nothing goes, even what else is due.
        other = self.queue(self.chats(1, start=9500))
        self.assertFalse(self.send_queue())
        self.assertEqual(other.state, "queued")
        # Once the delay has passed, both go.
        self.bot.paused_until = before - timedelta(seconds=1)
        message.not_before = before - timedelta(seconds=1)
        self.assertEqual(len(self.send_queue()), 2)
        self.assertEqual((message.state, other.state), ("sent", "sent"))

    def test_blocked_bot_fails_and_withdraws_consent(self):
        chat = self.chats(1)
        self.partner.lp_consent_bot = True
        chat.sudo().write({"partner_id": self.partner.id, "member_id": self.member.id})
        first, second = self.queue(chat, per_chat=2)
        type(self).telegram_errors = {
            chat.chat_ref: [(403, "Forbidden: bot was blocked by the user", None)]
        }
        self.send_queue()
        self.assertEqual((first.state, second.state), ("failed", "cancel"))
        self.assertIn("blocked", first.error)
        self.assertTrue(chat.blocked)
        self.assertFalse(self.partner.lp_consent_bot)
        event = self.partner.lp_consent_event_ids.filtered(
            lambda e: e.channel == "bot"
        )[:1]
        self.assertEqual((event.granted, event.source), (False, "bot"))
        self.assertIn("blocked", event.note)

    def test_transient_errors_retry_then_fail(self):
        chat = self.chats(1)
        message = self.queue(chat)
        type(self).telegram_errors = {
            chat.chat_ref: [(502, "Bad Gateway", None)] * bot_queue.MAX_TRIES
        }
        for tries in range(1, bot_queue.MAX_TRIES):
            self.send_queue()
            self.assertEqual((message.state, message.tries), ("queued", tries))
            self.assertGreater(message.not_before, fields.Datetime.now())
            message.not_before = fields.Datetime.now() - timedelta(seconds=1)
        self.send_queue()
        self.assertEqual(
            (message.state, message.tries), ("failed", bot_queue.MAX_TRIES)
        )

    def test_cron_sends_and_wakes_for_later_messages(self):
        later = fields.Datetime.now() + timedelta(hours=3)
        now_message = self.queue(self.chats(1))
        later_message = self.queue(self.chats(1, start=9700), not_before=later)
        cron = self.env.ref("loyalty_program.ir_cron_lp_bot_send")
        type(self).telegram_clock = FakeClock()
        self.env["lp.bot"]._cron_send()
        self.assertEqual((now_message.state, later_message.state), ("sent", "queued"))
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", cron.id), ("call_at", "=", later)]
        )
        self.assertTrue(trigger)

    def test_polling_uses_the_same_handler_once(self):
        self.bot.update_mode = "polling"
        updates = [tg_start(4242), tg_contact(4242, "79169990011")]
        type(self).telegram_updates = list(updates)
        self.assertEqual(self.bot._lp_poll(0), 2)
        chat = self.env["lp.bot.chat"].search([("chat_ref", "=", 4242)])
        self.assertEqual((chat.step, chat.phone), ("name", "+79169990011"))
        # Telegram gives them again (the offset was not confirmed): nothing twice.
        type(self).telegram_updates = list(updates)
        self.assertEqual(self.bot._lp_poll(0), 2)
        polls = self.sent("getUpdates")
        self.assertEqual(polls[1]["params"]["offset"], updates[1]["update_id"] + 1)
        self.assertEqual(len(chat.message_ids), 2)
        # A malformed one is kept, so the next poll moves past it.
        type(self).telegram_updates = [{"update_id": updates[1]["update_id"] + 5}]
        type(self).telegram_updates[0]["message"] = "nonsense"
        self.bot._lp_poll(0)
        self.bot._lp_poll(0)
        self.assertEqual(
            self.sent("getUpdates")[-1]["params"]["offset"], updates[1]["update_id"] + 6
        )

    def test_polling_refused_when_a_webhook_is_set(self):
        self.bot.update_mode = "polling"
        type(self).telegram_method_errors = {
            "getUpdates": (
                409,
                "Conflict: can't use getUpdates method while webhook is active",
            )
        }
        self.assertIsNone(self.bot._lp_poll(0))
        self.assertEqual(self.bot.state, "error")
        self.assertIn("webhook", self.bot.last_error)
        # A network failure is not the bot's fault: it stays connected.
        self.bot.state = "connected"
        type(self).telegram_method_errors = {"getUpdates": (502, "Bad Gateway")}
        self.assertIsNone(self.bot._lp_poll(0))
        self.assertEqual(self.bot.state, "connected")
