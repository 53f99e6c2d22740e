"""The year month by month: the series behind the dashboard's charts.

Set-based like :mod:`.figures`: each source table is read once for all the
months, grouped by month, and running totals (members, liability, tier
sizes) are window sums over the months. The months are the twelve (by
default) calendar months ending with the month of the last day asked; the
last one is cut at that day.

>>> months(date(2026, 3, 15), 3)
[datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)]
>>> months(date(2026, 1, 31), 2)
[datetime.date(2025, 12, 1), datetime.date(2026, 1, 1)]
>>> running([None, 2, 0, 3], start=10)
[10, 12, 12, 15]
"""

from datetime import date  # noqa: F401  (used by the doctests)

from odoo.tools import SQL

from .figures import MEMBERS


def months(last_day, count=12):
    """The first days of the ``count`` months ending with ``last_day``'s."""
    year, month = last_day.year, last_day.month
    firsts = []
    for _i in range(count):
        firsts.append(last_day.replace(year=year, month=month, day=1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def running(values, start=0):
    """Running totals of ``values`` (None counts as 0) from ``start``."""
    totals = []
    for value in values:
        start += value or 0
        totals.append(start)
    return totals


# Per month of the period: members' and others' revenue, active members,
# members who joined, points issued, spent and expired, the liability's
# movement in money. Rows before the first month come as month NULL (the
# opening of the running totals). Parameters: orders (SQL), company,
# first (first month's first day), end (the day after the last day).
MONTHLY = """
WITH orders AS NOT MATERIALIZED (%(orders)s),
member_partners AS MATERIALIZED (__MEMBERS__),
sales AS (
    SELECT date_trunc('month', o.day)::date AS month,
           COALESCE(SUM(o.amount) FILTER (WHERE mp.joined <= o.day), 0)
               AS member_revenue,
           COALESCE(SUM(o.amount) FILTER (
               WHERE mp.joined IS NULL OR mp.joined > o.day), 0) AS other_revenue,
           COUNT(DISTINCT o.partner_id) FILTER (
               WHERE mp.joined <= o.day AND NOT o.refund) AS active_members
      FROM orders o
      LEFT JOIN (__MEMBERS__) mp ON mp.partner_id = o.partner_id
     WHERE o.day >= %(first)s
     GROUP BY 1
),
joins AS (
    SELECT CASE WHEN joined >= %(first)s
                THEN date_trunc('month', joined)::date END AS month,
           COUNT(*) AS joined
      FROM member_partners
     GROUP BY 1
),
ledger AS (
    SELECT CASE WHEN l.date >= %(first)s
                THEN date_trunc('month', l.date)::date END AS month,
           COALESCE(SUM(l.amount) FILTER (
               WHERE l.kind IN ('earn', 'welcome', 'birthday', 'gift', 'campaign')
                  OR (l.kind = 'reversal' AND l.amount < 0)
                  OR (l.kind = 'adjustment' AND l.amount > 0)), 0) AS issued,
           COALESCE(-SUM(l.amount) FILTER (
               WHERE l.kind = 'spend' OR (l.kind = 'reversal' AND l.amount > 0)), 0)
               AS spent,
           COALESCE(-SUM(l.amount) FILTER (WHERE l.kind = 'expire'), 0) AS expired,
           COALESCE(SUM(l.amount * p.point_value), 0) AS liability
      FROM lp_ledger l
      JOIN lp_program p ON p.id = l.program_id
     WHERE l.company_id = %(company)s AND l.date < %(end)s
     GROUP BY 1
),
months AS (
    SELECT NULL::date AS month
    UNION ALL
    SELECT generate_series(%(first)s::date, %(end)s::date - 1, '1 month')::date
)
SELECT m.month,
       COALESCE(s.member_revenue, 0), COALESCE(s.other_revenue, 0),
       COALESCE(s.active_members, 0), COALESCE(j.joined, 0),
       COALESCE(l.issued, 0), COALESCE(l.spent, 0), COALESCE(l.expired, 0),
       COALESCE(l.liability, 0)
  FROM months m
  LEFT JOIN sales s ON s.month = m.month
  LEFT JOIN joins j ON j.month IS NOT DISTINCT FROM m.month
  LEFT JOIN ledger l ON l.month IS NOT DISTINCT FROM m.month
 ORDER BY m.month NULLS FIRST
""".replace("__MEMBERS__", MEMBERS)

MONTHLY_COLUMNS = (
    "member_revenue",
    "other_revenue",
    "active_members",
    "new_members",
    "points_issued",
    "points_spent",
    "points_expired",
    "liability",
)


def monthly_sql(orders, company, first, end):
    """(month, *MONTHLY_COLUMNS) per month from ``first`` to ``end``
    (exclusive), after one row of month NULL: what came before ``first``."""
    return SQL(MONTHLY, orders=orders, company=company, first=first, end=end)


def tier_moves_sql(company, first, end):
    """(month, tier_id, change) of tier sizes: each tier change leaves its
    old tier and enters its new one, a member without any change enters
    its tier when joining; month NULL before ``first``. Members closed
    since are left out, as by the figures."""
    return SQL(
        """
        WITH moves AS (
            SELECT GREATEST(h.date::date, m.join_date) AS day, t.tier_id, t.change
              FROM lp_tier_history h
              JOIN lp_member m ON m.id = h.member_id
              CROSS JOIN LATERAL (VALUES (h.old_tier_id, -1), (h.new_tier_id, 1))
                   AS t(tier_id, change)
             WHERE m.company_id = %(company)s AND m.state <> 'closed'
               AND t.tier_id IS NOT NULL
            UNION ALL
            SELECT m.join_date, m.tier_id, 1
              FROM lp_member m
             WHERE m.company_id = %(company)s AND m.state <> 'closed'
               AND m.tier_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM lp_tier_history h
                                WHERE h.member_id = m.id)
        )
        SELECT CASE WHEN day >= %(first)s THEN date_trunc('month', day)::date END,
               tier_id, SUM(change)
          FROM moves
         WHERE day < %(end)s
         GROUP BY 1, 2
        """,
        company=company,
        first=first,
        end=end,
    )


def dispatch_results_sql(company, first, end):
    """(campaign_id, trigger_id, group, customers, buyers, revenue) of the
    target and control rows of the campaigns and triggers sent from
    ``first`` to ``end`` (exclusive), as their last results wrote them."""
    return SQL(
        """
        SELECT r.campaign_id, r.trigger_id, r."group", COUNT(*),
               COALESCE(SUM(r.bought), 0), COALESCE(SUM(r.response_revenue), 0)
          FROM lp_campaign_recipient r
         WHERE r.company_id = %(company)s AND r."group" IN ('target', 'control')
           AND r.scheduled_date >= %(first)s AND r.scheduled_date < %(end)s
         GROUP BY 1, 2, 3
        """,
        company=company,
        first=first,
        end=end,
    )
