import logging

import psycopg2

from odoo import models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools import bot_updates

_logger = logging.getLogger(__name__)

# Updates that open a conversation with a chat the bot does not know yet;
# any other (the customer blocking a bot they never wrote to) is ignored.
OPENING = ("start", "text", "contact", "command")


class LpBot(models.Model):
    """Receiving updates, by webhook and polling alike: each update once,
    its chat locked while it is handled."""

    _inherit = "lp.bot"  # pylint: disable=consider-merging-classes-inherited

    def _lp_receive(self, update):
        """Handle one update (the decoded JSON) exactly once; returns the
        state of its row (``done``, ``ignored``, ``refused``, ``failed``) or
        ``duplicate`` when it was received before. Raises ``ValueError`` for
        a payload that is not an update. A refusal or an error is recorded
        on the update's row, never raised: Telegram gets its answer and does
        not send the update again. Meant to be called as superuser."""
        self.ensure_one()
        event = bot_updates.parse(update)
        row = self.env["lp.bot.update"]._lp_claim(self, event.update_id)
        if not row:
            return "duplicate"
        bot = self.with_company(self.company_id)
        chat = self.env["lp.bot.chat"]
        note = False
        try:
            with self.env.cr.savepoint():
                chat = bot._lp_chat_for(event)
                state = chat._lp_env()._lp_handle(event) if chat else "ignored"
        except psycopg2.OperationalError:
            # Another update of the same chat at the same time: the request
            # is retried by Odoo, this update's row with it.
            raise
        except (UserError, ValidationError) as error:
            state, note = "refused", str(error)
        except Exception as error:
            _logger.exception("Bot %s: update %s failed", self.id, event.update_id)
            state, note = "failed", repr(error)[:250]
        chat = chat.exists()
        row.write(
            {
                "state": state,
                "kind": event.kind,
                "chat_id": chat.id,
                "note": note,
            }
        )
        if state == "failed" and chat:
            chat._lp_env()._lp_say(
                chat._lp_env().env._("Sorry, something went wrong. Please try again.")
            )
        return state

    def _lp_chat_for(self, event):
        """The chat of ``event``, locked for this transaction; created when
        the event opens a conversation. Empty for an event of no chat."""
        self.ensure_one()
        Chat = self.env["lp.bot.chat"]
        if event.kind == "other" or event.chat_id is None:
            return Chat
        cr = self.env.cr
        self.env.flush_all()
        row = self._lp_lock_chat(event.chat_id)
        if not row and event.kind in OPENING:
            langs = [code for code, _name in self.env["res.lang"].get_installed()]
            cr.execute(
                SQL(
                    """
                    INSERT INTO lp_bot_chat (
                        bot_id, company_id, chat_ref, user_ref, telegram_name, lang,
                        step, blocked, joined, consent_bot, consent_sms,
                        create_uid, create_date, write_uid, write_date)
                    VALUES (%(bot)s, %(company)s, %(chat)s, %(user)s, %(name)s,
                            %(lang)s, 'phone', FALSE, FALSE, FALSE, FALSE,
                            %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s,
                            now() AT TIME ZONE 'UTC')
                    ON CONFLICT (bot_id, chat_ref) DO NOTHING
                    """,
                    bot=self.id,
                    company=self.company_id.id,
                    chat=event.chat_id,
                    user=event.user_id,
                    name=" ".join(filter(None, (event.first_name, event.last_name))),
                    lang=bot_updates.pick_lang(event.lang, langs),
                    uid=self.env.uid,
                )
            )
            row = self._lp_lock_chat(event.chat_id)
        return Chat.browse(row[0] if row else [])

    def _lp_lock_chat(self, chat_ref):
        """The row of the chat ``chat_ref``, locked (a concurrent update of
        the same chat waits, then fails to serialize and is retried)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM lp_bot_chat
                 WHERE bot_id = %s AND chat_ref = %s
                   FOR NO KEY UPDATE
                """,
                self.id,
                chat_ref,
            ),
            log_exceptions=False,
        )
        return self.env.cr.fetchone()
