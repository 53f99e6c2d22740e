import json
import logging

from odoo import http
from odoo.http import request
from odoo.tools import consteq

_logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BYTES = 1 << 20  # an update is a few kilobytes


class LoyaltyBot(http.Controller):
    """Telegram's webhook: ``POST /loyalty/bot/<bot id>/update`` with the
    update as JSON and the bot's secret in the ``X-Telegram-Bot-Api-Secret-
    Token`` header. Anything else is refused before it is read; a body that
    is not an update gets a 400; a known update is answered 200 without
    being handled again."""

    def _lp_answer(self, status, payload=None):
        return request.make_json_response(
            payload or {"ok": status == 200}, status=status
        )

    @http.route(
        "/loyalty/bot/<int:bot_id>/update",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
        sitemap=False,
    )
    def loyalty_bot_update(self, bot_id, **kwargs):
        bot = request.env["lp.bot"].sudo().browse(bot_id).exists()
        secret = request.httprequest.headers.get(SECRET_HEADER) or ""
        expected = bot.secret_token if bot else ""
        if not (
            bot
            and bot.active
            and bot.state == "connected"
            and bot.update_mode == "webhook"
            and expected
            and consteq(secret, expected)
        ):
            # the same answer for an unknown bot and a wrong secret
            return self._lp_answer(403, {"ok": False, "description": "Forbidden"})
        body = request.httprequest.get_data(cache=False)
        if len(body) > MAX_BYTES:
            return self._lp_answer(413, {"ok": False, "description": "Too large"})
        try:
            update = json.loads(body)
            state = bot._lp_receive(update)
        except (ValueError, RecursionError) as error:
            _logger.info("Bot %s: not an update: %s", bot.id, error)
            return self._lp_answer(400, {"ok": False, "description": str(error)})
        return self._lp_answer(200, {"ok": True, "state": state})
