from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL


class LpMessageDispatch(models.AbstractModel):
    """Sending side of the dispatch: mailings per channel and moment, rows
    marked sent, gifts credited once."""

    _inherit = "lp.message.dispatch"  # pylint: disable=consider-merging-classes-inherited

    # Sending

    @api.model
    def _mailing_values(self, name, channel, moment, domain, utm_campaign_id, user_id):
        """Values of a dispatch mailing of ``channel`` sent at ``moment`` to
        the recipient rows of ``domain``, named after ``name``, the channel
        and the moment; texts rendered from the recipient row
        (``email_subject``/``email_html`` or ``sms_text``), the SMS with
        Odoo's opt-out link (:meth:`_sms_opt_out`; the parts are counted
        with it). The caller adds the link to its owner (``lp_campaign_id``,
        ``lp_trigger_run_id``)."""
        label = dict(self.env["lp.campaign.recipient"]._fields["channel"].selection)
        subject = f"{name} ({label[channel]}, {moment:%Y-%m-%d %H:%M} UTC)"
        values = {
            "mailing_type": "mail" if channel == "email" else "sms",
            "subject": subject,
            "mailing_model_id": self.env["ir.model"]._get_id("lp.campaign.recipient"),
            "mailing_domain": repr(domain),
            "campaign_id": utm_campaign_id,
            "user_id": user_id,
            "schedule_type": "scheduled",
            "schedule_date": moment,
            "keep_archives": True,
        }
        if channel == "email":
            values.update(
                {
                    "subject": "{{ object.email_subject }}",
                    "body_arch": '<div t-out="object.email_html"/>',
                    "body_html": '<div t-out="object.email_html"/>',
                }
            )
        else:
            values.update(
                {
                    "sms_subject": subject,
                    "body_plaintext": "{{ object.sms_text }}",
                    "sms_allow_unsubscribe": self._sms_opt_out(),
                }
            )
        return values

    @api.model
    def _create_mailings(self, owner, mailing_values, queue=True):
        """One mailing per (channel, send moment) of the owner's target rows,
        with ``mailing_values(channel, moment)``; the rows move to
        ``scheduled`` (``queued_date``: now, the order the cap goes by) and,
        with ``queue``, the mailings into the queue (else the caller queues
        them, or takes them back with :meth:`_drop_mailings`). Returns the
        mailings."""
        cr = self.env.cr
        where = self._owner_sql(owner)
        self.env.flush_all()
        cr.execute(
            SQL(
                """
                SELECT channel, scheduled_date FROM lp_campaign_recipient r
                 WHERE %s AND r.state = 'target'
                 GROUP BY 1, 2 ORDER BY 2, 1
                """,
                where,
            )
        )
        buckets = cr.fetchall()
        if not buckets:
            return self.env["mailing.mailing"]
        mailings = (
            self.env["mailing.mailing"]
            .sudo()
            .create([mailing_values(channel, moment) for channel, moment in buckets])
        )
        cr.execute(
            SQL(
                """
                UPDATE lp_campaign_recipient r
                   SET mailing_id = b.mailing_id, state = 'scheduled',
                       queued_date = %s
                  FROM unnest(%s::varchar[], %s::timestamp[], %s::int[])
                       AS b(channel, moment, mailing_id)
                 WHERE %s AND r.state = 'target' AND r.channel = b.channel
                   AND r.scheduled_date = b.moment
                """,
                fields.Datetime.now(),
                [b[0] for b in buckets],
                [b[1] for b in buckets],
                mailings.ids,
                where,
            )
        )
        self.env["lp.campaign.recipient"].invalidate_model()
        if queue:
            mailings.action_put_in_queue()
        return mailings

    @api.model
    def _drop_mailings(self, mailings):
        """Take back mailings made by :meth:`_create_mailings` and not sent:
        their rows are targets again, the mailings are deleted."""
        if not mailings:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE lp_campaign_recipient
                   SET state = 'target', mailing_id = NULL, queued_date = NULL
                 WHERE mailing_id IN %s AND state = 'scheduled'
                """,
                tuple(mailings.ids),
            )
        )
        self.env["lp.campaign.recipient"].invalidate_model()
        mailings.sudo().with_context(lp_dispatch=True).unlink()

    @api.model
    def _mark_sent(self, mailings):
        """After ``mailings`` went out: their scheduled rows become ``sent``
        (or ``failed``/``cancel`` from the trace: opted out since, bounced)
        and the gifts of the sent rows are credited. Returns the sent rows."""
        if not mailings:
            return self.env["lp.campaign.recipient"]
        self.env.flush_all()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                UPDATE lp_campaign_recipient r
                   SET state = CASE
                           WHEN t.trace_status = 'cancel' THEN 'cancel'
                           WHEN t.trace_status IN ('error', 'bounce') THEN 'failed'
                           ELSE 'sent' END,
                       reason = CASE WHEN t.trace_status = 'cancel'
                                     THEN 'opted_out' END,
                       sent_date = %(now)s
                  FROM mailing_trace t
                 WHERE r.mailing_id IN %(mailings)s AND r.state = 'scheduled'
                   AND t.mass_mailing_id = r.mailing_id
                   AND t.model = 'lp.campaign.recipient' AND t.res_id = r.id
             RETURNING r.id, r.state
                """,
                now=now,
                mailings=tuple(mailings.ids),
            )
        )
        sent_ids = [row[0] for row in self.env.cr.fetchall() if row[1] == "sent"]
        self.env["lp.campaign.recipient"].invalidate_model()
        sent = self.env["lp.campaign.recipient"].browse(sent_ids)
        self._post_gifts(sent)
        return sent

    @api.model
    def _post_gifts(self, recipients, batch_size=1000):
        """Credit each recipient's gift through the ledger's one posting
        path: kind ``campaign``, spendable at once, expiring after its
        lifetime, once per gift key and member (a second call is a no-op)."""
        recipients = recipients.filtered(
            lambda r: r.gift_points > 0 and r.member_id and r.gift_key
        )
        today = fields.Date.context_today(self)
        for start in range(0, len(recipients), batch_size):
            batch = recipients[start : start + batch_size]
            self.env["lp.ledger"]._post(
                [
                    {
                        "member_id": recipient.member_id.id,
                        "kind": "campaign",
                        "amount": recipient.gift_points,
                        "expiry_date": today
                        + timedelta(days=recipient.gift_lifetime_days)
                        if recipient.gift_lifetime_days
                        else False,
                        "source": recipient.campaign_id or None,
                        "source_key": recipient.gift_key,
                    }
                    for recipient in batch
                    if recipient.member_id.state == "active"
                ]
            )
