"""A small synchronous client of the Telegram Bot API, over ``requests``
(the way ``sms_twilio/tools/sms_api.py`` talks to its provider). Odoo's
workers are synchronous: no asyncio framework, no process of its own.

Every call is an HTTPS POST to ``https://api.telegram.org/bot<token>/<method>``
answered by ``{"ok": true, "result": ...}`` or ``{"ok": false,
"error_code": 403, "description": "...", "parameters": {"retry_after": 5}}``.
A refusal raises :class:`TelegramError`; the token never appears in its
message (a connection error's text names the URL, hence the token).

>>> error = TelegramError("Forbidden: bot was blocked by the user", 403)
>>> error.blocked, error.transient
(True, False)
>>> TelegramError("Too Many Requests: retry after 7", 429, retry_after=7).transient
True
>>> TelegramError("Bad Gateway", 502).transient, TelegramError("timeout").transient
(True, True)
>>> TelegramError("Bad Request: chat not found", 400).blocked
True
>>> hide_token("url: /bot123:ABC/sendMessage", "123:ABC")
'url: /bot***/sendMessage'
>>> contact_keyboard("Share my phone")["keyboard"][0][0]["request_contact"]
True
>>> buttons_keyboard([["Yes", "No"]])["keyboard"]
[[{'text': 'Yes'}, {'text': 'No'}]]
>>> truncate("x" * 5000, 4096)[-1], len(truncate("x" * 5000, 4096))
('…', 4096)
"""

import json

import requests

API_URL = "https://api.telegram.org"
TEXT_LIMIT = 4096  # characters of a message
CAPTION_LIMIT = 1024  # characters of a photo's caption
TIMEOUT = 10  # seconds of a call (a long poll adds its own wait)
# A chat the bot can no longer write to: the customer blocked the bot,
# deleted the account, or the chat is gone.
GONE_DESCRIPTIONS = ("chat not found", "user is deactivated", "bot was blocked")


class TelegramError(Exception):
    """A call Telegram refused (``code``: its HTTP error code) or that did
    not reach it (``code`` None). ``retry_after``: the seconds Telegram
    asks to wait after a 429."""

    def __init__(self, description, code=None, retry_after=None):
        super().__init__(description)
        self.description = description
        self.code = code
        self.retry_after = retry_after

    @property
    def blocked(self):
        """The customer cannot be written to any more (blocked the bot)."""
        return self.code == 403 or (
            self.code == 400
            and any(text in self.description.lower() for text in GONE_DESCRIPTIONS)
        )

    @property
    def transient(self):
        """Worth trying again later: flood control, Telegram's own trouble,
        or no answer at all."""
        return self.code is None or self.code == 429 or self.code >= 500


def hide_token(text, token):
    return text.replace(token, "***") if token else text


def truncate(text, limit):
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def contact_keyboard(label):
    """A one-button keyboard that shares the sender's own phone."""
    return {
        "keyboard": [[{"text": label, "request_contact": True}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }


def buttons_keyboard(rows, one_time=True):
    """A reply keyboard: each button sends its label as a message."""
    return {
        "keyboard": [[{"text": label} for label in row] for row in rows],
        "resize_keyboard": True,
        "one_time_keyboard": one_time,
    }


def remove_keyboard():
    return {"remove_keyboard": True}


class TelegramApi:
    """The Bot API methods the addon uses. ``session``: a
    ``requests.Session`` to reuse connections (one per sending run)."""

    def __init__(self, token, session=None, timeout=TIMEOUT, base_url=API_URL):
        if not token:
            raise TelegramError("The bot has no token.")
        self.token = token
        self.session = session or requests.Session()
        self.timeout = timeout
        self.base_url = base_url

    def call(self, method, params=None, files=None, timeout=None):
        """POST ``method`` with ``params`` (JSON, or a multipart form with
        ``files``); returns the ``result`` or raises :class:`TelegramError`."""
        url = f"{self.base_url}/bot{self.token}/{method}"
        params = {
            key: value for key, value in (params or {}).items() if value is not None
        }
        try:
            if files:
                form = {
                    key: json.dumps(value) if isinstance(value, (dict, list)) else value
                    for key, value in params.items()
                }
                response = self.session.post(
                    url, data=form, files=files, timeout=timeout or self.timeout
                )
            else:
                response = self.session.post(
                    url, json=params, timeout=timeout or self.timeout
                )
        except requests.exceptions.RequestException as error:
            raise TelegramError(hide_token(str(error), self.token)) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise TelegramError(
                f"HTTP {response.status_code}: not an answer of the Bot API",
                response.status_code,
            )
        if body.get("ok"):
            return body.get("result")
        parameters = body.get("parameters")
        retry_after = (
            parameters.get("retry_after") if isinstance(parameters, dict) else None
        )
        raise TelegramError(
            hide_token(str(body.get("description") or "refused"), self.token),
            body.get("error_code") or response.status_code,
            retry_after=retry_after if isinstance(retry_after, int) else None,
        )

    # The methods used

    def get_me(self):
        return self.call("getMe")

    def set_webhook(self, url, secret_token, allowed_updates):
        return self.call(
            "setWebhook",
            {
                "url": url,
                "secret_token": secret_token,
                "allowed_updates": allowed_updates,
                "max_connections": 10,
            },
        )

    def delete_webhook(self):
        return self.call("deleteWebhook", {"drop_pending_updates": False})

    def get_updates(self, offset, wait, allowed_updates, limit=100):
        """Long poll: at most ``wait`` seconds for updates after ``offset``
        (which also confirms the ones before it)."""
        return self.call(
            "getUpdates",
            {
                "offset": offset,
                "timeout": wait,
                "limit": limit,
                "allowed_updates": allowed_updates,
            },
            timeout=self.timeout + wait,
        )

    def send_message(self, chat_id, text, reply_markup=None):
        return self.call(
            "sendMessage",
            {
                "chat_id": chat_id,
                "text": truncate(text, TEXT_LIMIT),
                "reply_markup": reply_markup,
                "link_preview_options": {"is_disabled": True},
            },
        )

    def send_photo(self, chat_id, png, caption=None, reply_markup=None):
        return self.call(
            "sendPhoto",
            {
                "chat_id": chat_id,
                "caption": truncate(caption, CAPTION_LIMIT) if caption else None,
                "reply_markup": reply_markup,
            },
            files={"photo": ("card.png", png, "image/png")},
        )
