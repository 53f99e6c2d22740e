from odoo import api, fields, models
from odoo.tools import SQL


class LpMessageDispatch(models.AbstractModel):
    """When a message goes out and whether it may: the send moments fixed
    when the rows are queued, and the frequency cap, one rule applied at
    the preview, again when a campaign is scheduled, and at send time."""

    _inherit = "lp.message.dispatch"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _caps(self, config):
        """The frequency caps of ``config`` (``lp.campaign.config``, or
        anything with ``cap_messages`` and ``cap_days``), as the list of
        ``(messages, days)`` :meth:`_apply_cap` takes."""
        return [(config.cap_messages, config.cap_days)]

    @api.model
    def _lock_caps(self, company):
        """Make two transactions that queue messages for ``company`` at once
        conflict: both write the company's campaign settings row, so the
        second fails to serialize and is retried with the first one's rows
        in sight (under REPEATABLE READ, waiting for a lock alone would
        leave its snapshot blind to them)."""
        config = self.env["lp.campaign.config"]._for_company(company)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE lp_campaign_config SET write_date = %s WHERE id = %s",
                fields.Datetime.now(),
                config.id,
            )
        )

    @api.model
    def _apply_cap(self, owner, caps, states=("target", "control")):
        """Skip (reason ``capped``, no gift) the rows of ``owner`` (columns,
        as for :meth:`_prepare`: ``{"mailing_id": 7}`` works too) in
        ``states`` whose customer already has, for one of ``caps``
        (``(messages, days)``; 0 messages: no cap), that many other messages
        scheduled or sent within that many days of the row's send moment,
        whatever sent them (campaigns and triggers alike). A row already
        queued counts the messages sent and those queued before it, so that
        of two messages queued by transactions that did not see each other
        the later one gives way at send time. Returns the ids skipped."""
        caps = [(messages, days) for messages, days in caps if messages > 0]
        if not caps:
            return []
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH caps(messages, days) AS (
                    SELECT * FROM unnest(%(messages)s::int[], %(days)s::int[])
                ),
                mine AS (
                    SELECT r.id, r.partner_id, r.scheduled_date, r.queued_date
                      FROM lp_campaign_recipient r
                     WHERE %(owner)s AND r.state IN %(states)s
                       AND r.scheduled_date IS NOT NULL
                ),
                over AS (
                    SELECT m.id
                      FROM mine m
                     CROSS JOIN caps c
                      JOIN lp_campaign_recipient o
                        ON o.partner_id = m.partner_id AND o.id <> m.id
                       AND o.state IN ('scheduled', 'sent')
                       AND o.scheduled_date
                           > m.scheduled_date - make_interval(days => c.days)
                       AND o.scheduled_date
                           < m.scheduled_date + make_interval(days => c.days)
                       AND (o.state = 'sent' OR m.queued_date IS NULL
                            OR (COALESCE(o.queued_date, o.create_date), o.id)
                               < (m.queued_date, m.id))
                     GROUP BY m.id, c.messages, c.days
                    HAVING COUNT(*) >= c.messages
                )
                UPDATE lp_campaign_recipient r
                   SET state = 'skipped', reason = 'capped', "group" = 'none',
                       is_control = FALSE, gift_points = 0
                 WHERE r.id IN (SELECT id FROM over)
             RETURNING r.id
                """,
                messages=[messages for messages, _days in caps],
                days=[days for _messages, days in caps],
                owner=self._owner_sql(owner),
                states=tuple(states),
            )
        )
        skipped = [row[0] for row in self.env.cr.fetchall()]
        if skipped:
            self.env["lp.campaign.recipient"].invalidate_model()
        return skipped

    @api.model
    def _fix_moments(self, owner, day, config, not_before=None):
        """Give the owner's target and control rows the send moment of their
        time zone on ``day`` as of ``not_before`` (default: now): the
        moment is fixed when the rows are queued, never left from a
        preview (a window open at the preview may be over by then)."""
        now = fields.Datetime.now()
        moments = self._send_moments(
            day, config, not_before=max(not_before or now, now)
        )
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH z AS (
                    SELECT * FROM unnest(%(zones)s::varchar[], %(moments)s::timestamp[])
                        AS z(tz, moment)
                ),
                new AS (
                    SELECT r.id, COALESCE(z.moment, %(default)s) AS moment
                      FROM lp_campaign_recipient r
                      LEFT JOIN z ON z.tz = r.tz
                     WHERE %(owner)s AND r.state IN ('target', 'control')
                )
                UPDATE lp_campaign_recipient r SET scheduled_date = new.moment
                  FROM new
                 WHERE r.id = new.id AND r.scheduled_date IS DISTINCT FROM new.moment
                """,
                zones=list(moments),
                moments=list(moments.values()),
                default=moments["UTC"],
                owner=self._owner_sql(owner),
            )
        )
        self.env["lp.campaign.recipient"].invalidate_model(["scheduled_date"])
