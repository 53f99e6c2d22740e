from odoo import fields, models


class LpTierHistory(models.Model):
    _name = "lp.tier.history"
    _description = "Loyalty Tier Change"
    _order = "date desc, id desc"

    member_id = fields.Many2one(
        "lp.member", required=True, index=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(related="member_id.partner_id")
    program_id = fields.Many2one(related="member_id.program_id")
    old_tier_id = fields.Many2one("lp.tier", string="From")
    new_tier_id = fields.Many2one("lp.tier", string="To", required=True)
    reason = fields.Selection(
        [
            ("initial", "Initial"),
            ("upgrade", "Upgrade"),
            ("downgrade", "Downgrade"),
            ("manual", "Manual"),
        ],
        required=True,
    )
    window_spend = fields.Float(string="Spend in period", digits=(16, 2))
    date = fields.Datetime(default=fields.Datetime.now, required=True)
