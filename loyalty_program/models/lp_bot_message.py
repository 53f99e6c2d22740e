from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import telegram

KINDS = [("text", "Text"), ("card", "Card picture"), ("campaign", "Campaign")]
STATES = [
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("failed", "Not delivered"),
    ("cancel", "Cancelled"),
]


class LpBotMessage(models.Model):
    """One message the bot sends, queued the way mass SMS are: answers of
    the conversation (first in line), cards, and the messages of campaigns
    and triggers at their customer's send moment. The sending job
    (``lp_bot_send.py``) takes them within Telegram's limits."""

    _name = "lp.bot.message"
    _description = "Messenger Bot Message"
    _order = "id desc"

    bot_id = fields.Many2one(
        "lp.bot", required=True, ondelete="cascade", readonly=True, index=True
    )
    company_id = fields.Many2one(related="bot_id.company_id", store=True)
    chat_id = fields.Many2one(
        "lp.bot.chat", required=True, ondelete="cascade", readonly=True, index=True
    )
    partner_id = fields.Many2one(related="chat_id.partner_id")
    kind = fields.Selection(KINDS, required=True, default="text", readonly=True)
    text = fields.Text(readonly=True)
    reply_markup = fields.Json(readonly=True)
    member_id = fields.Many2one("lp.member", readonly=True, ondelete="cascade")
    recipient_id = fields.Many2one(
        "lp.campaign.recipient",
        readonly=True,
        ondelete="cascade",
        index="btree_not_null",
    )
    priority = fields.Integer(
        readonly=True, default=0, help="Higher goes first: the conversation's answers."
    )
    state = fields.Selection(STATES, default="queued", required=True, readonly=True)
    not_before = fields.Datetime(
        string="Send after", required=True, readonly=True, default=fields.Datetime.now
    )
    tries = fields.Integer(readonly=True)
    error = fields.Char(readonly=True)
    sent_date = fields.Datetime(readonly=True)

    _due_index = models.Index(
        "(bot_id, priority DESC, not_before, id) WHERE state = 'queued'"
    )
    _recent_index = models.Index("(bot_id, sent_date) WHERE state = 'sent'")

    @api.model
    def _lp_queue(self, vals_list):
        """Queue messages (each with ``chat_id``) and wake the sending job."""
        chats = self.env["lp.bot.chat"].browse({vals["chat_id"] for vals in vals_list})
        bot_of = {chat.id: chat.bot_id.id for chat in chats}
        messages = self.sudo().create(
            [{**vals, "bot_id": bot_of[vals["chat_id"]]} for vals in vals_list]
        )
        self._lp_wake_sender()
        return messages

    @api.model
    def _lp_wake_sender(self, at=None):
        """Run the sending job now (or at ``at``), once per transaction."""
        data = self.env.cr.precommit.data.setdefault("lp_bot_wake", set())
        key = at or "now"
        if key in data:
            return
        data.add(key)
        self.env.ref("loyalty_program.ir_cron_lp_bot_send").sudo()._trigger(at)

    def _lp_cancel(self, reason):
        self.filtered(lambda m: m.state == "queued").sudo().write(
            {"state": "cancel", "error": reason}
        )

    # Sending (see lp.bot._lp_send_queue)

    @api.model
    def _lp_due(self, bot, limit):
        """(id, chat) of the messages of ``bot`` due now, in sending order,
        locked (a second sender skips them)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT id, chat_id FROM lp_bot_message
                 WHERE bot_id = %s AND state = 'queued' AND not_before <= %s
                 ORDER BY priority DESC, not_before, id
                 LIMIT %s
                   FOR UPDATE SKIP LOCKED
                """,
                bot.id,
                fields.Datetime.now(),
                limit,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _lp_recent_chats(self, bot, seconds=2):
        """Chats of ``bot`` sent a message within the last ``seconds``."""
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT chat_id FROM lp_bot_message
                 WHERE bot_id = %s AND state = 'sent'
                   AND sent_date >= %s - make_interval(secs => %s)
                """,
                bot.id,
                fields.Datetime.now(),
                seconds,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _lp_ready(self):
        """These messages less those that must not go any more (cancelled
        here). Meant to be extended."""
        return self

    def _lp_request(self):
        """(Bot API method, parameters, files) that sends this message.
        Meant to be extended (kinds of message)."""
        self.ensure_one()
        chat = self.chat_id.chat_ref
        if self.kind == "card":
            number = self.member_id.card_number
            if number:
                png = self.env["ir.actions.report"].barcode(
                    "auto", number, width=600, height=240, humanreadable=1
                )
                return (
                    "sendPhoto",
                    {
                        "chat_id": chat,
                        "caption": telegram.truncate(self.text, telegram.CAPTION_LIMIT),
                        "reply_markup": self.reply_markup,
                    },
                    {"photo": ("card.png", png, "image/png")},
                )
        return (
            "sendMessage",
            {
                "chat_id": chat,
                "text": telegram.truncate(self._lp_text(), telegram.TEXT_LIMIT),
                "reply_markup": self.reply_markup,
                "link_preview_options": {"is_disabled": True},
            },
            None,
        )

    def _lp_text(self):
        """The text sent (meant to be extended: campaign messages)."""
        self.ensure_one()
        return self.text or ""
