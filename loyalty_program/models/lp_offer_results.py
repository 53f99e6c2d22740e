from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .lp_message_dispatch import no_jit
from .lp_message_dispatch_results import NO_FIGURES


class LpOffer(models.Model):
    """Results of an offer: rows made (sent), used (redeemed), the
    customers' purchases while each row was open (from the date it was made
    to its end, or ``response_days``), target against control, and what it
    cost (points given at the point value, money discounts)."""

    _inherit = "lp.offer"  # pylint: disable=consider-merging-classes-inherited

    results_date = fields.Datetime(string="Results as of", readonly=True, copy=False)
    sent_count = fields.Integer(
        string="Sent", readonly=True, copy=False, help="Rows made in the target group."
    )
    redeemed_count = fields.Integer(
        string="Redeemed",
        readonly=True,
        copy=False,
        help="Target rows used at least once.",
    )
    redemption_rate = fields.Float(string="Redemption (%)", readonly=True, copy=False)
    target_customers = fields.Integer(readonly=True, copy=False)
    target_buyers = fields.Integer(readonly=True, copy=False)
    target_rate = fields.Float(string="Target: bought (%)", readonly=True, copy=False)
    target_revenue = fields.Monetary(readonly=True, copy=False)
    control_customers = fields.Integer(readonly=True, copy=False)
    control_buyers = fields.Integer(readonly=True, copy=False)
    control_rate = fields.Float(string="Control: bought (%)", readonly=True, copy=False)
    control_revenue = fields.Monetary(readonly=True, copy=False)
    uplift = fields.Float(string="Uplift (points of %)", readonly=True, copy=False)
    incremental_revenue = fields.Monetary(
        readonly=True,
        copy=False,
        help="(Revenue per target row - revenue per control row) x target rows.",
    )
    points_given = fields.Float(digits=(16, 2), readonly=True, copy=False)
    discount_given = fields.Monetary(readonly=True, copy=False)
    cost = fields.Monetary(
        readonly=True,
        copy=False,
        help="Points given x the point value + money discounts given.",
    )
    roi = fields.Float(string="ROI (%)", readonly=True, copy=False)

    def action_compute_results(self):
        self._check_manager()
        self.sudo()._lp_compute_results()
        return True

    def _lp_compute_results(self, now=None):
        """Response per row, then the offer's figures. Set-based."""
        now = now or fields.Datetime.now()
        self.env.flush_all()
        for offer in self:
            offer._lp_write_responses(now)
            offer.sudo().write(offer._lp_results_values(offer._lp_group_figures(), now))
        self.env["lp.offer.member"].invalidate_model()

    def _lp_write_responses(self, now):
        """Orders and revenue of each row's customer while the row was open
        (the customer statistics' purchases, net of refunds)."""
        self.ensure_one()

        def partner_filter(column):
            return SQL(
                "%s IN (SELECT partner_id FROM lp_offer_member WHERE offer_id = %s)",
                column,
                self.id,
            )

        query = SQL(
            """
            WITH r AS (
                SELECT id, partner_id, date_start::date AS d0,
                       LEAST(COALESCE(valid_until,
                                      date_start + make_interval(days => %(days)s)),
                             %(now)s)::date AS d1
                  FROM lp_offer_member WHERE offer_id = %(offer)s
            ),
            orders AS (%(orders)s),
            response AS (
                SELECT r.id, COUNT(*) FILTER (WHERE NOT o.refund) AS orders,
                       COALESCE(SUM(o.amount), 0) AS revenue
                  FROM r JOIN orders o ON o.partner_id = r.partner_id
                   AND o.company_id = %(company)s AND o.day >= r.d0 AND o.day <= r.d1
                 GROUP BY r.id
            )
            UPDATE lp_offer_member t
               SET response_orders = COALESCE(x.orders, 0),
                   response_revenue = COALESCE(x.revenue, 0)
              FROM r LEFT JOIN response x ON x.id = r.id
             WHERE t.id = r.id
               AND (t.response_orders, t.response_revenue)
                   IS DISTINCT FROM (COALESCE(x.orders, 0)::int,
                                     COALESCE(x.revenue, 0)::numeric)
            """,
            days=self.response_days,
            now=now,
            offer=self.id,
            orders=self.env["lp.customer.stats"]._orders_sql(partner_filter),
            company=self.company_id.id,
        )
        with no_jit(self.env.cr):
            self.env.cr.execute(query)

    def _lp_group_figures(self):
        """{group: {customers, buyers, orders, revenue, parts, sent,
        redeemed, points, discount}} of the offer's rows."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                """
                SELECT "group", COUNT(*), COUNT(*) FILTER (WHERE response_orders > 0),
                       COALESCE(SUM(response_orders), 0),
                       COALESCE(SUM(response_revenue), 0),
                       COUNT(*) FILTER (WHERE use_count > 0),
                       COALESCE(SUM(given_points), 0), COALESCE(SUM(given_discount), 0)
                  FROM lp_offer_member WHERE offer_id = %s
                 GROUP BY 1
                """,
                self.id,
            )
        )
        names = ("customers", "buyers", "orders", "revenue", "redeemed", "points")
        figures = {}
        for row in self.env.cr.fetchall():
            # The dispatch's figures (no message here: no SMS, no delivery).
            figure = dict(NO_FIGURES, **dict(zip(names, row[1:7], strict=True)))
            figure["discount"] = row[7]
            figures[row[0]] = figure
        return figures

    def _lp_results_values(self, figures, now):
        self.ensure_one()
        target = figures.get("target", {})
        points = float(target.get("points", 0.0))
        discount = float(target.get("discount", 0.0))
        cost = points * self.program_id.point_value + discount
        values = self.env["lp.message.dispatch"]._results_values(figures, 0.0, cost)
        sent = target.get("customers", 0)
        values = {name: value for name, value in values.items() if name in self._fields}
        values.update(
            results_date=now,
            sent_count=sent,
            redeemed_count=target.get("redeemed", 0),
            redemption_rate=100.0 * target.get("redeemed", 0) / sent if sent else 0.0,
            points_given=points,
            discount_given=discount,
            cost=cost,
        )
        return values

    @api.model
    def _lp_figures(self, company, date_from, date_to):
        """Offers' figures for the dashboard over rows made in the period:
        ``incremental_revenue`` (per offer, target against control)."""
        end = date_to + timedelta(days=1)
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(SUM(x.inc), 0) FROM (
                    SELECT CASE WHEN COUNT(*) FILTER (WHERE g = 'control') > 0
                           THEN (AVG(revenue) FILTER (WHERE g = 'target')
                                 - AVG(revenue) FILTER (WHERE g = 'control'))
                                * COUNT(*) FILTER (WHERE g = 'target')
                           ELSE 0 END AS inc
                      FROM (SELECT offer_id, "group" AS g,
                                   response_revenue AS revenue
                              FROM lp_offer_member
                             WHERE company_id = %s
                               AND date_start >= %s AND date_start < %s) r
                     GROUP BY offer_id
                ) x
                """,
                company.id,
                date_from,
                end,
            )
        )
        return {"incremental_revenue": float(self.env.cr.fetchone()[0] or 0.0)}
