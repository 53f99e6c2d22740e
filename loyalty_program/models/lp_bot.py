import base64
import secrets

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools.telegram import TelegramApi, TelegramError

# The updates the bot asks Telegram for: messages, and the customer
# blocking or restarting the bot.
ALLOWED_UPDATES = ["message", "my_chat_member"]


class TelegramId(fields.Integer):
    """A Telegram identifier: up to 52 bits, so a bigint column."""

    _column_type = ("int8", "int8")


class LpBot(models.Model):
    """A program's messenger bot (Telegram): customers join from the till's
    QR code by sharing their phone in the chat, get their card as a barcode
    picture and the welcome gift at once, read their balance; the bot is a
    channel of campaigns and triggers that costs nothing per message.

    Updates come by webhook (``/loyalty/bot/<id>/update``, checked against
    Telegram's ``secret_token``) or, behind a firewall, by the polling job;
    both go through :meth:`_lp_receive`. Everything the bot says goes
    through the queue of ``lp.bot.message``."""

    _name = "lp.bot"
    _description = "Loyalty Messenger Bot"
    _inherit = ["mail.thread"]
    _order = "id"

    name = fields.Char(required=True, default="Telegram", tracking=True)
    active = fields.Boolean(default=True)
    program_id = fields.Many2one(
        "lp.program",
        required=True,
        ondelete="cascade",
        index=True,
        domain="[('company_id', 'in', allowed_company_ids)]",
    )
    company_id = fields.Many2one(related="program_id.company_id", store=True)
    token = fields.Char(
        copy=False,
        groups="loyalty_program.group_lp_manager",
        help="The token BotFather gave when the bot was created "
        "(123456789:AA...). Keep it secret: whoever has it speaks as the bot.",
    )
    secret_token = fields.Char(copy=False, groups="base.group_system", readonly=True)
    username = fields.Char(
        string="Bot username", readonly=True, copy=False, help="Read from Telegram."
    )
    update_mode = fields.Selection(
        [("webhook", "Webhook"), ("polling", "Polling")],
        default="webhook",
        required=True,
        help="Webhook: Telegram posts each update to this database's web "
        "address (it must be reachable from the internet over HTTPS).\n"
        "Polling: a scheduled job asks Telegram for updates, for a shop "
        "behind a firewall.",
    )
    state = fields.Selection(
        [("draft", "Not connected"), ("connected", "Connected"), ("error", "Error")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    last_error = fields.Char(readonly=True, copy=False)
    webhook_url = fields.Char(compute="_compute_webhook_url")
    paused_until = fields.Datetime(
        readonly=True,
        copy=False,
        help="Telegram asked to wait (flood control): nothing is sent before.",
    )
    poster_code = fields.Char(
        default="poster",
        required=True,
        help="The start parameter of the printed QR code (letters, digits, _ "
        "and -): joins through it are counted under this source.",
    )
    deep_link = fields.Char(compute="_compute_deep_link")
    qr_image = fields.Binary(string="QR code", compute="_compute_deep_link")
    greeting_text = fields.Text(
        translate=True,
        help="The first message, before the customer shares the phone. "
        "Placeholders: {program}, {gift_points}.",
    )
    joined_text = fields.Text(
        translate=True,
        help="Sent once the customer joined, before the card. Placeholders: "
        "{name}, {program}, {gift_points}.",
    )
    chat_ids = fields.One2many("lp.bot.chat", "bot_id")
    chat_count = fields.Integer(compute="_compute_counts")
    join_count = fields.Integer(
        string="Joined through the bot", compute="_compute_counts"
    )
    queued_count = fields.Integer(compute="_compute_counts")

    _program_unique = models.UniqueIndex(
        "(program_id) WHERE active", "A program has one bot."
    )
    _poster_code_valid = models.Constraint(
        "CHECK(poster_code ~ '^[A-Za-z0-9_-]{1,40}$')",
        "The poster code is made of letters, digits, _ and - (40 at most).",
    )

    def _compute_webhook_url(self):
        for bot in self:
            bot.webhook_url = bot._lp_webhook_url() if bot.id else False

    @api.depends("username", "poster_code")
    def _compute_deep_link(self):
        for bot in self:
            bot.deep_link = bot._lp_link(bot.poster_code) or False
            bot.qr_image = (
                base64.b64encode(bot._lp_qr_png(bot.deep_link))
                if bot.deep_link
                else False
            )

    def _compute_counts(self):
        Chat = self.env["lp.bot.chat"]
        chats = dict(
            Chat._read_group([("bot_id", "in", self.ids)], ["bot_id"], ["__count"])
        )
        joins = dict(
            Chat._read_group(
                [("bot_id", "in", self.ids), ("joined", "=", True)],
                ["bot_id"],
                ["__count"],
            )
        )
        queued = dict(
            self.env["lp.bot.message"]._read_group(
                [("bot_id", "in", self.ids), ("state", "=", "queued")],
                ["bot_id"],
                ["__count"],
            )
        )
        for bot in self:
            bot.chat_count = chats.get(bot, 0)
            bot.join_count = joins.get(bot, 0)
            bot.queued_count = queued.get(bot, 0)

    # Actions

    def action_connect(self):
        """Check the token with Telegram (the bot's username), then register
        the webhook with a fresh secret, or remove it for polling."""
        self.ensure_one()
        self._lp_check_manager()
        bot = self.sudo()
        try:
            api = bot._lp_api()
            me = api.get_me() or {}
            if bot.update_mode == "webhook":
                url = bot._lp_webhook_url()
                if not url.startswith("https://"):
                    raise UserError(
                        self.env._(
                            "Telegram posts updates only to an HTTPS address; "
                            "this database's address is %(url)s. Set the web "
                            "base URL to its public HTTPS address, or use polling.",
                            url=url,
                        )
                    )
                secret = secrets.token_urlsafe(32)
                api.set_webhook(url, secret, ALLOWED_UPDATES)
                bot.secret_token = secret
            else:
                api.delete_webhook()
                self.env.ref("loyalty_program.ir_cron_lp_bot_poll").sudo()._trigger()
        except TelegramError as error:
            bot.write({"state": "error", "last_error": error.description})
            return self._lp_notify(error.description, "danger")
        bot.write(
            {
                "state": "connected",
                "last_error": False,
                "username": me.get("username") or bot.username,
            }
        )
        return self._lp_notify(
            self.env._("Connected to Telegram as @%(name)s.", name=bot.username),
            "success",
        )

    def action_disconnect(self):
        """Remove the webhook; the bot stops answering."""
        self.ensure_one()
        self._lp_check_manager()
        bot = self.sudo()
        try:
            if bot.token:
                bot._lp_api().delete_webhook()
        except TelegramError as error:
            bot.last_error = error.description
        bot.write({"state": "draft", "secret_token": False})
        return True

    def action_send_now(self):
        """Send what is due in the queue now (the job does it anyway)."""
        self._lp_check_manager()
        self.env.ref("loyalty_program.ir_cron_lp_bot_send").sudo()._trigger()
        return True

    @api.readonly
    def action_view_chats(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_program.action_lp_bot_chat"
        )
        action["domain"] = [("bot_id", "=", self.id)]
        return action

    @api.readonly
    def action_view_messages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_program.action_lp_bot_message"
        )
        action["domain"] = [("bot_id", "=", self.id)]
        return action

    # Business methods

    def _lp_check_manager(self):
        if not self.env.user.has_group("loyalty_program.group_lp_manager"):
            raise AccessError(self.env._("Only loyalty managers set up the bot."))
        self.check_access("write")

    def _lp_notify(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": kind,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _lp_api(self, session=None):
        """The Telegram client of this bot (meant to be overridden, e.g. by
        a local Bot API server)."""
        self.ensure_one()
        return TelegramApi(self.sudo().token, session=session)

    def _lp_webhook_url(self):
        """Where Telegram posts this bot's updates."""
        self.ensure_one()
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        return f"{base.rstrip('/')}/loyalty/bot/{self.id}/update"

    def _lp_link(self, payload=None):
        """The bot's deep link, ``t.me/<bot>?start=<payload>``."""
        self.ensure_one()
        if not self.username:
            return ""
        return f"https://t.me/{self.username}" + (
            f"?start={payload}" if payload else ""
        )

    def _lp_qr_png(self, link):
        return self.env["ir.actions.report"].barcode(
            "QR", link, width=360, height=360, barLevel="M"
        )

    @api.model
    def _lp_for_program(self, program):
        return self.sudo().search(
            [("program_id", "=", program.id), ("state", "=", "connected")], limit=1
        )
