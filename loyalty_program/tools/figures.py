"""The program's figures: one definition per figure, in SQL.

A figure is a name, a label, a unit, the direction that is good news, and
one scalar SQL query over the common tables of :func:`base_sql` (all
set-based: each source table is read once per period). :func:`dashboard_sql`
assembles every figure into one statement for one company and one period
``[start, end)``; the caller runs it for the period and the one before.

Common tables (a period ``[start, end)`` and the one before it,
``[prev_start, start)``, of the same length):

* ``orders``: every purchase and refund up to ``end`` (the caller's source,
  see ``lp.figures._orders_sql``): ``partner_id`` (NULL for an anonymous
  till sale), ``day``, ``amount`` (company currency, taxes included, negative
  for a refund), ``refund``;
* ``member_partners``: customers holding a membership (not closed) of the
  company, with the day they first joined and the channel they joined
  through (``source``: the first membership's ``enrol_source``), joined
  before ``end``;
* ``per_partner``: per identified customer, orders and revenue in the period
  as a member (the customer had joined by the order's day) and not, orders
  as a member in the period before, and the day of the last purchase before
  ``start`` and before ``end``;
* ``anonymous``: orders and revenue of the period without a customer;
* ``ledger``: points issued, spent, expired and granted as bonuses in the
  period, their money value, and the outstanding liability (points not yet
  spent or expired, held or not, × the point value) at ``start`` and ``end``;
* ``tier_discounts``: the money tier discounts gave away in the period (from
  the period's sales orders and discount-program till orders,
  ``period_sales`` and ``discount_tills``);
* ``consent``: per member, consent per channel (``email``, ``sms``, ``bot``)
  as it stood at ``end`` (the consent history; the partner's flag when it
  has no history);
* ``offer_uses``: money discounts offers gave in the period;
* ``offer_rows``: offers made to customers (target group) in the period,
  and how many were used;
* ``tier_moves``: upgrades and downgrades of the period.

Parameters: ``company``, ``start``, ``end``, ``prev_start``, ``date_to``
(the period's last day), ``date_before`` (the day before ``start``),
``sleeping_days``, and the hook values ``sms_cost``,
``incremental_revenue``, ``campaign_recipients``, ``campaign_responders``.

Purchases are counted without refunds; revenue is net of refunds.
"""

from collections import namedtuple

from odoo.tools import SQL, LazyTranslate

_lt = LazyTranslate(__name__)

Figure = namedtuple("Figure", "name section label unit better sql doc")

# Ledger kinds that credit bonus points (not purchases).
BONUS_KINDS = ("welcome", "birthday", "gift", "campaign")

# Sections of the dashboard, in order: key -> label.
SECTIONS = {
    "members": _lt("Members"),
    "revenue": _lt("Revenue"),
    "retention": _lt("Retention"),
    "points": _lt("Points"),
    "return": _lt("Cost and return"),
    "reach": _lt("Reach and tiers"),
}

# Customers holding a membership of the company before ``end``, with the day
# they first joined and where (the channel of that first membership).
MEMBERS = """
    SELECT partner_id, MIN(join_date) AS joined,
           (array_agg(COALESCE(enrol_source, 'backend') ORDER BY join_date, id))[1]
               AS source
      FROM lp_member
     WHERE company_id = %(company)s AND state <> 'closed' AND join_date < %(end)s
     GROUP BY partner_id
"""

