import email.parser
import json
from itertools import count
from urllib.parse import urlsplit

from requests import Response

from odoo.tests import HttpCase

TOKEN = "123456789:AAtest-token_for-the-loyalty-bot"
BOT_USERNAME = "TestShopBot"
_update_ids = count(700000001)


class FakeClock:
    """``clock`` and ``sleep`` for the sender: time passes only by sleeping."""

    def __init__(self):
        self.now = 1000.0
        self.slept = 0.0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += max(seconds, 0.001)
        self.slept += seconds


class TelegramMock:
    """Telegram's Bot API answered at the HTTP level, the way Odoo's own
    tests mock a provider (``sms_twilio/tests/common.py``): the test class's
    ``_request_handler`` sees every outgoing request (Odoo blocks all other
    hosts in tests). Each call is recorded in ``telegram_calls`` as
    ``{"method", "params", "files", "at"}``; ``telegram_method_errors``
    ({method: (code, description)}) makes a method fail; ``telegram_errors`` ({chat
    id: [(code, description, retry_after)]}) makes sends to a chat fail
    (one entry per call), ``telegram_updates`` is what ``getUpdates``
    returns."""

    telegram_calls = []
    telegram_errors = {}
    telegram_updates = []
    telegram_method_errors = {}
    telegram_clock = None

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        url = urlsplit(r.url)
        if url.hostname != "api.telegram.org":
            return super()._request_handler(s, r, **kw)
        _prefix, _bot, method = url.path.split("/", 2)
        params, files = cls._telegram_body(r)
        cls.telegram_calls.append(
            {
                "method": method,
                "params": params,
                "files": files,
                "at": cls.telegram_clock.now if cls.telegram_clock else None,
                "token": _bot[3:],
            }
        )
        return cls._telegram_answer(method, params)

    @classmethod
    def _telegram_body(cls, r):
        content_type = r.headers.get("Content-Type", "")
        body = r.body or b""
        if isinstance(body, str):
            body = body.encode()
        if content_type.startswith("multipart/form-data"):
            message = email.parser.BytesParser().parsebytes(
                b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
            )
            params, files = {}, {}
            for part in message.get_payload():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                if part.get_filename():
                    files[name] = payload
                else:
                    text = payload.decode()
                    params[name] = json.loads(text) if text[:1] in "{[" else text
            return params, files
        return (json.loads(body) if body else {}), {}

    @classmethod
    def _telegram_answer(cls, method, params):
        def answer(status, payload):
            response = Response()
            response.status_code = status
            response._content = json.dumps(payload).encode()
            response.headers["Content-Type"] = "application/json"
            return response

        if method in cls.telegram_method_errors:
            code, description = cls.telegram_method_errors[method]
            return answer(
                code, {"ok": False, "error_code": code, "description": description}
            )
        if method == "getMe":
            return answer(
                200,
                {
                    "ok": True,
                    "result": {"id": 42, "is_bot": True, "username": BOT_USERNAME},
                },
            )
        if method in ("setWebhook", "deleteWebhook"):
            return answer(200, {"ok": True, "result": True})
        if method == "getUpdates":
            updates, cls.telegram_updates = cls.telegram_updates, []
            return answer(200, {"ok": True, "result": updates})
        chat = params.get("chat_id")
        chat = int(chat) if chat is not None else None
        errors = cls.telegram_errors.get(chat)
        if errors:
            code, description, retry_after = errors.pop(0)
            payload = {"ok": False, "error_code": code, "description": description}
            if retry_after:
                payload["parameters"] = {"retry_after": retry_after}
            return answer(code, payload)
        return answer(
            200,
            {"ok": True, "result": {"message_id": len(cls.telegram_calls), "date": 0}},
        )

    def setUp(self):
        super().setUp()
        type(self).telegram_calls = []
        type(self).telegram_errors = {}
        type(self).telegram_updates = []
        type(self).telegram_method_errors = {}
        type(self).telegram_clock = None

    def sent(self, method=None, chat=None):
        return [
            call
            for call in self.telegram_calls
            if (method is None or call["method"] == method)
            and (chat is None or int(call["params"].get("chat_id") or 0) == chat)
        ]


