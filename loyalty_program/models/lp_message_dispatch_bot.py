from odoo import api, fields, models
from odoo.tools import SQL


class LpMessageDispatch(models.AbstractModel):
    """The bot channel of the dispatch: the rows on the bot channel are not
    mailed, they are queued as bot messages at their send moment (the
    queue respects Telegram's limits); once sent, the rows and the gifts
    follow as for a mailing (``lp.bot.message._lp_sync_recipients``)."""

    _inherit = "lp.message.dispatch"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _create_mailings(self, owner, mailing_values, queue=True):
        """The bot rows are queued as bot messages first (the mailings take
        the rest); a caller that takes the mailings back
        (:meth:`_drop_mailings`) takes these back with
        :meth:`_lp_unqueue_bot_rows`."""
        self._lp_queue_bot_rows(owner)
        return super()._create_mailings(owner, mailing_values, queue=queue)

    @api.model
    def _lp_unqueue_bot_rows(self, owner):
        """Take back the bot messages of ``owner`` not sent: their rows are
        targets again."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH rows AS (
                    UPDATE lp_campaign_recipient r
                       SET state = 'target', queued_date = NULL
                     WHERE %s AND r.state = 'scheduled' AND r.channel = 'bot'
                       AND r.mailing_id IS NULL
                 RETURNING r.id
                )
                DELETE FROM lp_bot_message m USING rows
                 WHERE m.recipient_id = rows.id AND m.state = 'queued'
                """,
                self._owner_sql(owner),
            )
        )
        self.env["lp.campaign.recipient"].invalidate_model()
        self.env["lp.bot.message"].invalidate_model()

    @api.model
    def _lp_queue_bot_rows(self, owner):
        """Queue one bot message per target row of ``owner`` on the bot
        channel, not before its send moment; the rows become ``scheduled``
        (``queued_date``: now, the order the cap goes by). Set-based.
        Returns the number queued."""
        self.env.flush_all()
        now = fields.Datetime.now()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                WITH rows AS (
                    UPDATE lp_campaign_recipient r
                       SET state = 'scheduled', queued_date = %(now)s
                     WHERE %(owner)s AND r.state = 'target' AND r.channel = 'bot'
                       AND r.bot_chat_id IS NOT NULL
                 RETURNING r.id, r.bot_chat_id, r.scheduled_date
                ),
                queued AS (
                INSERT INTO lp_bot_message (
                    bot_id, company_id, chat_id, kind, recipient_id, priority,
                    state, not_before, tries,
                    create_uid, create_date, write_uid, write_date)
                SELECT ch.bot_id, ch.company_id, rows.bot_chat_id, 'campaign',
                       rows.id, 0, 'queued', COALESCE(rows.scheduled_date, %(now)s),
                       0, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM rows JOIN lp_bot_chat ch ON ch.id = rows.bot_chat_id
             RETURNING not_before
                )
                SELECT not_before, COUNT(*) FROM queued GROUP BY 1 ORDER BY 1
                """,
                owner=self._owner_sql(owner),
                now=now,
                uid=self.env.uid,
            )
        )
        counts = dict(cr.fetchall())
        moments = list(counts)
        self.env["lp.campaign.recipient"].invalidate_model()
        self.env["lp.bot.message"].invalidate_model()
        if moments:
            cron = self.env.ref("loyalty_program.ir_cron_lp_bot_send").sudo()
            cron._trigger([max(moment, now) for moment in moments])
        return sum(counts.values())
