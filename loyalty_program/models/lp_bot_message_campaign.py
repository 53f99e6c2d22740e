from odoo import models
from odoo.tools import SQL


class LpBotMessage(models.Model):
    """Campaign and trigger messages in the bot's queue: the text is the
    recipient row's, rendered when it goes out (the snapshot taken at the
    preview); a customer who withdrew the bot consent since, or a row no
    longer scheduled (campaign cancelled), gets nothing; once sent, the row
    is sent and its gift credited, as for a mailing."""

    _inherit = "lp.bot.message"  # pylint: disable=consider-merging-classes-inherited

    def _lp_text(self):
        if self.kind == "campaign":
            return self.recipient_id.bot_text or ""
        return super()._lp_text()

    def _lp_ready(self):
        ready = super()._lp_ready()
        campaign = ready.filtered(lambda m: m.kind == "campaign")
        capped = campaign._lp_cap_at_send()
        if capped:
            capped._lp_cancel(self.env._("Frequency cap"))
            ready -= capped
            campaign -= capped
        stale = campaign.filtered(
            lambda m: (
                m.recipient_id.state != "scheduled"
                or not m.chat_id.partner_id.lp_consent_bot
                or m.chat_id.blocked
            )
        )
        if stale:
            stale._lp_cancel(self.env._("Opted out or cancelled before sending."))
        return ready - stale

    def _lp_cap_at_send(self):
        """The frequency cap once more when the message goes out, as for a
        mailing (``mailing.mailing._lp_cap_at_send``): for what was queued
        since (a trigger run that did not see the row). Returns the
        messages whose row was skipped, reason ``capped``."""
        dispatch = self.env["lp.message.dispatch"]
        capped = self.browse()
        for message in self:
            row = message.recipient_id
            owner = (row.trigger_id or row.campaign_id).sudo()
            caps = owner._caps() if owner else []
            if caps and dispatch._apply_cap(
                {"id": row.id}, caps, states=("scheduled",)
            ):
                capped |= message
        return capped

    def _lp_cancel(self, reason):
        result = super()._lp_cancel(reason)
        self._lp_sync_recipients()
        return result

    def _lp_after_send(self, sent):
        sent = super()._lp_after_send(sent)
        self._lp_sync_recipients()
        return sent

    def _lp_sync_recipients(self):
        """The recipient rows of these campaign messages follow them: sent
        (with the gift credited once), not delivered, or cancelled as opted
        out; their campaigns follow their rows."""
        messages = self.filtered(lambda m: m.recipient_id and m.state != "queued")
        if not messages:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE lp_campaign_recipient r
                   SET state = CASE m.state WHEN 'sent' THEN 'sent'
                                            WHEN 'failed' THEN 'failed'
                                            ELSE 'cancel' END,
                       reason = CASE WHEN m.state = 'cancel' THEN 'opted_out' END,
                       sent_date = m.sent_date
                  FROM lp_bot_message m
                 WHERE m.id IN %s AND r.id = m.recipient_id AND r.state = 'scheduled'
             RETURNING r.id, r.state
                """,
                tuple(messages.ids),
            )
        )
        rows = self.env.cr.fetchall()
        Recipient = self.env["lp.campaign.recipient"]
        Recipient.invalidate_model()
        sent = Recipient.browse([row_id for row_id, state in rows if state == "sent"])
        self.env["lp.message.dispatch"]._post_gifts(sent.sudo())
        Recipient.browse([row[0] for row in rows]).campaign_id.sudo()._sync_state()
