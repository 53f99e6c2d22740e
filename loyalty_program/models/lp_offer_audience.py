from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .lp_member_offer import OPEN_ENDED_DAYS
from .lp_segment import RELATION


class LpOffer(models.Model):
    """Who an offer is for: the rows of its audience (every member, a
    segment, tiers), written set-based at launch and topped up each night
    for members who joined the audience since; each row falls in the
    target or the control group by the md5 of the offer's seed and the
    customer (the dispatch's rule: reproducible)."""

    _inherit = "lp.offer"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _lp_held_out_sql(self, seed, percent, partner):
        """SQL: whether the customer ``partner`` (an SQL expression) falls in
        the control group of ``percent`` % for ``seed`` (values, or SQL
        expressions; an SQL percent is in hundredths of a %)."""
        if not isinstance(seed, SQL):
            seed = SQL("%s", seed or "")
        if not isinstance(percent, SQL):
            percent = SQL("%s", round((percent or 0.0) * 100))
        return SQL(
            "('x' || substr(md5(%s || ':' || %s), 1, 8))::bit(32)::bigint "
            "%% 10000 < %s",
            seed,
            partner,
            percent,
        )

    def _lp_row_end(self, start):
        """When a row made at ``start`` stops applying: its lifetime, the
        offer's last day, whichever comes first (False: neither)."""
        self.ensure_one()
        ends = []
        if self.lifetime_days:
            ends.append(start + timedelta(days=self.lifetime_days))
        if self.date_to:
            ends.append(datetime.combine(self.date_to + timedelta(days=1), time.min))
        return min(ends) if ends else False

    def _lp_audience_sql(self):
        """SQL selecting the member ids of the offer's audience (active
        members of its program). Meant to be overridden."""
        self.ensure_one()
        condition = SQL("TRUE")
        if self.audience == "segment":
            condition = SQL(
                "m.partner_id IN (SELECT partner_id FROM %s WHERE segment_id = %s)",
                SQL.identifier(RELATION),
                self.segment_id.id,
            )
        elif self.audience == "tier":
            condition = SQL("m.tier_id IN %s", tuple(self.tier_ids.ids) or (0,))
        elif self.audience == "personal":
            condition = SQL("FALSE")
        return SQL(
            """
            SELECT m.id FROM lp_member m
             WHERE m.program_id = %s AND m.state = 'active' AND %s
            """,
            self.program_id.id,
            condition,
        )

    def _lp_fill_audience(self, now=None):
        """Write a row for every member of the audience who has none yet
        (set-based); returns how many. The members' offer hint follows."""
        now = now or fields.Datetime.now()
        self.env.flush_all()
        total = 0
        for offer in self.filtered(
            lambda o: (
                o.state == "running"
                and o.audience != "personal"
                and not (o.date_to and o.date_to < now.date())
            )
        ):
            end = offer._lp_row_end(now)
            self.env.cr.execute(
                SQL(
                    """
                    WITH audience AS (%(audience)s),
                    new AS (
                        INSERT INTO lp_offer_member (
                            offer_id, member_id, partner_id, company_id, generator,
                            "group", state, date_start, valid_until, use_count,
                            given_points, given_discount, create_uid, create_date,
                            write_uid, write_date)
                        SELECT %(offer)s, m.id, m.partner_id, %(company)s, %(gen)s,
                               CASE WHEN %(held_out)s THEN 'control' ELSE 'target' END,
                               'active', %(now)s, %(end)s, 0, 0, 0, %(uid)s, %(now)s,
                               %(uid)s, %(now)s
                          FROM lp_member m
                         WHERE m.id IN (SELECT id FROM audience)
                           AND NOT EXISTS (SELECT 1 FROM lp_offer_member r
                                            WHERE r.offer_id = %(offer)s
                                              AND r.member_id = m.id)
                        ON CONFLICT DO NOTHING
                        RETURNING member_id, "group", valid_until
                    ),
                    hint AS (
                        UPDATE lp_member m
                           SET offer_until = GREATEST(m.offer_until,
                                                      COALESCE(n.valid_until, %(far)s))
                          FROM new n
                         WHERE m.id = n.member_id AND n."group" = 'target'
                        RETURNING 1
                    )
                    SELECT (SELECT COUNT(*) FROM new), (SELECT COUNT(*) FROM hint)
                    """,
                    audience=offer._lp_audience_sql(),
                    offer=offer.id,
                    company=offer.company_id.id,
                    gen=offer.generator,
                    held_out=self._lp_held_out_sql(
                        offer.seed, offer.control_percent, SQL("m.partner_id")
                    ),
                    now=now,
                    end=end or None,
                    far=now + timedelta(days=OPEN_ENDED_DAYS),
                    uid=self.env.uid,
                )
            )
            total += self.env.cr.fetchone()[0]
        self.env["lp.offer.member"].invalidate_model()
        self.env["lp.member"].invalidate_model(["offer_until"])
        return total
