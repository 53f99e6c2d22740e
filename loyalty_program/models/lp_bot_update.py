from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .lp_bot import TelegramId

KEEP_DAYS = 30


class LpBotUpdate(models.Model):
    """One update received from Telegram, by webhook or polling. The row is
    claimed before the update is handled, keyed by the update's id: a
    webhook Telegram retries, a replayed update or a poll that overlaps a
    webhook finds the row and changes nothing."""

    _name = "lp.bot.update"
    _description = "Messenger Bot Update"
    _order = "id desc"
    _rec_name = "update_id"

    bot_id = fields.Many2one("lp.bot", required=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="bot_id.company_id", store=True)
    update_id = TelegramId(required=True, readonly=True, aggregator=None)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    kind = fields.Char(readonly=True)
    chat_id = fields.Many2one("lp.bot.chat", readonly=True, ondelete="set null")
    state = fields.Selection(
        [
            ("new", "Being handled"),
            ("done", "Handled"),
            ("ignored", "Ignored"),
            ("refused", "Refused"),
            ("failed", "Failed"),
        ],
        default="new",
        required=True,
        readonly=True,
    )
    note = fields.Char(readonly=True)

    _update_unique = models.UniqueIndex("(bot_id, update_id)")

    @api.model
    def _lp_claim(self, bot, update_id):
        """The new row of ``update_id``, or an empty recordset when it was
        received before (or is being handled by a concurrent request, which
        this one waits for)."""
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO lp_bot_update (
                    bot_id, company_id, update_id, date, state,
                    create_uid, create_date, write_uid, write_date)
                VALUES (%(bot)s, %(company)s, %(update)s, %(now)s, 'new',
                        %(uid)s, %(now)s, %(uid)s, %(now)s)
                ON CONFLICT (bot_id, update_id) DO NOTHING
                RETURNING id
                """,
                bot=bot.id,
                company=bot.company_id.id,
                update=update_id,
                now=fields.Datetime.now(),
                uid=self.env.uid,
            )
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0] if row else [])

    @api.model
    def _lp_next_offset(self, bot):
        """The ``getUpdates`` offset after the updates already received."""
        self.env.cr.execute(
            SQL("SELECT MAX(update_id) FROM lp_bot_update WHERE bot_id = %s", bot.id)
        )
        last = self.env.cr.fetchone()[0]
        return last + 1 if last is not None else None

    @api.autovacuum
    def _gc_bot_updates(self):
        """Forget updates after a month (Telegram retries for a day)."""
        self.env.cr.execute(
            SQL(
                "DELETE FROM lp_bot_update WHERE date < %s",
                fields.Datetime.now() - timedelta(days=KEEP_DAYS),
            )
        )