BASE = """
WITH orders AS NOT MATERIALIZED (%(orders)s),
member_partners AS MATERIALIZED (__MEMBERS__),
per_partner AS (
    SELECT o.partner_id, o.joined,
           COUNT(*) FILTER (WHERE cur AND NOT refund AND as_member) AS member_orders,
           COALESCE(SUM(amount) FILTER (WHERE cur AND as_member), 0) AS member_revenue,
           COUNT(*) FILTER (WHERE cur AND NOT refund AND NOT as_member) AS other_orders,
           COALESCE(SUM(amount) FILTER (WHERE cur AND NOT as_member), 0)
               AS other_revenue,
           COUNT(*) FILTER (WHERE prev AND NOT refund AND as_member)
               AS prev_member_orders,
           MAX(day) FILTER (WHERE NOT refund AND day < %(start)s) AS last_before_start,
           MAX(day) FILTER (WHERE NOT refund) AS last_before_end
      FROM (SELECT o.partner_id, o.day, o.amount, o.refund, mp.joined,
                   COALESCE(mp.joined <= o.day, FALSE) AS as_member,
                   o.day >= %(start)s AS cur,
                   o.day >= %(prev_start)s AND o.day < %(start)s AS prev
              FROM orders o
              -- the members again, not the CTE: the planner then knows
              -- partner_id is unique and hashes the join
              LEFT JOIN (__MEMBERS__) mp ON mp.partner_id = o.partner_id
             WHERE o.partner_id IS NOT NULL) o
     GROUP BY o.partner_id, o.joined
),
anonymous AS (
    SELECT COUNT(*) FILTER (WHERE NOT refund) AS orders,
           COALESCE(SUM(amount), 0) AS revenue
      FROM orders
     WHERE partner_id IS NULL AND day >= %(start)s
),
ledger AS (
    SELECT COALESCE(SUM(l.amount) FILTER (
               WHERE l.date >= %(start)s
                 AND (l.kind IN ('earn', 'welcome', 'birthday', 'gift', 'campaign',
                                 'offer')
                      OR (l.kind = 'reversal' AND l.amount < 0)
                      OR (l.kind = 'adjustment' AND l.amount > 0))), 0) AS issued,
           COALESCE(-SUM(l.amount) FILTER (
               WHERE l.date >= %(start)s
                 AND (l.kind = 'spend' OR (l.kind = 'reversal' AND l.amount > 0))),
               0) AS spent,
           COALESCE(-SUM(l.amount * p.point_value) FILTER (
               WHERE l.date >= %(start)s
                 AND (l.kind = 'spend' OR (l.kind = 'reversal' AND l.amount > 0))),
               0) AS spent_value,
           COALESCE(-SUM(l.amount) FILTER (
               WHERE l.date >= %(start)s AND l.kind = 'expire'), 0) AS expired,
           COALESCE(SUM(l.amount) FILTER (
               WHERE l.date >= %(start)s
                 AND l.kind IN ('welcome', 'birthday', 'gift', 'campaign')), 0)
               AS bonus,
           COALESCE(SUM(l.amount) FILTER (
               WHERE l.date >= %(start)s AND l.kind = 'offer'), 0) AS offer,
           COALESCE(SUM(l.amount * p.point_value) FILTER (
               WHERE l.date < %(start)s), 0) AS liability_open,
           COALESCE(SUM(l.amount * p.point_value), 0) AS liability_close
      FROM lp_ledger l
      JOIN lp_program p ON p.id = l.program_id
     WHERE l.company_id = %(company)s AND l.date < %(end)s
),
period_sales AS MATERIALIZED (
    SELECT id, currency_rate FROM sale_order
     WHERE state = 'sale' AND company_id = %(company)s
       AND date_order >= %(start)s AND date_order < %(end)s
),
discount_tills AS MATERIALIZED (
    SELECT o.id, o.currency_rate
      FROM pos_order o
      JOIN lp_member m ON m.id = o.lp_member_id
      JOIN lp_program p ON p.id = m.program_id AND p.program_type = 'discount'
     WHERE o.state IN ('paid', 'done') AND o.company_id = %(company)s
       AND o.date_order >= %(start)s AND o.date_order < %(end)s
),
tier_discounts AS (
    SELECT COALESCE(SUM(x.amount), 0) AS amount
      FROM (
        SELECT sl.price_unit * sl.product_uom_qty * sl.lp_discount_percent / 100.0
               / COALESCE(NULLIF(s.currency_rate, 0), 1) AS amount
          FROM period_sales s
          JOIN sale_order_line sl ON sl.order_id = s.id
         WHERE sl.lp_discount_percent > 0
        UNION ALL
        SELECT pl.price_unit * pl.qty * pl.discount / 100.0
               / COALESCE(NULLIF(o.currency_rate, 0), 1)
          FROM discount_tills o
          JOIN pos_order_line pl ON pl.order_id = o.id
         WHERE pl.discount > 0
      ) x
),
events AS (
    SELECT e.partner_id, e.channel,
           (array_agg(e.granted ORDER BY e.date DESC, e.id DESC)
               FILTER (WHERE e.date < %(end)s))[1] AS last_before,
           (array_agg(e.granted ORDER BY e.date, e.id)
               FILTER (WHERE e.date >= %(end)s))[1] AS first_after
      FROM lp_consent_event e
      JOIN member_partners mp ON mp.partner_id = e.partner_id
     GROUP BY e.partner_id, e.channel
),
consent AS (
    SELECT mp.partner_id,
           COALESCE(em.last_before, NOT em.first_after, rp.lp_consent_email, FALSE)
               AS email,
           COALESCE(sm.last_before, NOT sm.first_after, rp.lp_consent_sms, FALSE)
               AS sms,
           COALESCE(bm.last_before, NOT bm.first_after, rp.lp_consent_bot, FALSE)
               AS bot
      FROM member_partners mp
      JOIN res_partner rp ON rp.id = mp.partner_id
      LEFT JOIN events em ON em.partner_id = mp.partner_id AND em.channel = 'email'
      LEFT JOIN events sm ON sm.partner_id = mp.partner_id AND sm.channel = 'sms'
      LEFT JOIN events bm ON bm.partner_id = mp.partner_id AND bm.channel = 'bot'
),
offer_uses AS (
    SELECT COALESCE(SUM(discount), 0) AS discount
      FROM lp_offer_use
     WHERE company_id = %(company)s AND date >= %(start)s AND date < %(end)s
),
offer_rows AS (
    SELECT COUNT(*) AS made, COUNT(*) FILTER (WHERE use_count > 0) AS used
      FROM lp_offer_member
     WHERE company_id = %(company)s AND "group" = 'target'
       AND date_start >= %(start)s AND date_start < %(end)s
),
tier_moves AS (
    SELECT COUNT(*) FILTER (WHERE h.reason = 'upgrade') AS upgrades,
           COUNT(*) FILTER (WHERE h.reason = 'downgrade') AS downgrades
      FROM lp_tier_history h
      JOIN lp_member m ON m.id = h.member_id
     WHERE m.company_id = %(company)s
       AND h.date >= %(start)s AND h.date < %(end)s
)
""".replace("__MEMBERS__", MEMBERS)

