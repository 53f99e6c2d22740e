from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class LpCampaign(models.Model):
    """The messenger bot as a campaign channel: its own text (the SMS text
    when empty), its count in the preview, its messages in the delivery
    figures; it costs nothing, so its rows add nothing to the cost."""

    _inherit = "lp.campaign"  # pylint: disable=consider-merging-classes-inherited

    channel = fields.Selection(
        selection_add=[("bot", "Messenger bot")], ondelete={"bot": "set default"}
    )
    bot_body = fields.Text(
        string="Messenger text",
        translate=True,
        help="What the bot writes in the chat (no length limit, no cost). "
        "Empty: the SMS text.",
    )
    bot_count = fields.Integer(string="In the messenger", readonly=True, copy=False)
    bot_sent_count = fields.Integer(
        string="Sent in the messenger", readonly=True, copy=False
    )

    def _preview_values(self, spec, recount=False):
        values = super()._preview_values(spec, recount=recount)
        counts = self.env["lp.message.dispatch"]._summary(spec["owner"])
        values["bot_count"] = sum(
            count
            for (state, _reason, channel), (count, _parts) in counts.items()
            if state in ("target", "scheduled") and channel == "bot"
        )
        return values

    def _targets_without_mailing(self):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT 1 FROM lp_campaign_recipient WHERE campaign_id = %s "
                "AND state IN ('target', 'scheduled') AND channel = 'bot' LIMIT 1",
                self.id,
            )
        )
        return bool(self.env.cr.fetchone()) or super()._targets_without_mailing()

    def _schedule(self):
        """The bot rows were queued with the mailings; when the figures
        changed since the preview (nothing is scheduled), they are taken
        back as the mailings are."""
        warning = super()._schedule()
        if warning:
            dispatch = self.env["lp.message.dispatch"]
            dispatch._lp_unqueue_bot_rows({"campaign_id": self.id})
        return warning

    def _check_texts(self):
        result = super()._check_texts()
        self.env.cr.execute(
            SQL(
                "SELECT 1 FROM lp_campaign_recipient WHERE campaign_id = %s "
                "AND state = 'target' AND channel = 'bot' LIMIT 1",
                self.id,
            )
        )
        if (
            self.env.cr.fetchone()
            and not (self.bot_body or self.sms_body or "").strip()
        ):
            raise UserError(
                self.env._("Write the messenger text (or the SMS text) first.")
            )
        return result

    def action_cancel(self):
        result = super().action_cancel()
        self.env["lp.bot.message"].sudo().search(
            [
                ("recipient_id.campaign_id", "in", self.ids),
                ("state", "=", "queued"),
            ]
        )._lp_cancel(self.env._("The campaign was cancelled."))
        return result

    def _lp_bot_progress(self):
        """(rows waiting on the bot channel, rows done with)."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                """
                SELECT COUNT(*) FILTER (WHERE state = 'scheduled'),
                       COUNT(*) FILTER (WHERE state IN ('sent', 'failed', 'cancel'))
                  FROM lp_campaign_recipient
                 WHERE campaign_id = %s AND channel = 'bot' AND "group" = 'target'
                """,
                self.id,
            )
        )
        return self.env.cr.fetchone()

    def _sync_state(self):
        """A campaign with messenger rows is done when its mailings are and
        no messenger row is waiting."""
        todo = self.filtered(lambda c: c.state in ("scheduled", "sending"))
        result = super()._sync_state()
        self.env.flush_all()
        for campaign in todo:
            waiting, finished = campaign._lp_bot_progress()
            if not (waiting or finished):
                continue
            mailings = set(campaign.mailing_ids.mapped("state"))
            if waiting:
                started = finished or mailings & {"sending", "done"}
                campaign.state = "sending" if started else "scheduled"
            else:
                campaign.state = "done" if mailings <= {"done"} else "sending"
        return result

    def _delivery_figures(self):
        figures = super()._delivery_figures()
        self.env.cr.execute(
            SQL(
                "SELECT COUNT(*) FROM lp_campaign_recipient WHERE campaign_id = %s "
                "AND channel = 'bot' AND state = 'sent'",
                self.id,
            )
        )
        bot_sent = self.env.cr.fetchone()[0]
        figures["bot_sent_count"] = bot_sent
        figures["sent_count"] += bot_sent
        return figures