def tg_user(user_id, first_name="Anna", last_name="Ivanova", lang="en"):
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": first_name,
        "last_name": last_name,
        "language_code": lang,
    }


def tg_message(chat, update_id=None, lang="en", **body):
    """An update with a private message of user ``chat`` (Telegram's shape)."""
    return {
        "update_id": update_id or next(_update_ids),
        "message": {
            "message_id": next(_update_ids) % 100000,
            "date": 1767225600,
            "chat": {"id": chat, "type": "private", "first_name": "Anna"},
            "from": tg_user(chat, lang=lang),
            **body,
        },
    }


def tg_start(chat, payload=None, **kw):
    text = "/start" + (f" {payload}" if payload else "")
    entities = [{"type": "bot_command", "offset": 0, "length": 6}]
    return tg_message(chat, text=text, entities=entities, **kw)


def tg_text(chat, text, **kw):
    return tg_message(chat, text=text, **kw)


def tg_contact(chat, phone, owner=None, **kw):
    """The contact Telegram sends when the button is tapped (``owner``: the
    user whose contact it is; the sender's own by default)."""
    contact = {"phone_number": phone, "first_name": "Anna", "last_name": "Ivanova"}
    if owner is not False:
        contact["user_id"] = chat if owner is None else owner
    return tg_message(chat, contact=contact, **kw)


def tg_blocked(chat):
    return {
        "update_id": next(_update_ids),
        "my_chat_member": {
            "chat": {"id": chat, "type": "private", "first_name": "Anna"},
            "from": tg_user(chat),
            "date": 1767225600,
            "old_chat_member": {"user": {"id": 42, "is_bot": True}, "status": "member"},
            "new_chat_member": {
                "user": {"id": 42, "is_bot": True},
                "status": "kicked",
                "until_date": 0,
            },
        },
    }


class BotSetupMixin:
    """A connected bot on ``cls.program`` (a bonus program with a welcome
    gift, set up by the test class)."""

    @classmethod
    def _lp_setup_bot(cls, program, **values):
        bot = (
            cls.env["lp.bot"]
            .sudo()
            .create({"name": "Shop bot", "program_id": program.id, **values})
        )
        bot.write(
            {
                "token": TOKEN,
                "username": BOT_USERNAME,
                "state": "connected",
                "secret_token": "s3cret-" + "x" * 20,
            }
        )
        return bot

    def send_queue(self, bot=None):
        """Run the sender with a fake clock; returns the calls it made."""
        clock = FakeClock()
        type(self).telegram_clock = clock
        before = len(self.telegram_calls)
        (bot or self.bot)._lp_send_queue(clock=clock.clock, sleep=clock.sleep)
        return self.telegram_calls[before:]


class WebhookMixin:
    """Updates posted to the webhook as Telegram posts them (an HttpCase)."""

    def post(self, update, secret=None, raw=None, bot=None):
        bot = bot or self.bot
        headers = {"Content-Type": "application/json"}
        if secret is not False:
            headers["X-Telegram-Bot-Api-Secret-Token"] = (
                secret or bot.sudo().secret_token
            )
        response = self.url_open(
            f"/loyalty/bot/{bot.id}/update",
            data=raw if raw is not None else json.dumps(update),
            headers=headers,
        )
        self.env.invalidate_all()
        return response

    def converse(self, chat, *updates):
        """Post each update of one chat; returns the states answered."""
        states = []
        for update in updates:
            response = self.post(update)
            self.assertEqual(response.status_code, 200, response.text)
            states.append(response.json().get("state"))
        return states


class BotHttpCase(TelegramMock, BotSetupMixin, WebhookMixin, HttpCase):
    """A connected bot, updates posted to its webhook."""
