import doctest
import json

import requests

from odoo.tests import BaseCase, tagged

from ..tools import bot_queue, bot_updates, telegram


class FakeSession:
    """A ``requests.Session`` answering ``answer`` (a Response or an
    exception to raise)."""

    def __init__(self, answer):
        self.answer = answer
        self.calls = []

    def post(self, url, **kwargs):
        self.calls.append((url, kwargs))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def response(status, payload):
    answer = requests.Response()
    answer.status_code = status
    answer._content = (
        payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    )
    return answer


@tagged("post_install", "-at_install")
class TestBotTools(BaseCase):
    """The bot's plain-Python cores: the Telegram client, reading updates,
    pacing the queue."""

    def test_doctests(self):
        for module in (telegram, bot_updates, bot_queue):
            result = doctest.testmod(module)
            self.assertGreater(result.attempted, 0, module.__name__)
            self.assertEqual(result.failed, 0, module.__name__)

    def test_client_reads_answers_and_refusals(self):
        session = FakeSession(response(200, {"ok": True, "result": {"username": "B"}}))
        api = telegram.TelegramApi("1:T", session=session)
        self.assertEqual(api.get_me(), {"username": "B"})
        self.assertEqual(session.calls[0][0], "https://api.telegram.org/bot1:T/getMe")
        flood = {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        }
        api.session = FakeSession(response(429, flood))
        with self.assertRaises(telegram.TelegramError) as caught:
            api.send_message(5, "hi")
        self.assertEqual(
            (caught.exception.code, caught.exception.retry_after), (429, 7)
        )
        self.assertTrue(caught.exception.transient)
        api.session = FakeSession(response(502, b"<html>Bad Gateway</html>"))
        with self.assertRaises(telegram.TelegramError) as caught:
            api.send_message(5, "hi")
        self.assertEqual(caught.exception.code, 502)

    def test_client_never_shows_the_token(self):
        token = "987:SECRET-token"
        error = requests.exceptions.ConnectionError(
            f"HTTPSConnectionPool(host='api.telegram.org'): url: /bot{token}/getMe"
        )
        api = telegram.TelegramApi(token, session=FakeSession(error))
        with self.assertRaises(telegram.TelegramError) as caught:
            api.get_me()
        self.assertNotIn("SECRET", str(caught.exception))
        self.assertIsNone(caught.exception.code)
        self.assertTrue(caught.exception.transient)

    def test_photo_goes_as_multipart_with_json_keyboard(self):
        session = FakeSession(response(200, {"ok": True, "result": {}}))
        api = telegram.TelegramApi("1:T", session=session)
        api.send_photo(5, b"\x89PNG", "x" * 2000, telegram.remove_keyboard())
        _url, kwargs = session.calls[0]
        self.assertEqual(kwargs["files"]["photo"][1], b"\x89PNG")
        self.assertEqual(len(kwargs["data"]["caption"]), telegram.CAPTION_LIMIT)
        self.assertEqual(
            json.loads(kwargs["data"]["reply_markup"]), {"remove_keyboard": True}
        )

    def test_updates_of_every_documented_shape(self):
        kinds = {
            "edited_message": {"update_id": 1, "edited_message": {"text": "x"}},
            "callback": {"update_id": 2, "callback_query": {"id": "1"}},
            "sticker": {
                "update_id": 3,
                "message": {
                    "chat": {"id": 5, "type": "private"},
                    "from": {"id": 5},
                    "sticker": {"file_id": "x"},
                },
            },
            "channel": {
                "update_id": 4,
                "message": {"chat": {"id": -100, "type": "channel"}, "from": {"id": 5}},
            },
        }
        for name, update in kinds.items():
            self.assertEqual(bot_updates.parse(update).kind, "other", name)
        for bad in (
            None,
            [],
            {"update_id": True},
            {"update_id": -1},
            {"update_id": 1, "message": []},
        ):
            with self.assertRaises(ValueError):
                bot_updates.parse(bad)
