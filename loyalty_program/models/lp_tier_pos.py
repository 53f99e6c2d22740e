from odoo import api, models


class LpTier(models.Model):
    """Tiers of the loaded programs, for the till's member panel and the
    discount programs' automatic discount."""

    _name = "lp.tier"
    _inherit = ["lp.tier", "pos.load.mixin"]

    @api.model
    def _load_pos_data_domain(self, data, config):
        program_ids = [program["id"] for program in data.get("lp.program", [])]
        return [("program_id", "in", program_ids)]

    @api.model
    def _load_pos_data_fields(self, config):
        return ["id", "name", "threshold", "program_id", "discount_percent", "color"]
