from odoo import api, fields, models

from .lp_bot import TelegramId

STEPS = [
    ("phone", "Waiting for the phone"),
    ("name", "Name"),
    ("birthday", "Birthday"),
    ("consent_bot", "Consent to offers in the chat"),
    ("consent_sms", "Consent to SMS"),
    ("done", "Member"),
]


class LpBotChat(models.Model):
    """One customer's private chat with a bot: where the conversation
    stands, the answers given so far, and, once joined, the customer and
    membership it belongs to. Written by the bot only (the update handler
    in ``lp_bot_conversation.py``)."""

    _name = "lp.bot.chat"
    _description = "Messenger Bot Chat"
    _order = "id desc"

    bot_id = fields.Many2one("lp.bot", required=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="bot_id.company_id", store=True)
    chat_ref = TelegramId(
        string="Telegram chat", required=True, readonly=True, aggregator=None
    )
    user_ref = TelegramId(string="Telegram user", readonly=True, aggregator=None)
    telegram_name = fields.Char(readonly=True)
    lang = fields.Char(string="Language", readonly=True)
    step = fields.Selection(STEPS, default="phone", required=True, readonly=True)
    phone = fields.Char(readonly=True, help="Shared from the customer's own account.")
    name = fields.Char(readonly=True)
    birthday = fields.Date(readonly=True)
    consent_bot = fields.Boolean(readonly=True)
    consent_sms = fields.Boolean(readonly=True)
    partner_id = fields.Many2one(
        "res.partner", readonly=True, index="btree_not_null", ondelete="set null"
    )
    member_id = fields.Many2one(
        "lp.member", readonly=True, index="btree_not_null", ondelete="set null"
    )
    source = fields.Char(
        readonly=True,
        help="The start parameter of the link the customer came by (a till, "
        "the poster, a campaign).",
    )
    pos_config_id = fields.Many2one(
        "pos.config", string="Till", readonly=True, ondelete="set null"
    )
    joined = fields.Boolean(
        readonly=True,
        default=False,
        help="The customer became a member through this chat.",
    )
    join_date = fields.Datetime(readonly=True)
    blocked = fields.Boolean(
        readonly=True, default=False, help="The customer stopped or blocked the bot."
    )
    last_date = fields.Datetime(string="Last message", readonly=True)
    message_ids = fields.One2many("lp.bot.message", "chat_id", readonly=True)

    _chat_unique = models.UniqueIndex("(bot_id, chat_ref)")
    _partner_bot = models.Index("(partner_id, bot_id) WHERE blocked IS NOT TRUE")

    @api.depends("name", "telegram_name", "chat_ref")
    def _compute_display_name(self):
        for chat in self:
            chat.display_name = (
                chat.partner_id.name
                or chat.name
                or chat.telegram_name
                or str(chat.chat_ref)
            )

    # Helpers

    def _lp_env(self):
        """This chat in its customer's language."""
        self.ensure_one()
        return self.with_context(lang=self.lang or "en_US")

    def _lp_say(self, text, keyboard=None, priority=10):
        """Queue ``text`` for this chat; conversation answers go first."""
        self.ensure_one()
        return self.env["lp.bot.message"]._lp_queue(
            [
                {
                    "chat_id": self.id,
                    "kind": "text",
                    "text": text,
                    "reply_markup": keyboard,
                    "priority": priority,
                }
            ]
        )

    def _lp_send_card(self, caption, keyboard=None):
        """Queue the member's card as a barcode picture."""
        self.ensure_one()
        return self.env["lp.bot.message"]._lp_queue(
            [
                {
                    "chat_id": self.id,
                    "kind": "card",
                    "member_id": self.member_id.id,
                    "text": caption,
                    "reply_markup": keyboard,
                    "priority": 10,
                }
            ]
        )

    def _lp_mark_blocked(self, note=None):
        """The customer blocked the bot: nothing more is sent, the bot
        consent is withdrawn (audited, source "bot")."""
        chats = self.filtered(lambda chat: not chat.blocked)
        if not chats:
            return
        chats.sudo().write({"blocked": True})
        queued = (
            self.env["lp.bot.message"]
            .sudo()
            .search([("chat_id", "in", chats.ids), ("state", "=", "queued")])
        )
        queued._lp_cancel(self.env._("The customer blocked the bot."))
        chats.partner_id.filtered("lp_consent_bot").sudo().with_context(
            lp_consent_source="bot", lp_consent_note=note or "Telegram: blocked"
        ).write({"lp_consent_bot": False})
