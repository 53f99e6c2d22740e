from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .lp_ledger import commit_progress
from .lp_message_dispatch import no_jit

# What practitioners report trigger campaigns bring back of sleeping customers.
WINBACK_REPORTED = (25.0, 35.0)


class LpTrigger(models.Model):
    """Results of a trigger over its last ``results_days`` days: who bought
    within the response window after their message, target against the
    control group, what it cost and what it brought; for the win-back
    trigger, the share of sleeping customers it brought back."""

    _inherit = "lp.trigger"  # pylint: disable=consider-merging-classes-inherited

    results_days = fields.Integer(
        string="Results over (days)",
        default=90,
        help="The results count the messages of this many last days.",
    )
    results_date = fields.Datetime(string="Results as of", readonly=True, copy=False)
    sent_count = fields.Integer(string="Messages sent", readonly=True, copy=False)
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
        help="(Revenue per target customer - revenue per control customer) "
        "x target customers.",
    )
    sms_parts_sent = fields.Integer(readonly=True, copy=False)
    gift_spent_value = fields.Monetary(
        string="Gift points spent (value)", readonly=True, copy=False
    )
    cost = fields.Monetary(
        readonly=True,
        copy=False,
        help="SMS parts sent x price per part + value of the gift points spent.",
    )
    roi = fields.Float(string="ROI (%)", readonly=True, copy=False)
    winback_rate = fields.Float(
        string="Win-back rate (%)",
        readonly=True,
        copy=False,
        help="Share of the sleeping customers messaged who bought within the "
        "response window.",
    )
    winback_reported = fields.Char(
        string="Practitioners report", compute="_compute_winback_reported"
    )

    _results_days_positive = models.Constraint(
        "CHECK(results_days > 0)", "The results cover at least one day."
    )

    def _compute_winback_reported(self):
        low, high = WINBACK_REPORTED
        for trigger in self:
            trigger.winback_reported = self.env._(
                "%(low)s-%(high)s%% of sleeping customers",
                low=int(low),
                high=int(high),
            )

    def action_compute_results(self):
        self._check_manager()
        self.sudo()._compute_results()
        return True

    def action_view_results(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_program.action_lp_trigger_results"
        )
        action["domain"] = [
            ("trigger_id", "in", self.ids),
            ("group", "in", ("target", "control")),
        ]
        return action

    @api.model
    def _cron_results(self):
        triggers = self.sudo().search([("last_run_date", "!=", False)])
        triggers._compute_results()
        commit_progress(self.env, len(triggers))

    def _period_start(self, now):
        return now - timedelta(days=self.results_days)

    def _response_sql(self, since):
        """Write the response (orders and revenue within the window after
        the send moment) of the trigger's target and control rows since
        ``since``, from the purchases the customer statistics read."""
        self.ensure_one()

        def partner_filter(column):
            return SQL(
                "%s IN (SELECT partner_id FROM lp_campaign_recipient "
                "WHERE trigger_id = %s AND scheduled_date >= %s)",
                column,
                self.id,
                since,
            )

        return SQL(
            """
            WITH r AS (
                SELECT id, partner_id, scheduled_date::date AS day
                  FROM lp_campaign_recipient
                 WHERE trigger_id = %(trigger)s AND scheduled_date >= %(since)s
                   AND "group" IN ('target', 'control')
            ),
            orders AS (%(orders)s),
            response AS (
                SELECT r.id, COUNT(*) FILTER (WHERE NOT o.refund) AS orders,
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
            """,
            trigger=self.id,
            since=since,
            orders=self.env["lp.customer.stats"]._orders_sql(partner_filter),
            company=self.company_id.id,
            days=self.response_days,
        )

    def _compute_results(self, now=None):
        """Response per row, then the trigger's figures. Set-based."""
        now = now or fields.Datetime.now()
        self.env.flush_all()
        cr = self.env.cr
        for trigger in self:
            since = trigger._period_start(now)
            with no_jit(cr):
                cr.execute(trigger._response_sql(since))
            cr.execute(
                SQL(
                    """
                    SELECT "group", COUNT(*), SUM(bought), SUM(response_revenue),
                           COALESCE(SUM(sms_parts) FILTER (WHERE state = 'sent'), 0),
                           COUNT(*) FILTER (WHERE state = 'sent')
                      FROM lp_campaign_recipient
                     WHERE trigger_id = %s AND scheduled_date >= %s
                       AND "group" IN ('target', 'control')
                     GROUP BY 1
                    """,
                    trigger.id,
                    since,
                )
            )
            figures = {row[0]: row[1:] for row in cr.fetchall()}
            trigger.write(trigger._results_values(figures, now))
        self.env["lp.campaign.recipient"].invalidate_model()

    def _results_values(self, figures, now):
        self.ensure_one()
        price = self._config().sms_part_price
        values = {"results_date": now}
        rates, per_customer = {}, {}
        for group in ("target", "control"):
            customers, buyers, revenue, parts, sent = figures.get(
                group, (0, 0, 0.0, 0, 0)
            )
            rates[group] = buyers / customers if customers else 0.0
            per_customer[group] = revenue / customers if customers else 0.0
            values.update(
                {
                    f"{group}_customers": customers,
                    f"{group}_buyers": buyers,
                    f"{group}_rate": rates[group] * 100,
                    f"{group}_revenue": revenue,
                }
            )
            if group == "target":
                values.update(sms_parts_sent=parts, sent_count=sent)
        values["uplift"] = (rates["target"] - rates["control"]) * 100
        values["incremental_revenue"] = (
            (per_customer["target"] - per_customer["control"])
            * values["target_customers"]
            if values["control_customers"]
            else 0.0
        )
        values["gift_spent_value"] = self._gift_spent_points() * (
            self._program().point_value or 0.0
        )
        values["cost"] = values["sms_parts_sent"] * price + values["gift_spent_value"]
        values["roi"] = (
            (values["incremental_revenue"] - values["cost"]) / values["cost"] * 100
            if values["cost"]
            else 0.0
        )
        values["winback_rate"] = (
            values["target_rate"] if self.kind == "winback" else 0.0
        )
        return values

    def _gift_spent_points(self):
        """Points of this trigger's gifts consumed by purchases."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(SUM(a.amount), 0)
                  FROM lp_ledger_allocation a
                  JOIN lp_ledger c ON c.id = a.credit_id
                  JOIN lp_ledger d ON d.id = a.debit_id
                 WHERE c.kind = 'campaign' AND c.source_key LIKE %s
                   AND d.kind = 'spend'
                """,
                f"trigger:{self.id}:%",
            )
        )
        return self.env.cr.fetchone()[0]
