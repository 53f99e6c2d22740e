from odoo import fields, models


class LpAdjustWizard(models.TransientModel):
    _name = "lp.adjust.wizard"
    _description = "Manual Points Adjustment"

    member_id = fields.Many2one("lp.member", required=True)
    balance = fields.Float(related="member_id.balance", digits=(16, 2))
    points = fields.Float(
        digits=(16, 2),
        required=True,
        help="Positive to credit, negative to debit (never below the balance).",
    )
    expiry_date = fields.Date(
        help="For a credit: when these points expire (empty: never)."
    )
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.member_id._adjust(self.points, self.reason, self.expiry_date)
        return {"type": "ir.actions.act_window_close"}