# Shared pieces of the figures below.
_SLEEPING_AT_END = "%(date_to)s - last_before_end > %(sleeping_days)s"
_SLEEPING_AT_START = "%(date_before)s - last_before_start > %(sleeping_days)s"
_COST = """(SELECT spent_value FROM ledger) + (SELECT amount FROM tier_discounts)
           + (SELECT discount FROM offer_uses) + %(sms_cost)s"""

FIGURES = [
    # Members
    Figure(
        "members",
        "members",
        _lt("Members"),
        "count",
        "up",
        "SELECT COUNT(*) FROM member_partners",
        _lt("Customers holding a membership (not closed) on the period's last day."),
    ),
    Figure(
        "new_members",
        "members",
        _lt("New members"),
        "count",
        "up",
        "SELECT COUNT(*) FROM member_partners WHERE joined >= %(start)s",
        _lt("Customers who first joined in the period."),
    ),
    Figure(
        "new_members_pos",
        "members",
        _lt("New members: at the till"),
        "count",
        "up",
        """SELECT COUNT(*) FROM member_partners
            WHERE joined >= %(start)s AND source = 'pos'""",
        _lt("Customers who first joined in the period, enrolled by a cashier."),
    ),
    Figure(
        "new_members_portal",
        "members",
        _lt("New members: join page"),
        "count",
        "up",
        """SELECT COUNT(*) FROM member_partners
            WHERE joined >= %(start)s AND source = 'portal'""",
        _lt("Customers who first joined in the period on the public join page."),
    ),
    Figure(
        "new_members_bot",
        "members",
        _lt("New members: messenger bot"),
        "count",
        "up",
        """SELECT COUNT(*) FROM member_partners
            WHERE joined >= %(start)s AND source = 'bot'""",
        _lt("Customers who first joined in the period in the chat with the bot."),
    ),
    Figure(
        "active_members",
        "members",
        _lt("Active members"),
        "count",
        "up",
        "SELECT COUNT(*) FROM per_partner WHERE member_orders > 0",
        _lt("Members who bought in the period (as members)."),
    ),
    Figure(
        "member_customer_share",
        "members",
        _lt("Buying customers who are members"),
        "percent",
        "up",
        """SELECT 100.0 * COUNT(*) FILTER (WHERE member_orders > 0)
                  / NULLIF(COUNT(*), 0)
             FROM per_partner WHERE member_orders + other_orders > 0""",
        _lt(
            "Active members among the identified customers who bought in the "
            "period, in %."
        ),
    ),
    # Revenue
    Figure(
        "revenue",
        "revenue",
        _lt("Revenue"),
        "money",
        "up",
        """SELECT COALESCE(SUM(member_revenue + other_revenue), 0)
                  + (SELECT revenue FROM anonymous)
             FROM per_partner""",
        _lt(
            "Revenue of the period, taxes included, net of refunds, anonymous "
            "till sales included."
        ),
    ),
    Figure(
        "member_revenue_share",
        "revenue",
        _lt("Revenue from members"),
        "percent",
        "up",
        """SELECT 100.0 * SUM(member_revenue)
                  / NULLIF(SUM(member_revenue + other_revenue)
                           + (SELECT revenue FROM anonymous), 0)
             FROM per_partner""",
        _lt("Members' share of the revenue, in %."),
    ),
    Figure(
        "member_ticket",
        "revenue",
        _lt("Average ticket, members"),
        "money",
        "up",
        "SELECT SUM(member_revenue) / NULLIF(SUM(member_orders), 0) FROM per_partner",
        _lt("Members' revenue divided by their purchases."),
    ),
    Figure(
        "other_ticket",
        "revenue",
        _lt("Average ticket, non-members"),
        "money",
        "up",
        """SELECT (SUM(other_revenue) + (SELECT revenue FROM anonymous))
                  / NULLIF(SUM(other_orders) + (SELECT orders FROM anonymous), 0)
             FROM per_partner""",
        _lt(
            "Non-members' revenue (anonymous sales included) divided by their "
            "purchases."
        ),
    ),
    Figure(
        "member_frequency",
        "revenue",
        _lt("Purchases per active member"),
        "ratio",
        "up",
        """SELECT SUM(member_orders)::float8
                  / NULLIF(COUNT(*) FILTER (WHERE member_orders > 0), 0)
             FROM per_partner""",
        _lt("Members' purchases in the period per active member."),
    ),
    Figure(
        "other_frequency",
        "revenue",
        _lt("Purchases per buying non-member"),
        "ratio",
        "up",
        """SELECT SUM(other_orders)::float8
                  / NULLIF(COUNT(*) FILTER (WHERE other_orders > 0), 0)
             FROM per_partner""",
        _lt(
            "Purchases of identified non-members per such customer (anonymous "
            "sales cannot be counted per customer)."
        ),
    ),
    # Retention
    Figure(
        "retention",
        "retention",
        _lt("Retention"),
        "percent",
        "up",
        """SELECT 100.0 * COUNT(*) FILTER (WHERE member_orders > 0)
                  / NULLIF(COUNT(*), 0)
             FROM per_partner WHERE prev_member_orders > 0""",
        _lt(
            "Members who bought in the period before and bought again in this "
            "one, in % of those who bought in the period before."
        ),
    ),
    Figure(
        "churn",
        "retention",
        _lt("Churn"),
        "percent",
        "down",
        """SELECT 100.0 * COUNT(*) FILTER (WHERE member_orders = 0)
                  / NULLIF(COUNT(*), 0)
             FROM per_partner WHERE prev_member_orders > 0""",
        _lt("Members who bought in the period before but not in this one, in %."),
    ),
    Figure(
        "sleeping_share",
        "retention",
        _lt("Sleeping members"),
        "percent",
        "down",
        f"""SELECT 100.0 * COUNT(*) FILTER (WHERE {_SLEEPING_AT_END})
                  / NULLIF(COUNT(*), 0)
             FROM per_partner
            WHERE joined IS NOT NULL AND last_before_end IS NOT NULL""",
        _lt(
            "Members who have bought but not in the last N days (the statistics "
            "settings' sleeping days) on the period's last day, in % of members "
            "who have bought."
        ),
    ),
    Figure(
        "winback_rate",
        "retention",
        _lt("Win-back rate"),
        "percent",
        "up",
        f"""SELECT 100.0 * COUNT(*) FILTER (WHERE member_orders > 0)
                  / NULLIF(COUNT(*), 0)
             FROM per_partner
            WHERE joined IS NOT NULL AND {_SLEEPING_AT_START}""",
        _lt("Members sleeping on the day before the period who bought in it, in %."),
    ),
    # Points
    Figure(
        "points_issued",
        "points",
        _lt("Points issued"),
        "points",
        "up",
        "SELECT issued FROM ledger",
        _lt(
            "Points credited in the period (purchases, bonuses, manual credits), "
            "net of credits taken back by refunds."
        ),
    ),
    Figure(
        "points_spent",
        "points",
        _lt("Points spent"),
        "points",
        "up",
        "SELECT spent FROM ledger",
        _lt("Points spent in the period, net of spends given back by refunds."),
    ),
    Figure(
        "points_expired",
        "points",
        _lt("Points expired"),
        "points",
        "down",
        "SELECT expired FROM ledger",
        _lt("Points that expired in the period."),
    ),
    Figure(
        "bonus_points",
        "points",
        _lt("Bonus points granted"),
        "points",
        "up",
        "SELECT bonus FROM ledger",
        _lt("Welcome, birthday, gift and campaign points credited in the period."),
    ),
    Figure(
        "offer_points",
        "points",
        _lt("Offer points"),
        "points",
        "up",
        "SELECT offer FROM ledger",
        _lt("Points credited by offers in the period (before refunds)."),
    ),
    Figure(
        "liability",
        "points",
        _lt("Outstanding liability"),
        "money",
        "down",
        "SELECT liability_close FROM ledger",
        _lt(
            "Points not yet spent or expired, spendable and pending, valued at "
            "the point value, at the end of the period."
        ),
    ),
    Figure(
        "liability_change",
        "points",
        _lt("Liability movement"),
        "money",
        "down",
        "SELECT liability_close - liability_open FROM ledger",
        _lt("How much the outstanding liability grew (or fell) over the period."),
    ),
    # Cost and return
    Figure(
        "points_cost",
        "return",
        _lt("Points spent, in money"),
        "money",
        "down",
        "SELECT spent_value FROM ledger",
        _lt("What the points spent in the period paid for."),
    ),
    Figure(
        "tier_discounts",
        "return",
        _lt("Tier discounts"),
        "money",
        "down",
        "SELECT amount FROM tier_discounts",
        _lt(
            "Discounts given by tiers of discount programs (till) and on sales "
            "order lines, before tax."
        ),
    ),
    Figure(
        "offer_discounts",
        "return",
        _lt("Offer discounts"),
        "money",
        "down",
        "SELECT discount FROM offer_uses",
        _lt("Money taken off orders by offers in the period, tax included."),
    ),
    Figure(
        "sms_cost",
        "return",
        _lt("SMS cost"),
        "money",
        "down",
        "SELECT %(sms_cost)s::float8",
        _lt("What the period's SMS cost (``lp.figures._sms_cost``)."),
    ),
    Figure(
        "program_cost",
        "return",
        _lt("Program cost"),
        "money",
        "down",
        f"SELECT {_COST}",
        _lt(
            "Points spent in money + tier discounts + offer discounts + SMS. "
            "Bonus and offer points count when they are spent."
        ),
    ),
    Figure(
        "incremental_revenue",
        "return",
        _lt("Incremental revenue"),
        "money",
        "up",
        "SELECT %(incremental_revenue)s::float8",
        _lt(
            "Revenue of campaign and trigger recipients and of customers made "
            "an offer above their control groups (``lp.figures._campaign_results``)."
        ),
    ),
    Figure(
        "roi",
        "return",
        _lt("Return on the program"),
        "percent",
        "up",
        f"""SELECT 100.0 * (%(incremental_revenue)s - ({_COST}))
                  / NULLIF({_COST}, 0)""",
        _lt("(Incremental revenue - program cost) / program cost, in %."),
    ),
    # Reach and tiers
    Figure(
        "consent_email",
        "reach",
        _lt("Members reachable by email"),
        "percent",
        "up",
        "SELECT 100.0 * COUNT(*) FILTER (WHERE email) / NULLIF(COUNT(*), 0) "
        "FROM consent",
        _lt("Members consenting to email on the period's last day, in %."),
    ),
    Figure(
        "consent_sms",
        "reach",
        _lt("Members reachable by SMS"),
        "percent",
        "up",
        "SELECT 100.0 * COUNT(*) FILTER (WHERE sms) / NULLIF(COUNT(*), 0) FROM consent",
        _lt("Members consenting to SMS on the period's last day, in %."),
    ),
    Figure(
        "consent_bot",
        "reach",
        _lt("Members reachable in the messenger"),
        "percent",
        "up",
        "SELECT 100.0 * COUNT(*) FILTER (WHERE bot) / NULLIF(COUNT(*), 0) FROM consent",
        _lt(
            "Members consenting to offers from the messenger bot on the period's "
            "last day, in %."
        ),
    ),
    Figure(
        "campaign_response",
        "reach",
        _lt("Campaign response"),
        "percent",
        "up",
        """SELECT 100.0 * %(campaign_responders)s
                  / NULLIF(%(campaign_recipients)s, 0)""",
        _lt(
            "Campaign recipients who bought within the response window, in % of "
            "recipients."
        ),
    ),
    Figure(
        "offer_redemption",
        "reach",
        _lt("Offer redemption"),
        "percent",
        "up",
        "SELECT 100.0 * used / NULLIF(made, 0) FROM offer_rows",
        _lt(
            "Offers made to customers in the period (control group aside) that "
            "were used, in %."
        ),
    ),
    Figure(
        "tier_upgrades",
        "reach",
        _lt("Tier upgrades"),
        "count",
        "up",
        "SELECT upgrades FROM tier_moves",
        _lt("Members moved to a higher tier in the period."),
    ),
    Figure(
        "tier_downgrades",
        "reach",
        _lt("Tier downgrades"),
        "count",
        "down",
        "SELECT downgrades FROM tier_moves",
        _lt("Members moved to a lower tier in the period."),
    ),
]

