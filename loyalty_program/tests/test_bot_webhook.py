from odoo.tests import tagged

from .bot_common import (
    BotHttpCase,
    tg_blocked,
    tg_contact,
    tg_message,
    tg_start,
    tg_text,
)

ANNA = 5550001  # Telegram ids of the customers
BORIS = 5550002


class BotJoinCase(BotHttpCase):
    """A program with a welcome gift and two tiers, a till and its bot;
    :meth:`join` goes through the whole conversation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env.company.country_id = cls.env.ref("base.ru")
        cls.program = cls.env["lp.program"].create(
            {
                "name": "Chat Club",
                "welcome_points": 100.0,
                "welcome_lifetime_days": 30,
                "card_prefix": "27",
            }
        )
        cls.env["lp.tier"].create(
            [
                {"name": "Base", "program_id": cls.program.id, "threshold": 0},
                {"name": "Silver", "program_id": cls.program.id, "threshold": 30000},
            ]
        )
        cls.till = cls.env["pos.config"].create({"name": "Till 7"})
        cls.bot = cls._lp_setup_bot(cls.program)

    def join(self, chat=ANNA, phone="+7 916 123-45-67", name="Anna Ivanova"):
        return self.converse(
            chat,
            tg_start(chat, f"pos-{self.till.id}"),
            tg_contact(chat, phone.replace("+", "").replace(" ", "").replace("-", "")),
            tg_text(chat, name),
            tg_text(chat, "08.03.1990"),
            tg_text(chat, "Yes"),
            tg_text(chat, "No"),
        )

    def chat(self, chat=ANNA):
        return self.env["lp.bot.chat"].search(
            [("bot_id", "=", self.bot.id), ("chat_ref", "=", chat)]
        )


@tagged("post_install", "-at_install")
class TestBotWebhook(BotJoinCase):
    """Telegram's updates posted to the webhook as Telegram posts them: a
    visitor joins in the chat, gets the card picture and the welcome gift;
    forged, malformed, replayed and foreign updates change nothing."""

    def test_join_card_picture_and_gift(self):
        self.assertEqual(self.join(), ["done"] * 6)
        chat = self.chat()
        member = chat.member_id
        partner = member.partner_id
        self.assertTrue(chat.joined)
        self.assertEqual(chat.pos_config_id, self.till)
        self.assertEqual(member.enrol_source, "bot")
        self.assertEqual(partner.name, "Anna Ivanova")
        self.assertEqual(partner.lp_phone_e164, "+79161234567")
        self.assertEqual(str(partner.lp_birthday), "1990-03-08")
        self.assertEqual(
            (partner.lp_consent_bot, partner.lp_consent_sms), (True, False)
        )
        events = self.env["lp.consent.event"].search([("partner_id", "=", partner.id)])
        self.assertEqual(
            [(e.channel, e.granted, e.source) for e in events], [("bot", True, "bot")]
        )
        # The welcome gift, spendable at once (no hold), money and points.
        self.assertEqual((member.balance, member.pending), (100.0, 0.0))
        self.assertEqual(member.balance_value, 100.0)
        card = member.card_ids
        self.assertEqual((card.card_type, card.state), ("virtual", "active"))
        calls = self.send_queue()
        photo = [call for call in calls if call["method"] == "sendPhoto"]
        self.assertEqual(len(photo), 1)
        self.assertEqual(int(photo[0]["params"]["chat_id"]), ANNA)
        self.assertIn(card.number, photo[0]["params"]["caption"])
        self.assertIn("100 points are yours", photo[0]["params"]["caption"])
        self.assertTrue(photo[0]["files"]["photo"].startswith(b"\x89PNG"))
        # The first answer asked for the phone with Telegram's contact button.
        first = calls[0]["params"]
        self.assertTrue(first["reply_markup"]["keyboard"][0][0]["request_contact"])
        self.assertIn("100 points", first["text"])
        self.assertEqual(self.bot.join_count, 1)
        self.assertFalse(self.env["lp.bot.message"].search([("state", "=", "queued")]))

    def test_contact_of_someone_else_is_refused(self):
        self.converse(ANNA, tg_start(ANNA))
        states = self.converse(ANNA, tg_contact(ANNA, "79161112233", owner=BORIS))
        self.assertEqual(states, ["refused"])
        states = self.converse(ANNA, tg_contact(ANNA, "79161112233", owner=False))
        self.assertEqual(states, ["refused"])
        self.assertFalse(self.chat().phone)
        self.assertEqual(self.chat().step, "phone")
        self.assertFalse(
            self.env["res.partner"].search([("lp_phone_e164", "=", "+79161112233")])
        )
        replies = [c["params"]["text"] for c in self.send_queue()]
        self.assertIn("your own phone", replies[-1])

    def test_existing_member_is_linked_never_duplicated(self):
        partner = self.env["res.partner"].create(
            {"name": "Boris Petrov", "phone": "8 (916) 555-44-33"}
        )
        member = self.env["lp.member"]._enrol(partner, self.program, welcome=False)
        self.env["lp.ledger"]._post(
            [{"member_id": member.id, "kind": "gift", "amount": 40.0}]
        )
        states = self.converse(
            BORIS,
            tg_start(BORIS),
            tg_contact(BORIS, "79165554433"),
            tg_text(BORIS, "Yes"),
        )
        self.assertEqual(states, ["done"] * 3)
        chat = self.chat(BORIS)
        self.assertEqual((chat.member_id, chat.partner_id), (member, partner))
        self.assertFalse(chat.joined)
        self.assertEqual(
            self.env["lp.member"].search_count([("program_id", "=", self.program.id)]),
            1,
        )
        self.assertEqual(member.balance, 40.0)  # no second welcome gift
        self.assertTrue(partner.lp_consent_bot)
        # A member without a card gets a virtual one, and its picture.
        self.assertEqual(len(member.card_ids), 1)
        photo = [c for c in self.send_queue() if c["method"] == "sendPhoto"]
        self.assertIn(member.card_number, photo[0]["params"]["caption"])
        self.assertNotIn("points are yours", photo[0]["params"]["caption"])

    def test_one_welcome_gift_per_phone(self):
        self.env["lp.join.request"].sudo().create(
            {
                "phone": "+79161234567",
                "program_id": self.program.id,
                "state": "joined",
                "welcome_granted": True,
            }
        )
        self.join()
        member = self.chat().member_id
        self.assertTrue(member)
        self.assertEqual(member.balance, 0.0)
        self.assertFalse(member.ledger_ids)

    def test_forged_updates_are_refused(self):
        update = tg_start(ANNA)
        for secret in (False, "wrong-secret"):
            response = self.post(update, secret=secret)
            self.assertEqual(response.status_code, 403)
        self.bot.sudo().state = "draft"
        self.assertEqual(self.post(update).status_code, 403)
        self.bot.sudo().state = "connected"
        other = self.url_open(
            "/loyalty/bot/999999/update",
            data="{}",
            headers={"X-Telegram-Bot-Api-Secret-Token": self.bot.sudo().secret_token},
        )
        self.assertEqual(other.status_code, 403)
        self.assertFalse(self.env["lp.bot.update"].search([]))
        self.assertFalse(self.env["lp.bot.chat"].search([]))

    def test_malformed_bodies_get_400(self):
        for raw in (
            "{not json",
            b"\xff\xfe",
            "[1, 2]",
            '{"update_id": "7"}',
            '{"update_id": 7, "message": {"chat": {"id": "x", "type": "private"}}}',
            "[" * 100000 + "]" * 100000,
        ):
            response = self.post(None, raw=raw)
            self.assertEqual(response.status_code, 400, raw[:20])
            self.assertNotIn("Traceback", response.text)
        self.assertFalse(self.env["lp.bot.update"].search([]))
        self.assertFalse(self.env["lp.bot.chat"].search([]))

    def test_replayed_update_changes_nothing(self):
        self.converse(ANNA, tg_start(ANNA), tg_contact(ANNA, "79161234567"))
        self.converse(ANNA, tg_text(ANNA, "Anna"), tg_text(ANNA, "Skip"))
        self.converse(ANNA, tg_text(ANNA, "Yes"))
        last = tg_text(ANNA, "Yes")
        self.assertEqual(self.converse(ANNA, last), ["done"])
        queued = self.env["lp.bot.message"].search_count([])
        # Telegram sends the last update again (no 200 seen): nothing twice.
        self.assertEqual(self.converse(ANNA, last, last), ["duplicate", "duplicate"])
        self.assertEqual(self.env["lp.bot.message"].search_count([]), queued)
        self.assertEqual(
            self.env["lp.member"].search_count([("program_id", "=", self.program.id)]),
            1,
        )
        self.assertEqual(self.chat().member_id.balance, 100.0)

    def test_unknown_chats_and_other_updates_are_ignored(self):
        self.assertEqual(self.converse(ANNA, tg_blocked(ANNA)), ["ignored"])
        group = tg_message(ANNA, text="/start")
        group["message"]["chat"] = {"id": -1001, "type": "supergroup", "title": "x"}
        self.assertEqual(self.converse(ANNA, group), ["ignored"])
        edited = {"update_id": 880000001, "edited_message": {"text": "x"}}
        self.assertEqual(self.converse(ANNA, edited), ["ignored"])
        self.assertFalse(self.env["lp.bot.chat"].search([]))
        self.assertEqual(
            set(self.env["lp.bot.update"].search([]).mapped("state")), {"ignored"}
        )

    def test_member_commands_and_stop(self):
        self.join()
        member = self.chat().member_id
        partner = member.partner_id
        self.send_queue()
        self.converse(ANNA, tg_text(ANNA, "/balance"), tg_text(ANNA, "⭐ Balance"))
        balance = [c["params"]["text"] for c in self.send_queue()]
        self.assertEqual(len(balance), 2)
        self.assertIn("Balance: 100 points", balance[0])
        self.assertIn("100 points expire on", balance[0])
        self.assertIn("Tier: Base", balance[0])
        self.assertIn("to reach Silver", balance[0])
        self.assertEqual(balance[0], balance[1])
        self.converse(ANNA, tg_text(ANNA, "/history"))
        self.assertIn("No purchases yet", self.send_queue()[0]["params"]["text"])
        self.converse(ANNA, tg_text(ANNA, "/card"))
        self.assertEqual(self.send_queue()[0]["method"], "sendPhoto")
        self.assertEqual(self.converse(ANNA, tg_text(ANNA, "/stop")), ["done"])
        self.assertFalse(partner.lp_consent_bot)
        event = self.env["lp.consent.event"].search(
            [("partner_id", "=", partner.id), ("channel", "=", "bot")], limit=1
        )
        self.assertEqual((event.granted, event.source), (False, "bot"))
        reply = self.send_queue()[0]["params"]
        self.assertIn("no more offers", reply["text"])
        self.assertIn("🔔 Get offers", str(reply["reply_markup"]))

    def test_blocked_bot_withdraws_consent(self):
        self.join()
        partner = self.chat().partner_id
        self.chat()._lp_say("still queued")
        self.assertEqual(self.converse(ANNA, tg_blocked(ANNA)), ["done"])
        chat = self.chat()
        self.assertTrue(chat.blocked)
        self.assertFalse(partner.lp_consent_bot)
        event = self.env["lp.consent.event"].search(
            [("partner_id", "=", partner.id), ("channel", "=", "bot")], limit=1
        )
        self.assertEqual((event.granted, event.source), (False, "bot"))
        self.assertFalse(self.send_queue())
        self.assertEqual(set(chat.message_ids.mapped("state")), {"cancel"})

    def test_conversation_in_russian(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(
            ["loyalty_program"], ["ru_RU"], overwrite=True
        )
        states = self.converse(
            ANNA,
            tg_start(ANNA, lang="ru"),
            tg_contact(ANNA, "79161234567", lang="ru"),
            tg_text(ANNA, "Анна Иванова", lang="ru"),
            tg_text(ANNA, "Пропустить", lang="ru"),
            tg_text(ANNA, "Да", lang="ru"),
            tg_text(ANNA, "нет", lang="ru"),
        )
        self.assertEqual(states, ["done"] * 6)
        chat = self.chat()
        self.assertEqual((chat.lang, chat.partner_id.lang), ("ru_RU", "ru_RU"))
        self.assertEqual(
            (chat.partner_id.lp_consent_bot, chat.partner_id.lp_consent_sms),
            (True, False),
        )
        calls = self.send_queue()
        share = calls[0]["params"]["reply_markup"]["keyboard"][0][0]["text"]
        self.assertEqual(share, "📱 Поделиться телефоном")
        self.assertIn("Как вас зовут?", calls[1]["params"]["text"])
        caption = calls[-1]["params"]["caption"]
        self.assertIn("Ваша карта", caption)
        self.assertIn("Вам начислено баллов: 100", caption)
        # The member asks in Russian; the answers come in Russian.
        self.converse(ANNA, tg_text(ANNA, "⭐ Баланс", lang="ru"))
        self.assertIn("Баллов на счёте: 100", self.send_queue()[0]["params"]["text"])
