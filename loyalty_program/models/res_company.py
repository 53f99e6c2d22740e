from odoo import api, models


class ResCompany(models.Model):
    """A new company gets the ready triggers, switched off."""

    _inherit = "res.company"

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["lp.trigger"].sudo()._lp_ensure_company_triggers(companies)
        return companies
