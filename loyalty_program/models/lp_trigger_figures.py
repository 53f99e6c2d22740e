from datetime import timedelta

from odoo import api, models
from odoo.tools import SQL


class LpFigures(models.AbstractModel):
    """The triggers' part of the dashboard's figures: their messages of the
    period count in the campaign response, the incremental revenue and the
    SMS cost, as campaigns' do."""

    _inherit = "lp.figures"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _trigger_groups(self, company, date_from, date_to):
        """{trigger id: {group: (customers, buyers, revenue, sms parts sent)}}
        of the trigger messages scheduled in the period."""
        self.env.cr.execute(
            SQL(
                """
                SELECT trigger_id, "group", COUNT(*), COALESCE(SUM(bought), 0),
                       COALESCE(SUM(response_revenue), 0),
                       COALESCE(SUM(sms_parts) FILTER (WHERE state = 'sent'), 0)
                  FROM lp_campaign_recipient
                 WHERE company_id = %s AND trigger_id IS NOT NULL
                   AND "group" IN ('target', 'control')
                   AND scheduled_date >= %s AND scheduled_date < %s
                 GROUP BY 1, 2
                """,
                company.id,
                date_from,
                date_to + timedelta(days=1),
            )
        )
        groups = {}
        for (
            trigger_id,
            group,
            customers,
            buyers,
            revenue,
            parts,
        ) in self.env.cr.fetchall():
            groups.setdefault(trigger_id, {})[group] = (
                customers,
                buyers,
                float(revenue),
                parts,
            )
        return groups

    @api.model
    def _campaign_results(self, company, date_from, date_to):
        """Campaigns' results plus the triggers': target customers, buyers,
        and revenue above what each trigger's control group predicts."""
        results = super()._campaign_results(company, date_from, date_to)
        for groups in self._trigger_groups(company, date_from, date_to).values():
            customers, buyers, revenue, _parts = groups.get("target", (0, 0, 0.0, 0))
            results["recipients"] += customers
            results["responders"] += buyers
            control = groups.get("control")
            if customers and control and control[0]:
                per_control = control[2] / control[0]
                results["incremental_revenue"] += revenue - per_control * customers
        return results

    @api.model
    def _sms_cost(self, company, date_from, date_to):
        """Campaigns' SMS plus the SMS parts triggers sent in the period, at
        the campaign settings' price per part."""
        cost = super()._sms_cost(company, date_from, date_to)
        parts = sum(
            groups.get("target", (0, 0, 0.0, 0))[3]
            for groups in self._trigger_groups(company, date_from, date_to).values()
        )
        if not parts:
            return cost
        config = (
            self.env["lp.campaign.config"]
            .sudo()
            .search([("company_id", "=", company.id)], limit=1)
        )
        return cost + parts * config.sms_part_price
