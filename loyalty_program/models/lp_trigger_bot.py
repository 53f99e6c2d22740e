from odoo import fields, models


class LpTrigger(models.Model):
    """Triggers on the messenger bot, like campaigns: its own text (the SMS
    text when empty)."""

    _inherit = "lp.trigger"  # pylint: disable=consider-merging-classes-inherited

    channel = fields.Selection(
        selection_add=[("bot", "Messenger bot")], ondelete={"bot": "set default"}
    )
    bot_body = fields.Text(
        string="Messenger text",
        translate=True,
        help="What the bot writes in the chat. Empty: the SMS text.",
    )
