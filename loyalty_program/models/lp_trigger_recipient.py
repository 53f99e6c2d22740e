from odoo import fields, models


class LpCampaignRecipient(models.Model):
    """A trigger's recipient rows are the campaign machinery's rows, owned
    by a trigger run instead of a campaign (extension kept apart from the
    campaign files): the run is the owner the dispatch fills, the trigger
    and the occasion say what the message is about."""

    _inherit = "lp.campaign.recipient"

    trigger_id = fields.Many2one(
        "lp.trigger", index="btree_not_null", ondelete="cascade", readonly=True
    )
    trigger_run_id = fields.Many2one(
        "lp.trigger.run", index="btree_not_null", ondelete="cascade", readonly=True
    )
    trigger_message_id = fields.Many2one(
        "lp.trigger.message", string="Occasion", readonly=True, ondelete="set null"
    )

    def _text_source(self):
        return self.trigger_id or super()._text_source()