BY_NAME = {figure.name: figure for figure in FIGURES}


def dashboard_sql(params, figures=None):
    """One statement computing ``figures`` (default: all; one column each,
    named after the figure) from the common tables, for ``params`` (see the
    module's docstring; ``orders`` is an :class:`SQL` of the purchases)."""
    figures = FIGURES if figures is None else figures
    columns = SQL(", ").join(
        SQL("(%s) AS %s", SQL(figure.sql, **params), SQL.identifier(figure.name))
        for figure in figures
    )
    return SQL("%s SELECT %s", SQL(BASE, **params), columns)


def tier_distribution_sql(company, end):
    """(tier_id, members) on the day before ``end``: each member's tier from
    its last tier change before ``end`` (its current tier without one)."""
    return SQL(
        """
        SELECT COALESCE(h.new_tier_id, m.tier_id) AS tier_id, COUNT(*)
          FROM lp_member m
          LEFT JOIN (SELECT DISTINCT ON (h.member_id) h.member_id, h.new_tier_id
                       FROM lp_tier_history h
                       JOIN lp_member hm ON hm.id = h.member_id
                      WHERE hm.company_id = %(company)s AND h.date < %(end)s
                      ORDER BY h.member_id, h.date DESC, h.id DESC) h
            ON h.member_id = m.id
         WHERE m.company_id = %(company)s AND m.state <> 'closed'
           AND m.join_date < %(end)s
           AND COALESCE(h.new_tier_id, m.tier_id) IS NOT NULL
         GROUP BY 1
        """,
        company=company,
        end=end,
    )


def delta(value, previous):
    """Change from ``previous`` to ``value`` in % of ``previous`` (None when
    either is unknown or ``previous`` is zero).

    >>> delta(120, 100), delta(80.0, 100.0), delta(5, 0), delta(None, 3)
    (20.0, -20.0, None, None)
    """
    if value is None or previous is None or not previous:
        return None
    return round(100.0 * (value - previous) / abs(previous), 1)
