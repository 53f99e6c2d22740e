from contextlib import contextmanager
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .lp_message_dispatch import no_jit

# Memory a generator's statement may sort and hash in before spilling to
# disk (the pairs of millions of baskets, the candidates of a batch).
WORK_MEM = "128MB"

# A basket with more distinct products than this is left out of the pairs
# (a shop's restocking order, not a customer's basket): pairs grow with
# the square of a basket's size.
MAX_BASKET = 40
# Pairs kept per product, the best first.
PAIRS_PER_PRODUCT = 10
# "Goes with": the customer's most bought products read, and the best pairs
# of each.
TOP_BOUGHT = 5
TOP_PAIRS = 5


@contextmanager
def big_statement(cr):
    """Run one of the generators' statements without JIT and with
    ``WORK_MEM`` (for this transaction only; restored after)."""
    cr.execute("SELECT current_setting('work_mem')")
    previous = cr.fetchone()[0]
    cr.execute(SQL("SELECT set_config('work_mem', %s, true)", WORK_MEM))
    with no_jit(cr):
        yield
    cr.execute(SQL("SELECT set_config('work_mem', %s, true)", previous))


class LpOffer(models.Model):
    """The nightly generators of personal offers, set-based in SQL over the
    baskets of the last months (POS and sales orders):

    * *due again*: a product the customer buys regularly whose usual
      interval has passed (``offer_due_factor`` intervals, at most four);
    * *goes with what you buy*: a product often bought with one the
      customer buys (``lp.offer.pair``: support and lift over all the
      company's baskets) that the customer has not bought;
    * *favourite category*: the customer's top category by spend.

    Each customer holds at most ``offer_max_personal`` personal offers at
    a time, the best by expected value; none on a product the program
    excludes, archived, not for sale or out of stock, nor on one offered
    within its offer's lifetime. The figures behind each row are stored."""

    _inherit = "lp.offer"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _lp_lines_sql(self, company, since, partners=None):
        """Basket lines of ``company`` since ``since``: ``partner_id``,
        ``basket`` (a POS order's id, minus a sales order's), ``day``,
        ``product_id``, ``qty``, ``amount`` (company currency, tax
        included). ``partners``: SQL selecting partner ids (None: every
        basket, anonymous ones included). Meant to be overridden."""

        def only(column):
            if partners is None:
                return SQL("TRUE")
            return SQL("%s IN (%s)", column, partners)

        return SQL(
            """
            SELECT o.partner_id, o.id::bigint AS basket, o.date_order::date AS day,
                   l.product_id, l.qty,
                   l.price_subtotal_incl / COALESCE(NULLIF(o.currency_rate, 0), 1)
                       AS amount
              FROM pos_order o
              JOIN pos_order_line l ON l.order_id = o.id
             WHERE o.state IN ('paid', 'done') AND o.company_id = %(company)s
               AND o.date_order >= %(since)s AND l.qty > 0
               AND l.price_subtotal_incl > 0 AND %(pos)s
            UNION ALL
            SELECT s.partner_id, -s.id::bigint, s.date_order::date, l.product_id,
                   l.product_uom_qty,
                   l.price_total / COALESCE(NULLIF(s.currency_rate, 0), 1)
              FROM sale_order s
              JOIN sale_order_line l ON l.order_id = s.id
             WHERE s.state = 'sale' AND s.company_id = %(company)s
               AND s.date_order >= %(since)s AND l.product_id IS NOT NULL
               AND l.display_type IS NULL AND NOT COALESCE(l.is_downpayment, FALSE)
               AND l.product_uom_qty > 0 AND l.price_total > 0 AND %(sale)s
            """,
            company=company.id,
            since=since,
            pos=only(SQL("o.partner_id")),
            sale=only(SQL("s.partner_id")),
        )

    @api.model
    def _lp_build_pairs(self, program, today):
        """Rebuild the company's ``lp.offer.pair`` rows from its baskets
        (the program's look-back period). Returns how many were kept."""
        company = program.company_id
        since = today - timedelta(days=program.offer_lookback_days)
        now = fields.Datetime.now()
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(SQL("DELETE FROM lp_offer_pair WHERE company_id = %s", company.id))
        query = SQL(
            """
            WITH lines AS (%(lines)s),
            b AS (SELECT basket, product_id, SUM(amount) AS amount, SUM(qty) AS qty
                    FROM lines GROUP BY 1, 2),
            total AS (SELECT COUNT(DISTINCT basket) AS n FROM b),
            pc AS (SELECT product_id, COUNT(*) AS c,
                          SUM(amount) / NULLIF(SUM(qty), 0) AS price
                     FROM b GROUP BY 1 HAVING COUNT(*) >= %(min)s),
            sized AS (SELECT basket FROM b GROUP BY basket
                       HAVING COUNT(*) BETWEEN 2 AND %(max_basket)s),
            bb AS (SELECT b.basket, b.product_id FROM b
                     JOIN pc ON pc.product_id = b.product_id
                     JOIN sized s ON s.basket = b.basket),
            pairs AS (SELECT x.product_id AS a, y.product_id AS o, COUNT(*) AS ab
                        FROM bb x JOIN bb y
                          ON y.basket = x.basket AND y.product_id <> x.product_id
                       GROUP BY 1, 2 HAVING COUNT(*) >= %(min)s),
            scored AS (
                SELECT p.a, p.o, p.ab, p.ab::float8 / ca.c AS confidence,
                       p.ab::float8 * t.n / (ca.c::float8 * cb.c) AS lift, cb.price
                  FROM pairs p
                  JOIN pc ca ON ca.product_id = p.a
                  JOIN pc cb ON cb.product_id = p.o
                 CROSS JOIN total t
            ),
            ranked AS (
                SELECT s.*, ROW_NUMBER() OVER (
                           PARTITION BY s.a ORDER BY s.lift * s.confidence DESC, s.o
                       ) AS rn
                  FROM scored s WHERE s.lift >= %(min_lift)s
            )
            INSERT INTO lp_offer_pair (company_id, product_id, other_id, baskets,
                                       confidence, lift, rank, other_price,
                                       create_uid, create_date, write_uid, write_date)
            SELECT %(company)s, a, o, ab, 100 * confidence, lift, rn, price, %(uid)s,
                   %(now)s, %(uid)s, %(now)s
              FROM ranked WHERE rn <= %(keep)s
            """,
            lines=self._lp_lines_sql(company, since),
            min=program.offer_min_baskets,
            max_basket=MAX_BASKET,
            min_lift=program.offer_min_lift,
            company=company.id,
            uid=self.env.uid,
            now=now,
            keep=PAIRS_PER_PRODUCT,
        )
        with big_statement(cr):
            cr.execute(query)
            kept = cr.rowcount
        self.env["lp.offer.pair"].invalidate_model()
        return kept

    # Candidates of each generator, one row per (partner, product or
    # category): offer_id, partner_id, product_id, categ_id, the figures,
    # and ev (expected value, company currency).

    def _lp_due_sql(self, program, today):
        return SQL(
            """
            SELECT %(offer)s AS offer_id, partner_id, product_id, NULL::int AS categ_id,
                   itv AS fig_interval, since AS fig_days_since, n AS fig_purchases,
                   qty AS fig_qty, price AS fig_price, NULL::int AS fig_because_id,
                   NULL::int AS fig_baskets, NULL::float8 AS fig_confidence,
                   NULL::float8 AS fig_lift, NULL::numeric AS fig_spend,
                   NULL::float8 AS fig_share, qty * price * n / (n + 2.0) AS ev
              FROM (SELECT partner_id, product_id, COUNT(*) AS n,
                           (MAX(day) - MIN(day))::float8 / (COUNT(*) - 1) AS itv,
                           %(today)s - MAX(day) AS since, AVG(qty) AS qty,
                           SUM(amount) / NULLIF(SUM(qty), 0) AS price
                      FROM per_day GROUP BY 1, 2
                    HAVING COUNT(*) >= %(min)s) r
             WHERE itv >= 1 AND since >= itv * %(factor)s AND since <= itv * 4
            """,
            offer=self.id,
            today=today,
            min=program.offer_min_purchases,
            factor=program.offer_due_factor,
        )

    def _lp_goes_sql(self, program, today):
        """From the products the customer buys most often (``TOP_BOUGHT``),
        their best pairs (``TOP_PAIRS``): a few candidates per customer,
        whatever the size of the catalogue."""
        return SQL(
            """
            SELECT DISTINCT ON (bo.partner_id, p.other_id)
                   %(offer)s, bo.partner_id, p.other_id, NULL::int, NULL::float8,
                   NULL::int, NULL::int, NULL::float8, p.other_price, p.product_id,
                   p.baskets, p.confidence, p.lift, NULL::numeric, NULL::float8,
                   p.confidence / 100.0 * p.other_price
              FROM (SELECT partner_id, product_id
                      FROM (SELECT partner_id, product_id,
                                   ROW_NUMBER() OVER (
                                       PARTITION BY partner_id
                                       ORDER BY COUNT(*) DESC, product_id) AS rn
                              FROM per_day GROUP BY partner_id, product_id) t
                     WHERE rn <= %(top_bought)s) bo
              JOIN lp_offer_pair p
                ON p.company_id = %(company)s AND p.product_id = bo.product_id
               AND p.rank <= %(top_pairs)s
             WHERE NOT EXISTS (SELECT 1 FROM bought b2
                                WHERE b2.partner_id = bo.partner_id
                                  AND b2.product_id = p.other_id)
             ORDER BY bo.partner_id, p.other_id, p.confidence * p.lift DESC
            """,
            offer=self.id,
            company=program.company_id.id,
            top_bought=TOP_BOUGHT,
            top_pairs=TOP_PAIRS,
        )

    def _lp_favourite_sql(self, program, today):
        return SQL(
            """
            SELECT %(offer)s, partner_id, NULL::int, categ_id, NULL::float8, NULL::int,
                   n, NULL::float8, NULL::numeric, NULL::int, NULL::int, NULL::float8,
                   NULL::float8, spend, share, spend * 30.0 / %(days)s
              FROM (SELECT DISTINCT ON (partner_id) partner_id, categ_id, spend, n,
                           100.0 * spend / SUM(spend) OVER (PARTITION BY partner_id)
                               AS share
                      FROM (SELECT l.partner_id, pt.categ_id, SUM(l.amount) AS spend,
                                   COUNT(DISTINCT l.basket) AS n
                              FROM lines l
                              JOIN product_product pp ON pp.id = l.product_id
                              JOIN product_template pt ON pt.id = pp.product_tmpl_id
                             WHERE pt.categ_id IS NOT NULL
                             GROUP BY 1, 2) c
                     ORDER BY partner_id, spend DESC, categ_id) f
             WHERE share >= %(share)s AND n >= 2
            """,
            offer=self.id,
            days=program.offer_lookback_days,
            share=program.offer_min_share,
        )
