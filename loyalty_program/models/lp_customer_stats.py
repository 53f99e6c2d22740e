from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import rfm

# Columns written by the SQL below, compared to skip rows that did not change.
FIGURES = [
    "first_purchase_date",
    "last_purchase_date",
    "recency_days",
    "purchase_count",
    "revenue",
    "window_purchase_count",
    "window_revenue",
    "average_ticket",
    "average_interval",
    "total_saved",
    "recency_score",
    "frequency_score",
    "monetary_score",
    "rfm_score",
    "rfm_group",
    "tier_id",
]
SCORES = [
    "recency_score",
    "frequency_score",
    "monetary_score",
    "rfm_score",
    "rfm_group",
]


class LpCustomerStats(models.Model):
    """A customer's purchase statistics and RFM scores in one company: one
    row per (partner, company) that has bought, saved points or is a member.

    Why a table of its own and not stored fields on ``res.partner``: the
    figures are rewritten every night for every customer (recency moves each
    day); rewriting a narrow table is far cheaper than rewriting the wide
    partner rows (and their indexes) of up to a million customers, and the
    figures are per company while a partner is shared. The rows are written
    by SQL only (:meth:`_compute_figures`, :meth:`_rescore`), never by the
    ORM, so no compute dependency fires on partner writes. ``res.partner``
    shows the current company's row through searchable non-stored fields
    (``lp_revenue``, ``lp_rfm_group``...), so the segment domain editor can
    use them.

    Revenue is what the customer paid, taxes included, in the company
    currency (order amount divided by the order's currency rate): paid or
    posted POS orders (``paid``/``done``; POS refunds are orders with a
    negative total) and confirmed sales orders (``sale``), net of POS refunds
    and of posted credit notes of those sales orders. A refund lowers the
    revenue but is not a purchase. Dates are the UTC day of the order. Total
    saved is the value of the points spent (points × the program's point
    value), net of spends given back by reversals."""

    _name = "lp.customer.stats"
    _description = "Customer Statistics"
    _order = "last_purchase_date desc nulls last, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, ondelete="cascade", index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    first_purchase_date = fields.Date(readonly=True)
    last_purchase_date = fields.Date(readonly=True)
    recency_days = fields.Integer(
        string="Days since last purchase",
        readonly=True,
        help="As of the last refresh of the statistics.",
    )
    purchase_count = fields.Integer(string="Purchases", readonly=True)
    revenue = fields.Monetary(string="Revenue (all time)", readonly=True)
    window_purchase_count = fields.Integer(string="Purchases in window", readonly=True)
    window_revenue = fields.Monetary(string="Revenue in window", readonly=True)
    average_ticket = fields.Monetary(readonly=True)
    # float8, not rounded: the sleeping rule compares with it, in the
    # nightly figures and in the rescoring alike.
    average_interval = fields.Float(
        string="Average days between purchases", readonly=True
    )
    total_saved = fields.Monetary(readonly=True)
    recency_score = fields.Integer(string="R", readonly=True, aggregator="avg")
    frequency_score = fields.Integer(string="F", readonly=True, aggregator="avg")
    monetary_score = fields.Integer(string="M", readonly=True, aggregator="avg")
    rfm_score = fields.Char(string="RFM", readonly=True)
    rfm_group = fields.Selection(rfm.GROUPS, string="RFM group", readonly=True)
    tier_id = fields.Many2one("lp.tier", readonly=True)

    _partner_company_unique = models.UniqueIndex("(partner_id, company_id)")
    _group_index = models.Index("(company_id, rfm_group)")

    # Set-based computation

    def _partner_filter(self, column, partner_ids=None, id_range=None):
        """SQL condition on ``column`` (an SQL identifier) selecting the
        partners to compute: a list of ids, a [low, high) id range, or all."""
        if partner_ids is not None:
            return SQL("%s IN %s", column, tuple(partner_ids) or (0,))
        if id_range is not None:
            return SQL("%s >= %s AND %s < %s", column, id_range[0], column, id_range[1])
        return SQL("TRUE")

    def _score_sql(self, row, config, today):
        """SQL expressions (recency, frequency, monetary, rfm score, group)
        of a row ``row`` holding the stats columns, with ``config`` the
        alias of its ``lp_stats_config``: the SQL twin of
        :mod:`..tools.rfm`."""

        def col(name):
            return SQL.identifier(row, name)

        def cfg(name):
            return SQL.identifier(config, name)

        def above(value, dimension):
            return SQL(" + ").join(
                SQL("(%s > %s)::int", value, cfg(f"{dimension}_break_{i}"))
                for i in range(1, 5)
            )

        bought = SQL("%s > 0", col("purchase_count"))
        recency = SQL(
            "CASE WHEN %s THEN 5 - (%s) ELSE 0 END",
            bought,
            above(col("recency_days"), "recency"),
        )
        frequency = SQL(
            "CASE WHEN %s THEN 1 + %s ELSE 0 END",
            bought,
            above(col("window_purchase_count"), "frequency"),
        )
        monetary = SQL(
            "CASE WHEN %s THEN 1 + %s ELSE 0 END",
            bought,
            above(col("window_revenue"), "monetary"),
        )
        score = SQL(
            "CASE WHEN %s THEN (%s)::text || (%s)::text || (%s)::text END",
            bought,
            recency,
            frequency,
            monetary,
        )
        group = SQL(
            """
            CASE WHEN NOT %(bought)s OR %(days)s IS NULL THEN NULL
                 WHEN %(days)s > %(lost_days)s THEN 'lost'
                 WHEN CASE WHEN %(count)s >= %(min_purchases)s AND %(interval)s > 0
                           THEN %(days)s > %(factor)s * %(interval)s
                           ELSE %(days)s > %(sleeping_days)s END THEN 'sleeping'
                 WHEN %(today)s - %(first)s <= %(new_days)s THEN 'new'
                 WHEN %(r)s <= 2 THEN 'at_risk'
                 WHEN %(r)s >= 4 AND %(f)s >= 4 AND %(m)s >= 4 THEN 'champions'
                 WHEN %(f)s >= 4 THEN 'loyal'
                 ELSE 'active' END
            """,
            bought=bought,
            days=col("recency_days"),
            count=col("purchase_count"),
            interval=col("average_interval"),
            first=col("first_purchase_date"),
            lost_days=cfg("lost_days"),
            min_purchases=cfg("sleeping_min_purchases"),
            factor=cfg("sleeping_factor"),
            sleeping_days=cfg("sleeping_days"),
            new_days=cfg("new_days"),
            today=today,
            r=recency,
            f=frequency,
            m=monetary,
        )
        return recency, frequency, monetary, score, group

    def _orders_sql(self, partner_filter):
        """The purchases and refunds behind the statistics, one row each:
        (partner_id, company_id, day, amount in company currency, refund).
        Meant to be overridden to add other sources (e.g. e-commerce
        refunds); keep the columns."""
        return SQL(
            """
            SELECT o.partner_id, o.company_id, o.date_order::date AS day,
                   o.amount_total / COALESCE(NULLIF(o.currency_rate, 0), 1) AS amount,
                   (o.is_refund OR o.amount_total < 0) AS refund
              FROM pos_order o
             WHERE o.state IN ('paid', 'done') AND o.partner_id IS NOT NULL
               AND %(pos)s
            UNION ALL
            SELECT s.partner_id, s.company_id, s.date_order::date,
                   s.amount_total / COALESCE(NULLIF(s.currency_rate, 0), 1), FALSE
              FROM sale_order s
             WHERE s.state = 'sale' AND %(sale)s
            UNION ALL
            (SELECT DISTINCT ON (m.id) s.partner_id, m.company_id, m.invoice_date,
                    m.amount_total_signed, TRUE
               FROM sale_order s
               JOIN sale_order_line sl ON sl.order_id = s.id
               JOIN sale_order_line_invoice_rel r ON r.order_line_id = sl.id
               JOIN account_move_line l ON l.id = r.invoice_line_id
               JOIN account_move m ON m.id = l.move_id
              WHERE s.state = 'sale' AND m.move_type = 'out_refund'
                AND m.state = 'posted' AND %(sale)s
              ORDER BY m.id, s.id)
            """,
            pos=partner_filter(SQL.identifier("o", "partner_id")),
            sale=partner_filter(SQL.identifier("s", "partner_id")),
        )

    @api.model
    def _compute_figures(self, partner_ids=None, id_range=None, today=None):
        """Recompute the statistics and scores of the given partners (ids, a
        [low, high) id range, or everyone) in one statement, scoring with
        the stored breakpoints; rows that did not change are not written,
        rows of partners with nothing left are deleted. Returns the number
        of rows written."""
        today = today or fields.Date.today()
        self.env["lp.stats.config"]._for_companies()
        self.env.flush_all()

        def partner_filter(column):
            return self._partner_filter(column, partner_ids, id_range)

        r, f, m, score, group = self._score_sql("x", "c", today)
        columns = SQL(", ").join(SQL.identifier(name) for name in FIGURES)
        changed = SQL(
            "(%s) IS DISTINCT FROM (%s)",
            SQL(", ").join(SQL.identifier("lp_customer_stats", n) for n in FIGURES),
            SQL(", ").join(SQL.identifier("excluded", n) for n in FIGURES),
        )
        self.env.cr.execute(
            SQL(
                """
                WITH orders AS (%(orders)s),
                figures AS (
                    SELECT o.partner_id, o.company_id,
                           MIN(o.day) FILTER (WHERE NOT o.refund) AS first_day,
                           MAX(o.day) FILTER (WHERE NOT o.refund) AS last_day,
                           COUNT(*) FILTER (WHERE NOT o.refund) AS purchases,
                           SUM(o.amount) AS revenue,
                           COUNT(*) FILTER (WHERE NOT o.refund
                                            AND o.day > %(today)s - c.window_days)
                               AS window_purchases,
                           SUM(o.amount) FILTER (
                               WHERE o.day > %(today)s - c.window_days
                           ) AS window_revenue
                      FROM orders o
                      JOIN lp_stats_config c ON c.company_id = o.company_id
                     GROUP BY o.partner_id, o.company_id
                ),
                saved AS (
                    SELECT l.partner_id, l.company_id,
                           SUM(-l.amount * p.point_value) AS saved
                      FROM lp_ledger l
                      JOIN lp_program p ON p.id = l.program_id
                      LEFT JOIN lp_ledger rev ON rev.id = l.reversed_entry_id
                     WHERE (l.kind = 'spend'
                            OR (l.kind = 'reversal' AND rev.kind = 'spend'))
                       AND %(ledger)s
                     GROUP BY l.partner_id, l.company_id
                ),
                members AS (
                    SELECT DISTINCT ON (mb.partner_id, mb.company_id)
                           mb.partner_id, mb.company_id, mb.tier_id
                      FROM lp_member mb
                     WHERE mb.state <> 'closed' AND %(member)s
                     ORDER BY mb.partner_id, mb.company_id, mb.id
                ),
                keys AS (
                    SELECT partner_id, company_id FROM figures
                    UNION SELECT partner_id, company_id FROM saved
                    UNION SELECT partner_id, company_id FROM members
                ),
                x AS (
                    SELECT k.partner_id, k.company_id,
                           fg.first_day AS first_purchase_date,
                           fg.last_day AS last_purchase_date,
                           %(today)s - fg.last_day AS recency_days,
                           COALESCE(fg.purchases, 0) AS purchase_count,
                           COALESCE(fg.revenue, 0) AS revenue,
                           COALESCE(fg.window_purchases, 0) AS window_purchase_count,
                           COALESCE(fg.window_revenue, 0) AS window_revenue,
                           CASE WHEN fg.purchases > 0
                                THEN fg.revenue / fg.purchases
                                ELSE 0 END AS average_ticket,
                           CASE WHEN fg.purchases > 1
                                THEN (fg.last_day - fg.first_day)::float8
                                     / (fg.purchases - 1)
                                END AS average_interval,
                           COALESCE(sv.saved, 0) AS total_saved,
                           mb.tier_id
                      FROM keys k
                      LEFT JOIN figures fg
                        ON fg.partner_id = k.partner_id AND fg.company_id = k.company_id
                      LEFT JOIN saved sv
                        ON sv.partner_id = k.partner_id AND sv.company_id = k.company_id
                      LEFT JOIN members mb
                        ON mb.partner_id = k.partner_id AND mb.company_id = k.company_id
                ),
                final AS (
                    SELECT x.*, %(r)s AS recency_score, %(f)s AS frequency_score,
                           %(m)s AS monetary_score, %(score)s AS rfm_score,
                           %(group)s AS rfm_group
                      FROM x JOIN lp_stats_config c ON c.company_id = x.company_id
                ),
                removed AS (
                    DELETE FROM lp_customer_stats t
                     WHERE %(stats)s
                       AND NOT EXISTS (SELECT 1 FROM final
                                        WHERE final.partner_id = t.partner_id
                                          AND final.company_id = t.company_id)
                )
                INSERT INTO lp_customer_stats (partner_id, company_id, %(columns)s,
                            create_uid, create_date, write_uid, write_date)
                SELECT partner_id, company_id, %(columns)s,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM final
                    ON CONFLICT (partner_id, company_id) DO UPDATE
                   SET (%(columns)s, write_uid, write_date)
                     = (%(excluded)s, excluded.write_uid, excluded.write_date)
                 WHERE %(changed)s
                """,
                orders=self._orders_sql(partner_filter),
                ledger=partner_filter(SQL.identifier("l", "partner_id")),
                member=partner_filter(SQL.identifier("mb", "partner_id")),
                stats=partner_filter(SQL.identifier("t", "partner_id")),
                today=today,
                r=r,
                f=f,
                m=m,
                score=score,
                group=group,
                columns=columns,
                excluded=SQL(", ").join(
                    SQL.identifier("excluded", name) for name in FIGURES
                ),
                changed=changed,
                uid=self.env.uid,
                now=fields.Datetime.now(),
            )
        )
        count = self.env.cr.rowcount
        self._invalidate_written()
        return count

    @api.model
    def _rescore(self, id_range=None, today=None):
        """Score again with the current breakpoints (after the nightly
        quintiles moved them); only rows whose scores change are written.
        Returns the number of rows written."""
        today = today or fields.Date.today()
        self.env.flush_all()
        r, f, m, score, group = self._score_sql("s", "c", today)
        names = SQL(", ").join(SQL.identifier(n) for n in SCORES)
        self.env.cr.execute(
            SQL(
                """
                UPDATE lp_customer_stats t
                   SET (%(names)s, write_date) = (%(new)s, %(now)s)
                  FROM (SELECT s.id, %(r)s AS recency_score, %(f)s AS frequency_score,
                               %(m)s AS monetary_score, %(score)s AS rfm_score,
                               %(group)s AS rfm_group
                          FROM lp_customer_stats s
                          JOIN lp_stats_config c ON c.company_id = s.company_id
                         WHERE %(where)s) n
                 WHERE t.id = n.id AND (%(old)s) IS DISTINCT FROM (%(new)s)
                """,
                names=names,
                new=SQL(", ").join(SQL.identifier("n", x) for x in SCORES),
                old=SQL(", ").join(SQL.identifier("t", x) for x in SCORES),
                r=r,
                f=f,
                m=m,
                score=score,
                group=group,
                where=self._partner_filter(
                    SQL.identifier("s", "partner_id"), id_range=id_range
                ),
                now=fields.Datetime.now(),
            )
        )
        count = self.env.cr.rowcount
        self._invalidate_written()
        return count

    @api.model
    def _invalidate_written(self):
        """Forget the cached statistics (and their mirrors on partners) after
        an SQL write. Only these: invalidating everything would also reorder
        what the caller holds in cache (e.g. a POS session closing its
        orders in creation order)."""
        self.invalidate_model()
        self.env["res.partner"].invalidate_model()

    @api.model
    def _refresh_partners(self, partner_ids):
        """Bring the statistics of a few partners up to date at once, e.g.
        when one of their orders is paid, confirmed or cancelled. Meant to be
        called from order hooks; cheap (a few index lookups)."""
        partner_ids = [pid for pid in set(partner_ids) if pid]
        if not partner_ids:
            return 0
        return self.sudo()._compute_figures(partner_ids=partner_ids)
