from datetime import timedelta

from odoo import models
from odoo.tools import SQL

# The columns every _due_<kind> query selects, in this order.
DUE_COLUMNS = (
    "partner_id",
    "member_id",
    "occasion",
    "occasion_date",
    "points",
    "amount",
    "tier_id",
)


class LpTrigger(models.Model):
    """Who is due: one set-based query per kind, selecting
    :data:`DUE_COLUMNS` for the active members of ``program`` due on
    ``day`` (the company's local date; ``now`` is UTC). The occasion key
    says what a customer is reached about; one customer may be due for
    several occasions, the run takes the earliest and leaves the others to
    the next runs. The SQL twins of :mod:`..tools.occasions`."""

    _inherit = "lp.trigger"  # pylint: disable=consider-merging-classes-inherited

    def _due_sql(self, program, day, now):
        self.ensure_one()
        return getattr(self, f"_due_{self.kind}")(program, day, now)

    def _members_sql(self, program):
        return SQL(
            """
            SELECT m.id, m.partner_id, m.tier_id, m.window_spend, m.join_date,
                   m.enrol_source
              FROM lp_member m
              JOIN res_partner rp ON rp.id = m.partner_id AND rp.active
             WHERE m.program_id = %s AND m.state = 'active'
            """,
            program.id,
        )

    def _due_birthday(self, program, day, now):
        """Birthday ``days`` before (or on) the day it is kept this year:
        29 February on 28 February in other years; occasion: the year."""
        return SQL(
            """
            WITH m AS (%(members)s),
            b AS (
                SELECT m.id, m.partner_id, m.tier_id, y.year,
                       make_date(y.year, rp.lp_birthday_month,
                                 CASE WHEN rp.lp_birthday_month = 2
                                       AND rp.lp_birthday_day = 29
                                       AND NOT (y.year %% 4 = 0
                                                AND (y.year %% 100 <> 0
                                                     OR y.year %% 400 = 0))
                                      THEN 28 ELSE rp.lp_birthday_day END) AS kept
                  FROM m
                  JOIN res_partner rp ON rp.id = m.partner_id
                 CROSS JOIN (VALUES (%(year)s - 1), (%(year)s), (%(year)s + 1))
                       AS y(year)
                 WHERE rp.lp_birthday_month > 0 AND rp.lp_birthday_day > 0
            )
            SELECT partner_id, id, 'birthday:' || year, kept,
                   %(points)s::float8, 0::numeric, tier_id
              FROM b
             WHERE kept - %(lead)s BETWEEN %(from)s AND %(day)s
            """,
            members=self._members_sql(program),
            year=day.year,
            points=program.birthday_points if program.program_type == "bonus" else 0.0,
            lead=self.days,
            day=day,
            **{"from": day - timedelta(days=self.catch_up_days)},
        )

    def _due_winback(self, program, day, now):
        """Customers asleep: in the RFM group Sleeping, or without a purchase
        for ``days`` days (within the catch-up). Occasion: the last
        purchase, so that a customer is won back once per sleeping spell."""
        if self.winback_rule == "days":
            condition = SQL(
                "%(day)s - s.last_purchase_date BETWEEN %(days)s AND %(until)s",
                day=day,
                days=self.days,
                until=self.days + self.catch_up_days,
            )
        else:
            condition = SQL("s.rfm_group = 'sleeping'")
        return SQL(
            """
            WITH m AS (%(members)s)
            SELECT m.partner_id, m.id, 'sleep:' || s.last_purchase_date,
                   s.last_purchase_date, 0::float8, 0::numeric, m.tier_id
              FROM m
              JOIN lp_customer_stats s ON s.partner_id = m.partner_id
               AND s.company_id = %(company)s
             WHERE s.last_purchase_date IS NOT NULL AND %(condition)s
            """,
            members=self._members_sql(program),
            company=program.company_id.id,
            condition=condition,
        )

    def _due_expiry(self, program, day, now):
        """Points expiring ``days`` days from now (within the catch-up):
        the points and their date. Occasion: the expiry date."""
        return SQL(
            """
            SELECT l.partner_id, l.member_id, 'expiry:' || l.expiry_date,
                   l.expiry_date, SUM(l.remaining)::float8, 0::numeric,
                   MIN(m.tier_id)
              FROM lp_ledger l
              JOIN lp_member m ON m.id = l.member_id AND m.state = 'active'
              JOIN res_partner rp ON rp.id = m.partner_id AND rp.active
             WHERE l.program_id = %(program)s AND l.remaining > 0 AND NOT l.held
               AND l.expiry_date BETWEEN %(from)s AND %(until)s
             GROUP BY l.partner_id, l.member_id, l.expiry_date
            """,
            program=program.id,
            until=day + timedelta(days=self.days),
            **{"from": max(day, day + timedelta(days=self.days - self.catch_up_days))},
        )

    def _due_welcome(self, program, day, now):
        """Members who joined (till, backend, sales, web; not an import)
        within the catch-up, with their welcome bonus. Occasion: the
        membership."""
        return SQL(
            """
            WITH m AS (%(members)s)
            SELECT m.partner_id, m.id, 'welcome:' || m.id, m.join_date,
                   COALESCE((SELECT SUM(l.amount) FROM lp_ledger l
                              WHERE l.member_id = m.id AND l.kind = 'welcome'),
                            0)::float8,
                   0::numeric, m.tier_id
              FROM m
             WHERE m.join_date BETWEEN %(from)s AND %(day)s
               AND COALESCE(m.enrol_source, 'backend') <> 'import'
            """,
            members=self._members_sql(program),
            day=day,
            **{"from": day - timedelta(days=self.catch_up_days)},
        )

    def _due_tier_upgrade(self, program, day, now):
        """Upgrades of the last days (within the catch-up) of members still
        in the new tier. Occasion: the tier change."""
        return SQL(
            """
            WITH m AS (%(members)s)
            SELECT m.partner_id, m.id, 'upgrade:' || h.id, h.date::date,
                   0::float8, 0::numeric, h.new_tier_id
              FROM m
              JOIN lp_tier_history h ON h.member_id = m.id
               AND h.reason = 'upgrade' AND h.new_tier_id = m.tier_id
             WHERE h.date >= %(from)s AND h.date < %(until)s
            """,
            members=self._members_sql(program),
            until=day + timedelta(days=1),
            **{"from": day - timedelta(days=self.catch_up_days)},
        )

    def _due_tier_downgrade(self, program, day, now):
        """Members whose tier-period spend falls below their tier's
        threshold within ``days`` days if they buy nothing more: the day it
        does (the spend leaving the period), what is left to spend by the
        day before. Occasion: the tier spell (their last tier change)."""
        window = program.tier_window_days
        return SQL(
            """
            WITH m AS (%(members)s),
            c AS (
                SELECT m.id, m.partner_id, m.tier_id, m.window_spend, t.threshold
                  FROM m JOIN lp_tier t ON t.id = m.tier_id
                 WHERE t.threshold > 0
            ),
            drops AS (
                SELECT l.member_id, l.date::date AS d, SUM(l.base_amount) AS amount
                  FROM lp_ledger l JOIN c ON c.id = l.member_id
                 WHERE l.base_amount <> 0
                   AND l.date >= %(period_start)s AND l.date < %(drop_until)s
                 GROUP BY 1, 2
            ),
            running AS (
                SELECT member_id, d,
                       SUM(amount) OVER (PARTITION BY member_id ORDER BY d) AS gone
                  FROM drops
            ),
            first AS (
                SELECT DISTINCT ON (c.id) c.id, c.partner_id, c.tier_id,
                       r.d + %(window)s + 1 AS drop_day,
                       c.threshold - (c.window_spend - r.gone) AS spend_left
                  FROM c JOIN running r ON r.member_id = c.id
                 WHERE c.window_spend - r.gone < c.threshold
                 ORDER BY c.id, r.d
            )
            SELECT f.partner_id, f.id,
                   'downgrade:' || f.tier_id || ':' || COALESCE(
                       (SELECT MAX(h.id) FROM lp_tier_history h
                         WHERE h.member_id = f.id), 0),
                   f.drop_day - 1, 0::float8, round(f.spend_left, 2), f.tier_id
              FROM first f
             WHERE f.drop_day > %(day)s
            """,
            members=self._members_sql(program),
            window=window,
            day=day,
            period_start=now - timedelta(days=window),
            drop_until=now + timedelta(days=self.days - window),
        )

    def _due_post_purchase(self, program, day, now):
        """Purchases that earned points ``hours`` hours ago or more (within
        the catch-up): the points earned that day. Occasion: the day of the
        purchase, one thanks per customer and day."""
        until = now - timedelta(hours=self.hours)
        return SQL(
            """
            SELECT l.partner_id, l.member_id, 'purchase:' || l.date::date,
                   l.date::date, SUM(l.amount)::float8, SUM(l.base_amount),
                   MIN(m.tier_id)
              FROM lp_ledger l
              JOIN lp_member m ON m.id = l.member_id AND m.state = 'active'
              JOIN res_partner rp ON rp.id = m.partner_id AND rp.active
             WHERE l.program_id = %(program)s AND l.kind = 'earn'
               AND l.base_amount > 0
               AND l.date > %(from)s AND l.date <= %(until)s
             GROUP BY l.partner_id, l.member_id, l.date::date
            """,
            program=program.id,
            until=until,
            **{"from": until - timedelta(days=self.catch_up_days + 1)},
        )
