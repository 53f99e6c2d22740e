from odoo import fields, models


class LpCampaignRecipient(models.Model):
    """The messenger bot as the dispatch's third channel: a row on the bot
    channel names the chat it goes to, and renders the bot's text."""

    _inherit = "lp.campaign.recipient"  # pylint: disable=consider-merging-classes-inherited

    channel = fields.Selection(
        selection_add=[("bot", "Messenger bot")], ondelete={"bot": "set null"}
    )
    bot_chat_id = fields.Many2one(
        "lp.bot.chat", string="Bot chat", readonly=True, ondelete="set null"
    )
    bot_text = fields.Text(string="Messenger text", compute="_compute_bot_text")

    def _compute_bot_text(self):
        for source, recipients in self.grouped(lambda r: r._text_source()).items():
            texts = source._render_recipients(recipients) if source else {}
            for recipient in recipients:
                recipient.bot_text = texts.get(recipient.id, {}).get("bot", False)
