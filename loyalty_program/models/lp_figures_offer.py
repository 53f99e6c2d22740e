from odoo import api, models


class LpFigures(models.AbstractModel):
    _inherit = "lp.figures"

    @api.model
    def _campaign_results(self, company, date_from, date_to):
        """Campaigns and triggers, plus what offers made in the period
        brought above their control groups."""
        results = super()._campaign_results(company, date_from, date_to)
        offers = self.env["lp.offer"].sudo()._lp_figures(company, date_from, date_to)
        results["incremental_revenue"] += offers["incremental_revenue"]
        return results
