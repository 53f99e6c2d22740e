from odoo import api, models
from odoo.tools import SQL

from .lp_message_dispatch import no_jit

GROUPS = ("target", "control")
NO_FIGURES = {
    "customers": 0,
    "buyers": 0,
    "orders": 0,
    "revenue": 0.0,
    "parts": 0,
    "sent": 0,
    "delivered": 0,
    "failed": 0,
    "reported_cost": 0.0,
    "flat_parts": 0,
}


class LpMessageDispatch(models.AbstractModel):
    """Results of the dispatch's rows, campaigns and triggers alike: each
    target and control row's response within the window after its send
    moment, then the target group against the control group. The owner
    says which rows count with an SQL condition on
    ``lp_campaign_recipient`` (no alias), e.g. ``campaign_id = 7``."""

    _inherit = "lp.message.dispatch"  # pylint: disable=consider-merging-classes-inherited

    # Results

    @api.model
    def _write_responses(self, rows, company, days):
        """Write the response (orders and revenue within ``days`` after the
        send day) of the target and control rows among ``rows``, from the
        purchases the customer statistics read (POS and sales orders of
        ``company``, net of refunds). Only the rows whose response changed
        are written."""

        def partner_filter(column):
            return SQL(
                "%s IN (SELECT partner_id FROM lp_campaign_recipient WHERE %s)",
                column,
                rows,
            )

        query = SQL(
            """
            WITH r AS (
                SELECT id, partner_id, scheduled_date::date AS day
                  FROM lp_campaign_recipient
                 WHERE %(rows)s AND "group" IN ('target', 'control')
                   AND scheduled_date IS NOT NULL
            ),
            orders AS (%(orders)s),
            response AS (
                SELECT r.id,
                       COUNT(*) FILTER (WHERE NOT o.refund) AS orders,
                       COALESCE(SUM(o.amount), 0) AS revenue
                  FROM r
                  JOIN orders o ON o.partner_id = r.partner_id
                   AND o.company_id = %(company)s
                   AND o.day >= r.day AND o.day < r.day + %(days)s
                 GROUP BY r.id
            )
            UPDATE lp_campaign_recipient t
               SET bought = (COALESCE(x.orders, 0) > 0)::int,
                   response_orders = COALESCE(x.orders, 0),
                   response_revenue = COALESCE(x.revenue, 0)
              FROM r LEFT JOIN response x ON x.id = r.id
             WHERE t.id = r.id
               AND (t.bought, t.response_orders, t.response_revenue)
                   IS DISTINCT FROM ((COALESCE(x.orders, 0) > 0)::int,
                                     COALESCE(x.orders, 0)::int,
                                     COALESCE(x.revenue, 0)::numeric)
            """,
            rows=rows,
            orders=self.env["lp.customer.stats"]._orders_sql(partner_filter),
            company=company.id,
            days=days,
        )
        with no_jit(self.env.cr):
            self.env.cr.execute(query)

    @api.model
    def _group_figures(self, rows):
        """{group: {customers, buyers, orders, revenue, parts, sent,
        delivered, failed, reported_cost, flat_parts}} of the target and
        control rows among ``rows`` (``parts``: SMS parts of the rows sent,
        ``sent``: rows sent; from each row's trace and SMS tracker:
        ``delivered``: SMS with a delivery report, ``failed``: rows that
        failed at sending or delivery, ``reported_cost``: the price SMS
        providers reported (``sms.tracker.sms_price``, company currency),
        ``flat_parts``: parts of the SMS sent with no reported price)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT r."group", COUNT(*), COALESCE(SUM(r.bought), 0),
                       COALESCE(SUM(r.response_orders), 0),
                       COALESCE(SUM(r.response_revenue), 0),
                       COALESCE(SUM(r.sms_parts) FILTER (WHERE r.state = 'sent'), 0),
                       COUNT(*) FILTER (WHERE r.state = 'sent'),
                       COUNT(*) FILTER (WHERE t.trace_type = 'sms'
                                          AND t.trace_status = 'sent'),
                       COUNT(*) FILTER (WHERE r.state = 'failed'
                                           OR t.trace_status IN ('error', 'bounce')),
                       COALESCE(SUM(k.sms_price) FILTER (WHERE r.state = 'sent'), 0),
                       COALESCE(SUM(r.sms_parts) FILTER (
                           WHERE r.state = 'sent' AND k.sms_price IS NULL
                             AND t.trace_status IS DISTINCT FROM 'error'), 0)
                  FROM (SELECT * FROM lp_campaign_recipient
                         WHERE %s AND "group" IN ('target', 'control')) r
                  LEFT JOIN mailing_trace t
                         ON t.mass_mailing_id = r.mailing_id
                        AND t.model = 'lp.campaign.recipient' AND t.res_id = r.id
                  LEFT JOIN sms_tracker k ON k.mailing_trace_id = t.id
                 GROUP BY 1
                """,
                rows,
            )
        )
        return {
            row[0]: dict(zip(NO_FIGURES, row[1:], strict=True))
            for row in self.env.cr.fetchall()
        }

    @api.model
    def _results_values(self, figures, sms_part_price, gift_spent_value):
        """Target against control from :meth:`_group_figures`: per group
        ``<group>_customers``, ``_buyers``, ``_rate`` (%), ``_revenue``,
        ``_ticket`` (average); ``uplift`` (points of %),
        ``incremental_revenue`` ((revenue per target customer - revenue per
        control customer) x target customers, 0 without a control group),
        ``sms_parts_sent``, ``delivered_count`` and ``failed_count``
        (target), ``sms_cost_sent`` (the prices SMS providers reported, and the
        parts of the SMS without one x ``sms_part_price``),
        ``gift_spent_value``, ``cost`` (SMS cost + gifts spent) and ``roi``
        (%)."""
        values = {}
        rates, per_customer = {}, {}
        for group in GROUPS:
            figure = figures.get(group, NO_FIGURES)
            customers, revenue = figure["customers"], figure["revenue"]
            rates[group] = figure["buyers"] / customers if customers else 0.0
            per_customer[group] = revenue / customers if customers else 0.0
            values.update(
                {
                    f"{group}_customers": customers,
                    f"{group}_buyers": figure["buyers"],
                    f"{group}_rate": rates[group] * 100,
                    f"{group}_revenue": revenue,
                    f"{group}_ticket": revenue / figure["orders"]
                    if figure["orders"]
                    else 0.0,
                }
            )
        target = figures.get("target", NO_FIGURES)
        values["sms_parts_sent"] = target["parts"]
        values["delivered_count"] = target["delivered"]
        values["failed_count"] = target["failed"]
        values["sms_cost_sent"] = (
            float(target["reported_cost"]) + target["flat_parts"] * sms_part_price
        )
        values["uplift"] = (rates["target"] - rates["control"]) * 100
        values["incremental_revenue"] = (
            (per_customer["target"] - per_customer["control"])
            * values["target_customers"]
            if values["control_customers"]
            else 0.0
        )
        values["gift_spent_value"] = gift_spent_value
        values["cost"] = values["sms_cost_sent"] + gift_spent_value
        values["roi"] = (
            (values["incremental_revenue"] - values["cost"]) / values["cost"] * 100
            if values["cost"]
            else 0.0
        )
        return values

    @api.model
    def _gift_spent_points(self, credits):
        """Points of the gifts (credits of kind ``campaign``) selected by
        ``credits``, an SQL condition on the credit entry ``c``, consumed by
        purchases (spends)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(SUM(a.amount), 0)
                  FROM lp_ledger_allocation a
                  JOIN lp_ledger c ON c.id = a.credit_id
                  JOIN lp_ledger d ON d.id = a.debit_id
                 WHERE %s AND c.kind = 'campaign' AND d.kind = 'spend'
                """,
                credits,
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _response_curve(self, rows, company, days):
        """Day by day over the response window, for the target and control
        rows among ``rows``: the share of the group who had bought by that
        day (%) and the revenue per customer by that day, from the same
        purchases as :meth:`_write_responses`. ``{"days": [0..days-1],
        "target": {"customers", "bought", "revenue"}, "control": ...}``."""

        def partner_filter(column):
            return SQL(
                "%s IN (SELECT partner_id FROM lp_campaign_recipient WHERE %s)",
                column,
                rows,
            )

        query = SQL(
            """
            WITH r AS (
                SELECT id, partner_id, "group", scheduled_date::date AS day
                  FROM lp_campaign_recipient
                 WHERE %(rows)s AND "group" IN ('target', 'control')
                   AND scheduled_date IS NOT NULL
            ),
            orders AS (%(orders)s),
            hits AS (
                SELECT r.id, r."group", o.day - r.day AS day_no,
                       COUNT(*) FILTER (WHERE NOT o.refund) AS orders,
                       SUM(o.amount) AS revenue
                  FROM r
                  JOIN orders o ON o.partner_id = r.partner_id
                   AND o.company_id = %(company)s
                   AND o.day >= r.day AND o.day < r.day + %(days)s
                 GROUP BY 1, 2, 3
            ),
            firsts AS (
                SELECT hits.*, day_no = MIN(day_no) FILTER (WHERE orders > 0)
                           OVER (PARTITION BY id) AS first_buy
                  FROM hits
            )
            SELECT "group", day_no, COUNT(*) FILTER (WHERE first_buy), SUM(revenue)
              FROM firsts GROUP BY 1, 2
            UNION ALL
            SELECT "group", NULL, COUNT(*), 0 FROM r GROUP BY 1
            """,
            rows=rows,
            orders=self.env["lp.customer.stats"]._orders_sql(partner_filter),
            company=company.id,
            days=days,
        )
        with no_jit(self.env.cr):
            self.env.cr.execute(query)
            found = self.env.cr.fetchall()
        curve = {"days": list(range(days))}
        for group in GROUPS:
            customers = sum(n for g, day, n, _r in found if g == group and day is None)
            buyers = [0] * days
            revenue = [0.0] * days
            for g, day, new_buyers, amount in found:
                if g == group and day is not None and 0 <= day < days:
                    buyers[day] += new_buyers
                    revenue[day] += float(amount or 0.0)
            bought, money = 0, 0.0
            curve[group] = {"customers": customers, "bought": [], "revenue": []}
            for day in range(days):
                bought += buyers[day]
                money += revenue[day]
                curve[group]["bought"].append(
                    round(100.0 * bought / customers, 2) if customers else None
                )
                curve[group]["revenue"].append(
                    round(money / customers, 2) if customers else None
                )
        return curve
