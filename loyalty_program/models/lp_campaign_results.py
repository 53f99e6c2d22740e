from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .lp_message_dispatch import no_jit

DELIVERED = ("sent", "open", "reply", "pending", "process")


class LpCampaign(models.Model):
    """Results of a campaign: who bought within the response window, target
    against control, what it cost and what it brought."""

    _inherit = "lp.campaign"  # pylint: disable=consider-merging-classes-inherited

    response_days = fields.Integer(
        string="Response window (days)",
        default=lambda self: (
            self.env["lp.campaign.config"]._for_company().response_days
        ),
    )
    results_date = fields.Datetime(string="Results as of", readonly=True, copy=False)
    target_customers = fields.Integer(readonly=True, copy=False)
    target_buyers = fields.Integer(readonly=True, copy=False)
    target_rate = fields.Float(string="Target: bought (%)", readonly=True, copy=False)
    target_revenue = fields.Monetary(readonly=True, copy=False)
    target_ticket = fields.Monetary(
        string="Target: average ticket", readonly=True, copy=False
    )
    control_customers = fields.Integer(readonly=True, copy=False)
    control_buyers = fields.Integer(readonly=True, copy=False)
    control_rate = fields.Float(string="Control: bought (%)", readonly=True, copy=False)
    control_revenue = fields.Monetary(readonly=True, copy=False)
    control_ticket = fields.Monetary(
        string="Control: average ticket", readonly=True, copy=False
    )
    uplift = fields.Float(
        string="Uplift (points of %)",
        readonly=True,
        copy=False,
        help="Share of buyers in the target minus the share in the control group.",
    )
    incremental_revenue = fields.Monetary(
        readonly=True,
        copy=False,
        help="(Revenue per target customer - revenue per control customer) "
        "x target customers: what the campaign brought.",
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
    roi = fields.Float(
        string="ROI (%)",
        readonly=True,
        copy=False,
        help="(Incremental revenue - cost) / cost.",
    )
    sent_count = fields.Integer(string="Sent", readonly=True, copy=False)
    opened_count = fields.Integer(string="Opened", readonly=True, copy=False)
    clicked_count = fields.Integer(string="Clicked", readonly=True, copy=False)
    bounced_count = fields.Integer(string="Bounced", readonly=True, copy=False)

    def action_compute_results(self):
        self._check_manager()
        for campaign in self:
            campaign._check_state("sending", "done")
        self._compute_results()
        return True

    def action_view_results(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_program.action_lp_campaign_results"
        )
        action["domain"] = [
            ("campaign_id", "in", self.ids),
            ("group", "in", ("target", "control")),
        ]
        return action

    @api.model
    def _cron_results(self):
        """Daily: results of the campaigns whose response window is still
        open (or closed since the last run)."""
        since = fields.Datetime.now() - timedelta(days=1)
        campaigns = self.sudo().search([("state", "in", ("sending", "done"))])
        campaigns.filtered(
            lambda c: (
                not c.results_date
                or not c.last_send
                or c.last_send + timedelta(days=c.response_days) >= since
            )
        )._compute_results()

    def _response_sql(self):
        """Write each target and control row's response (orders and revenue
        within the window after its send moment) from the purchases the
        customer statistics read (POS and sales orders, net of refunds)."""
        self.ensure_one()
        stats = self.env["lp.customer.stats"]

        def partner_filter(column):
            return SQL(
                "%s IN (SELECT partner_id FROM lp_campaign_recipient "
                "WHERE campaign_id = %s)",
                column,
                self.id,
            )

        return SQL(
            """
            WITH r AS (
                SELECT id, partner_id, scheduled_date::date AS day
                  FROM lp_campaign_recipient
                 WHERE campaign_id = %(campaign)s
                   AND "group" IN ('target', 'control')
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
            campaign=self.id,
            orders=stats._orders_sql(partner_filter),
            company=self.company_id.id,
            days=self.response_days,
        )

    def _compute_results(self):
        """Response per row, then the campaign's figures. Set-based."""
        self.env.flush_all()
        cr = self.env.cr
        for campaign in self:
            with no_jit(cr):
                cr.execute(campaign._response_sql())
            cr.execute(
                SQL(
                    """
                    SELECT "group", COUNT(*), SUM(bought), SUM(response_orders),
                           SUM(response_revenue),
                           SUM(sms_parts) FILTER (WHERE state = 'sent')
                      FROM lp_campaign_recipient
                     WHERE campaign_id = %s AND "group" IN ('target', 'control')
                     GROUP BY 1
                    """,
                    campaign.id,
                )
            )
            figures = {row[0]: row[1:] for row in cr.fetchall()}
            campaign.sudo().write(campaign._results_values(figures))
        self.env["lp.campaign.recipient"].invalidate_model()

    def _results_values(self, figures):
        self.ensure_one()
        config = self.env["lp.campaign.config"]._for_company(self.company_id)
        values = {"results_date": fields.Datetime.now()}
        rates = {}
        per_customer = {}
        for group in ("target", "control"):
            customers, buyers, orders, revenue, parts = figures.get(
                group, (0, 0, 0, 0.0, 0)
            )
            rates[group] = buyers / customers if customers else 0.0
            per_customer[group] = revenue / customers if customers else 0.0
            values.update(
                {
                    f"{group}_customers": customers,
                    f"{group}_buyers": buyers,
                    f"{group}_rate": rates[group] * 100,
                    f"{group}_revenue": revenue,
                    f"{group}_ticket": revenue / orders if orders else 0.0,
                }
            )
            if group == "target":
                values["sms_parts_sent"] = parts or 0
        values["uplift"] = (rates["target"] - rates["control"]) * 100
        values["incremental_revenue"] = (
            (per_customer["target"] - per_customer["control"])
            * values["target_customers"]
            if values["control_customers"]
            else 0.0
        )
        values["gift_spent_value"] = self._gift_spent_points() * (
            self.program_id.point_value or 0.0
        )
        values["cost"] = (
            values["sms_parts_sent"] * config.sms_part_price
            + values["gift_spent_value"]
        )
        values["roi"] = (
            (values["incremental_revenue"] - values["cost"]) / values["cost"] * 100
            if values["cost"]
            else 0.0
        )
        values.update(self._delivery_figures())
        return values

    def _gift_spent_points(self):
        """Points of this campaign's gifts consumed by purchases (spends)."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(SUM(a.amount), 0)
                  FROM lp_ledger_allocation a
                  JOIN lp_ledger c ON c.id = a.credit_id
                  JOIN lp_ledger d ON d.id = a.debit_id
                 WHERE c.res_model = 'lp.campaign' AND c.res_id = %s
                   AND c.kind = 'campaign' AND d.kind = 'spend'
                """,
                self.id,
            )
        )
        return self.env.cr.fetchone()[0]

    def _delivery_figures(self):
        """Odoo's own delivery figures of the campaign's mailings."""
        self.ensure_one()
        mailings = self.sudo().mailing_ids
        if not mailings:
            return {
                "sent_count": 0,
                "opened_count": 0,
                "clicked_count": 0,
                "bounced_count": 0,
            }
        self.env.cr.execute(
            SQL(
                """
                SELECT COUNT(*) FILTER (WHERE trace_status IN %s),
                       COUNT(*) FILTER (WHERE trace_status IN ('open', 'reply')),
                       COUNT(*) FILTER (WHERE links_click_datetime IS NOT NULL),
                       COUNT(*) FILTER (WHERE trace_status = 'bounce')
                  FROM mailing_trace WHERE mass_mailing_id IN %s
                """,
                DELIVERED,
                tuple(mailings.ids),
            )
        )
        sent, opened, clicked, bounced = self.env.cr.fetchone()
        return {
            "sent_count": sent,
            "opened_count": opened,
            "clicked_count": clicked,
            "bounced_count": bounced,
        }
