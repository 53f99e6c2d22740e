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
        """{trigger id: :meth:`lp.message.dispatch._group_figures`} of the
        trigger messages scheduled in the period."""
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT trigger_id FROM lp_campaign_recipient
                 WHERE company_id = %s AND trigger_id IS NOT NULL
                   AND scheduled_date >= %s AND scheduled_date < %s
                """,
                company.id,
                date_from,
                date_to + timedelta(days=1),
            )
        )
        dispatch = self.env["lp.message.dispatch"]
        return {
            trigger_id: dispatch._group_figures(
                SQL(
                    "trigger_id = %s AND scheduled_date >= %s AND scheduled_date < %s",
                    trigger_id,
                    date_from,
                    date_to + timedelta(days=1),
                )
            )
            for (trigger_id,) in self.env.cr.fetchall()
        }

    @api.model
    def _campaign_results(self, company, date_from, date_to):
        """Campaigns' results plus the triggers': target customers, buyers,
        and revenue above what each trigger's control group predicts."""
        results = super()._campaign_results(company, date_from, date_to)
        for groups in self._trigger_groups(company, date_from, date_to).values():
            target, control = groups.get("target"), groups.get("control")
            if not target:
                continue
            results["recipients"] += target["customers"]
            results["responders"] += target["buyers"]
            if control and control["customers"]:
                per_control = float(control["revenue"]) / control["customers"]
                results["incremental_revenue"] += (
                    float(target["revenue"]) - per_control * target["customers"]
                )
        return results

    @api.model
    def _sms_cost(self, company, date_from, date_to):
        """Campaigns' SMS plus the triggers' of the period, as their results
        count it: the prices the SMS providers reported, and the parts of
        the SMS without one at the campaign settings' price per part."""
        cost = super()._sms_cost(company, date_from, date_to)
        groups = self._trigger_groups(company, date_from, date_to).values()
        targets = [g["target"] for g in groups if "target" in g]
        if not targets:
            return cost
        config = (
            self.env["lp.campaign.config"]
            .sudo()
            .search([("company_id", "=", company.id)], limit=1)
        )
        return cost + sum(
            float(t["reported_cost"]) + t["flat_parts"] * config.sms_part_price
            for t in targets
        )
