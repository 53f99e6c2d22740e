import logging
import time

from odoo import api, models
from odoo.tools import SQL

from ..tools.telegram import TelegramError
from .lp_bot import ALLOWED_UPDATES
from .lp_ledger import commit_progress

_logger = logging.getLogger(__name__)
POLL_WAIT = 20  # seconds Telegram holds a long poll open
JOB_SECONDS = 55


class LpBot(models.Model):
    """Updates by polling, for a shop Telegram cannot reach: the job asks
    ``getUpdates`` in long polls for about a minute, then runs again; one
    poller per bot at a time. The updates go through :meth:`_lp_receive`
    like the webhook's."""

    _inherit = "lp.bot"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _cron_poll(self):
        bots = self.sudo().search(
            [("update_mode", "=", "polling"), ("state", "=", "connected")]
        )
        if not bots:
            return
        end = self.env.context.get("cron_end_time") or time.monotonic() + JOB_SECONDS
        # One bot: wait for its updates; several: ask each in turn.
        wait = POLL_WAIT if len(bots) == 1 else 1
        while time.monotonic() + wait + 5 < end:
            if not sum(bot._lp_poll(wait) is not None for bot in bots):
                break

    def _lp_poll(self, wait=0):
        """One ``getUpdates`` of this bot, each update handled in its own
        transaction step. Returns the number of updates, or None when
        another worker is polling this bot or Telegram refused."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT pg_try_advisory_xact_lock(hashtext('lp.bot.poll'), %s)", self.id
            )
        )
        if not cr.fetchone()[0]:
            return None
        offset = self.env["lp.bot.update"]._lp_next_offset(self)
        try:
            updates = self._lp_api().get_updates(offset, wait, ALLOWED_UPDATES)
        except TelegramError as error:
            # 409: a webhook is set, or another program polls this bot
            _logger.warning(
                "Bot %s: getUpdates refused: %s", self.id, error.description
            )
            if not error.transient:
                self.sudo().write({"state": "error", "last_error": error.description})
                commit_progress(self.env, 0)
            return None
        for update in updates or []:
            try:
                self._lp_receive(update)
            except ValueError as error:
                self._lp_refuse_malformed(update, error)
            commit_progress(self.env, 1)
        return len(updates or [])

    def _lp_refuse_malformed(self, update, error):
        """Keep a polled update that is not one, so that the next poll moves
        past it."""
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if isinstance(update_id, int) and not isinstance(update_id, bool):
            row = self.env["lp.bot.update"]._lp_claim(self, update_id)
            row.write({"state": "refused", "note": str(error)[:250]})
