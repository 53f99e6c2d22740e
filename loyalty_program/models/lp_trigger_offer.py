from odoo import fields, models
from odoo.tools import SQL


class LpTrigger(models.Model):
    """The trigger "new personal offer": the members to whom offers were
    made since the last runs (``catch_up_days``) and who were not told yet
    get one message listing their offers (``{offer}``, ``{offer_product}``,
    ``{offer_until}``; ``{points}``: how many, ``{date}``: the first end).
    The trigger's control group is held out of the message, not of the
    offers: it measures what telling brings. A row is told when its
    customer's message is queued; its lifetime then counts from there."""

    _inherit = "lp.trigger"  # pylint: disable=consider-merging-classes-inherited

    def _due_new_offer(self, program, day, now):
        """One occasion per member with offers made and not told: the
        newest row (a later offer is a new occasion)."""
        return SQL(
            """
            WITH m AS (%(members)s)
            SELECT r.partner_id, r.member_id, 'offers:' || MAX(r.id),
                   MIN(r.valid_until)::date, COUNT(*)::float8,
                   COALESCE(SUM(r.expected_value), 0), MAX(m.tier_id)
              FROM lp_offer_member r
              JOIN m ON m.id = r.member_id
              JOIN lp_offer o ON o.id = r.offer_id AND o.state = 'running' AND o.active
             WHERE r.state = 'active' AND r."group" = 'target'
               AND r.notified_date IS NULL
               AND r.date_start > %(now)s - make_interval(days => %(days)s)
               AND r.date_start <= %(now)s
               AND (r.valid_until IS NULL OR r.valid_until > %(now)s)
             GROUP BY r.partner_id, r.member_id
            """,
            members=self._members_sql(program),
            now=now,
            days=max(self.catch_up_days, 1),
        )

    def _link_recipients(self, run):
        result = super()._link_recipients(run)
        if self.kind == "new_offer":
            self._lp_offers_told(run)
        return result

    def _lp_offers_told(self, run):
        """The rows of the customers this run's message goes to (target
        group, queued) are told now: a lifetime counts from now (never past
        the offer's last day)."""
        now = fields.Datetime.now()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE lp_offer_member r
                   SET notified_date = %(now)s,
                       valid_until = CASE
                           WHEN o.lifetime_days > 0 THEN LEAST(
                               GREATEST(
                                   r.valid_until,
                                   %(now)s + make_interval(days => o.lifetime_days)),
                               COALESCE((o.date_to + 1)::timestamp, 'infinity'))
                           ELSE r.valid_until END
                  FROM lp_offer o, lp_trigger_message x, lp_campaign_recipient c
                 WHERE o.id = r.offer_id AND x.run_id = %(run)s
                   AND c.trigger_message_id = x.id AND c."group" = 'target'
                   AND c.state IN ('target', 'scheduled')
                   AND r.member_id = x.member_id AND r.state = 'active'
                   AND r."group" = 'target' AND r.notified_date IS NULL
                RETURNING r.member_id
                """,
                now=now,
                run=run.id,
            )
        )
        members = self.env["lp.member"].browse(
            {row[0] for row in self.env.cr.fetchall()}
        )
        self.env["lp.offer.member"].invalidate_model()
        members._lp_offer_hint()
