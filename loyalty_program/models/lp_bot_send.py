import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests

from odoo import api, fields, models

from ..tools import bot_queue
from ..tools.telegram import TelegramApi, TelegramError
from .lp_ledger import commit_progress

_logger = logging.getLogger(__name__)
JOB_SECONDS = 55  # a run outside the scheduler (a button, a shell)
DEFAULT_RETRY_AFTER = 5


class LpBot(models.Model):
    """Sending the queue: rounds of at most the room left in the bot's
    30-a-second pace, one message per chat and none to a chat sent to less
    than a second ago, sent side by side; a 429 pauses the bot for the
    delay Telegram gives, a blocked bot withdraws the customer's consent."""

    _inherit = "lp.bot"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _cron_send(self):
        """The sending job (woken when something is queued)."""
        end = self.env.context.get("cron_end_time") or time.monotonic() + JOB_SECONDS
        bots = self.sudo().search([("state", "=", "connected")])
        for bot in bots:
            bot._lp_send_queue(deadline=end - 2)
        self._lp_schedule_next(bots)

    def _lp_schedule_next(self, bots):
        """Wake the job again when the earliest queued message is due."""
        Message = self.env["lp.bot.message"].sudo()
        first = Message.search(
            [("bot_id", "in", bots.ids), ("state", "=", "queued")],
            order="not_before",
            limit=1,
        )
        if first:
            at = first.not_before
            paused = [bot.paused_until for bot in bots if bot.paused_until]
            at = max([at, *paused])
            Message._lp_wake_sender(at=at if at > fields.Datetime.now() else None)

    def _lp_send_queue(self, deadline=None, clock=time.monotonic, sleep=time.sleep):
        """Send the messages of this bot that are due, until none is left,
        the bot is paused or ``deadline`` (a ``clock()`` value) is passed.
        Returns the number sent."""
        self.ensure_one()
        Message = self.env["lp.bot.message"].sudo()
        pace = bot_queue.Pace()
        busy = dict.fromkeys(
            Message._lp_recent_chats(self), clock() + bot_queue.PER_CHAT_SECONDS
        )
        sent = 0
        token = self.sudo().token
        if not token:
            return 0
        with BotCalls(token) as calls:
            while deadline is None or clock() < deadline:
                round_sent = self._lp_send_round(
                    Message, pace, busy, calls, clock, sleep
                )
                if round_sent is None:
                    break
                sent += round_sent
        return sent

    def _lp_send_round(self, Message, pace, busy, calls, clock, sleep):
        """One round of the sending loop: the number sent (0 after a wait),
        or None when nothing more can go now."""
        if self.paused_until and self.paused_until > fields.Datetime.now():
            return None
        room = pace.room(clock())
        if not room:
            sleep(pace.wait(clock()))
            return 0
        rows = Message._lp_due(self, room * 3)
        ids = bot_queue.pick(rows, room, busy, clock())
        if not ids:
            if not rows:
                return None
            # only chats written to less than a second ago: wait for the first
            sleep(max(min(busy.get(chat, 0) for _id, chat in rows) - clock(), 0.05))
            return 0
        messages = Message.browse(ids)._lp_ready()
        if not messages:
            return 0
        results = messages._lp_deliver(calls)
        now = clock()
        pace.spend(now, len(messages))
        for message in messages:
            busy[message.chat_id.id] = now + bot_queue.PER_CHAT_SECONDS
        sent = messages._lp_record(results)
        commit_progress(self.env, len(messages))
        return sent


class BotCalls:
    """Bot API calls side by side for one sending run: a few threads that
    only do HTTP (the ORM stays in the caller's thread), each with its own
    ``requests`` session kept for the run."""

    def __init__(self, token):
        self.token = token
        self.local = threading.local()
        self.sessions = []
        self.pool = None

    def __enter__(self):
        self.pool = ThreadPoolExecutor(max_workers=bot_queue.THREADS)
        return self

    def __exit__(self, *exc_info):
        self.pool.shutdown()
        for session in self.sessions:
            session.close()

    def _call(self, method, params, files):
        if method is None:
            return TelegramError(params, 400)
        if not hasattr(self.local, "api"):
            session = requests.Session()
            self.sessions.append(session)
            self.local.api = TelegramApi(self.token, session=session)
        try:
            return self.local.api.call(method, params, files=files)
        except TelegramError as error:
            return error

    def run(self, calls):
        """The result (or TelegramError) of each (method, params, files)."""
        futures = [self.pool.submit(self._call, *call) for call in calls]
        return [future.result() for future in futures]


class LpBotMessage(models.Model):
    _inherit = "lp.bot.message"  # pylint: disable=consider-merging-classes-inherited

    def _lp_deliver(self, calls):
        """Send these messages side by side through ``calls`` (a
        :class:`BotCalls`). Returns {message: result or TelegramError}."""
        prepared = []
        for message in self:
            try:
                prepared.append(message._lp_request())
            except Exception as error:
                _logger.exception("Bot message %s cannot be prepared", message.id)
                prepared.append((None, repr(error), None))
        return dict(zip(self, calls.run(prepared), strict=True))

    def _lp_record(self, results):
        """Write what Telegram answered; returns the number sent."""
        now = fields.Datetime.now()
        sent = self.browse()
        for message, result in results.items():
            if not isinstance(result, TelegramError):
                message.write(
                    {"state": "sent", "sent_date": now, "tries": message.tries + 1}
                )
                sent |= message
                continue
            error = result
            if error.code == 429:
                delay = timedelta(seconds=error.retry_after or DEFAULT_RETRY_AFTER)
                message.write({"not_before": now + delay, "error": error.description})
                message.bot_id.sudo().paused_until = now + delay
                continue
            tries = message.tries + 1
            if error.blocked:
                message.write(
                    {"state": "failed", "tries": tries, "error": error.description}
                )
                message.chat_id._lp_mark_blocked("Telegram: " + error.description)
            elif error.transient and tries < bot_queue.MAX_TRIES:
                delay = timedelta(seconds=bot_queue.retry_delay(tries))
                message.write(
                    {
                        "tries": tries,
                        "not_before": now + delay,
                        "error": error.description,
                    }
                )
            else:
                message.write(
                    {"state": "failed", "tries": tries, "error": error.description}
                )
        self._lp_after_send(sent)
        return len(sent)

    def _lp_after_send(self, sent):
        """Hook after a round: ``sent`` went out (meant to be extended:
        campaign rows, gifts). Failed ones are in ``self``."""
        return sent
