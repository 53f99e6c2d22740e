from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .lp_member_offer import OPEN_ENDED_DAYS
from .lp_offer_generate import big_statement

CANDIDATES = {
    "due_again": "_lp_due_sql",
    "goes_with": "_lp_goes_sql",
    "favourite": "_lp_favourite_sql",
}


class LpOffer(models.Model):
    """One batch of the generators: the candidates of every running
    generator for the members of an id range, filtered and ranked, written
    as rows in one statement (see ``lp_offer_generate.py``)."""

    _inherit = "lp.offer"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _lp_excluded(self, program):
        """(product ids, category ids with their subcategories) never
        offered: the program's earning exclusions and its offer exclusions."""
        products = (
            program.earn_excluded_product_ids | program.offer_excluded_product_ids
        )
        roots = program.earn_excluded_categ_ids | program.offer_excluded_categ_ids
        categories = (
            self.env["product.category"].search([("id", "child_of", roots.ids)])
            if roots
            else roots
        )
        return tuple(products.ids) or (0,), tuple(categories.ids) or (0,)

    @api.model
    def _lp_generate(self, program, generators, id_range, today=None, now=None):
        """Make the personal rows of the members of ``program`` whose id
        lies in ``id_range`` ([low, high)) from the running ``generators``
        (their ``lp.offer``). Returns how many rows were made."""
        generators = generators.filtered(lambda o: o.generator in CANDIDATES)
        if not generators or not program.offer_max_personal:
            return 0
        today = today or fields.Date.today()
        now = now or fields.Datetime.now()
        company = program.company_id
        since = today - timedelta(days=program.offer_lookback_days)
        products, categories = self._lp_excluded(program)
        candidates = SQL(" UNION ALL ").join(
            SQL("(%s)", getattr(offer, CANDIDATES[offer.generator])(program, today))
            for offer in generators
        )
        offer_values = SQL(", ").join(
            SQL(
                "(%s, %s::timestamp, %s, %s::int, %s)",
                offer.id,
                offer._lp_row_end(now) or None,
                offer.seed or "",
                round(offer.control_percent * 100),
                offer.lifetime_days or OPEN_ENDED_DAYS,
            )
            for offer in generators
        )
        all_generated = tuple(
            self.sudo()
            .with_context(active_test=False)
            .search([("program_id", "=", program.id), ("generator", "!=", "manual")])
            .ids
        )
        self.env.flush_all()
        query = SQL(
            """
            WITH members AS MATERIALIZED (
                SELECT id, partner_id FROM lp_member
                 WHERE program_id = %(program)s AND state = 'active'
                   AND id >= %(low)s AND id < %(high)s
            ),
            lines AS MATERIALIZED (%(lines)s),
            per_day AS (SELECT partner_id, product_id, day, SUM(qty) AS qty,
                               SUM(amount) AS amount
                          FROM lines GROUP BY 1, 2, 3),
            bought AS (SELECT DISTINCT partner_id, product_id FROM lines),
            cand(offer_id, partner_id, product_id, categ_id, fig_interval,
                 fig_days_since, fig_purchases, fig_qty, fig_price, fig_because_id,
                 fig_baskets, fig_confidence, fig_lift, fig_spend, fig_share, ev)
                AS (%(candidates)s),
            stock AS (
                SELECT q.product_id, SUM(q.quantity) AS qty
                  FROM stock_quant q
                  JOIN stock_location sl ON sl.id = q.location_id
                 WHERE sl.usage = 'internal' AND sl.company_id = %(company)s
                   AND q.product_id IN (SELECT product_id FROM cand)
                 GROUP BY 1
            ),
            offers(id, valid_until, seed, control, lifetime) AS (VALUES %(offers)s),
            ok AS (
                SELECT c.*, m.id AS member_id
                  FROM cand c
                  JOIN members m ON m.partner_id = c.partner_id
                  LEFT JOIN product_product pp ON pp.id = c.product_id
                  LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  LEFT JOIN stock s ON s.product_id = c.product_id
                  JOIN offers o ON o.id = c.offer_id
                 WHERE (c.product_id IS NULL
                        OR (pp.active AND pt.active AND pt.sale_ok
                            AND c.product_id NOT IN %(products)s
                            AND COALESCE(pt.categ_id, 0) NOT IN %(categories)s
                            AND (NOT COALESCE(pt.is_storable, FALSE) OR s.qty > 0)))
                   AND (c.categ_id IS NULL OR c.categ_id NOT IN %(categories)s)
                   AND NOT EXISTS (
                       SELECT 1 FROM lp_offer_member r
                        WHERE r.member_id = m.id AND r.offer_id IN %(generated)s
                          AND r.product_id IS NOT DISTINCT FROM c.product_id
                          AND r.categ_id IS NOT DISTINCT FROM c.categ_id
                          AND (r.state = 'active' OR r.date_start
                               > %(now)s - make_interval(days => o.lifetime)))
            ),
            slots AS (
                SELECT m.id, %(max)s - COUNT(r.id) AS free
                  FROM members m
                  LEFT JOIN lp_offer_member r
                    ON r.member_id = m.id AND r.state = 'active'
                   AND r.offer_id IN %(generated)s
                 GROUP BY m.id
            ),
            ranked AS (
                SELECT ok.*, ROW_NUMBER() OVER (
                           PARTITION BY ok.member_id
                           ORDER BY ok.ev DESC NULLS LAST, ok.offer_id, ok.product_id,
                                    ok.categ_id) AS rn
                  FROM ok
            ),
            new AS (
                INSERT INTO lp_offer_member (
                    offer_id, member_id, partner_id, company_id, generator, "group",
                    state, product_id, categ_id, date_start, valid_until, use_count,
                    given_points, given_discount, fig_interval, fig_days_since,
                    fig_purchases, fig_qty, fig_price, fig_because_id, fig_baskets,
                    fig_confidence, fig_lift, fig_spend, fig_share, expected_value,
                    create_uid, create_date, write_uid, write_date)
                SELECT r.offer_id, r.member_id, r.partner_id, %(company)s, g.generator,
                       CASE WHEN %(held_out)s THEN 'control' ELSE 'target' END,
                       'active', r.product_id, r.categ_id, %(now)s, o.valid_until, 0,
                       0, 0, r.fig_interval, r.fig_days_since, r.fig_purchases,
                       r.fig_qty, r.fig_price, r.fig_because_id, r.fig_baskets,
                       r.fig_confidence, r.fig_lift, r.fig_spend, r.fig_share, r.ev,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM ranked r
                  JOIN slots s ON s.id = r.member_id
                  JOIN offers o ON o.id = r.offer_id
                  JOIN lp_offer g ON g.id = r.offer_id
                 WHERE r.rn <= s.free
                RETURNING member_id, "group", valid_until
            ),
            hint AS (
                UPDATE lp_member m
                   SET offer_until = GREATEST(m.offer_until, x.until)
                  FROM (SELECT member_id, MAX(COALESCE(valid_until, %(far)s)) AS until
                          FROM new WHERE "group" = 'target' GROUP BY 1) x
                 WHERE m.id = x.member_id
                RETURNING 1
            )
            SELECT (SELECT COUNT(*) FROM new), (SELECT COUNT(*) FROM hint)
            """,
            program=program.id,
            low=id_range[0],
            high=id_range[1],
            lines=self._lp_lines_sql(
                company, since, SQL("SELECT partner_id FROM members")
            ),
            candidates=candidates,
            company=company.id,
            offers=offer_values,
            products=products,
            categories=categories,
            generated=all_generated or (0,),
            now=now,
            max=program.offer_max_personal,
            uid=self.env.uid,
            far=now + timedelta(days=OPEN_ENDED_DAYS),
            held_out=self._lp_held_out_sql(
                SQL("o.seed"), SQL("o.control"), SQL("r.partner_id")
            ),
        )
        with big_statement(self.env.cr):
            self.env.cr.execute(query)
            made = self.env.cr.fetchone()[0]
        self.env["lp.offer.member"].invalidate_model()
        self.env["lp.member"].invalidate_model(["offer_until"])
        return made
