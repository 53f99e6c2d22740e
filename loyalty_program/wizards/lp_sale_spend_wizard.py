from odoo import api, fields, models


class LpSaleSpendWizard(models.TransientModel):
    """The salesperson chooses how many bonus points pay for a quotation."""

    _name = "lp.sale.spend.wizard"
    _description = "Apply Bonus Points to a Quotation"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    member_id = fields.Many2one(related="order_id.lp_member_id")
    currency_id = fields.Many2one(related="order_id.currency_id")
    balance = fields.Float(related="order_id.lp_balance", string="Available points")
    max_points = fields.Float(
        string="At most",
        digits=(16, 2),
        compute="_compute_max_points",
        help="Within the balance (less what other open orders hold), the "
        "spending cap and the products points may pay for.",
    )
    points = fields.Float(string="Points to spend", digits=(16, 2))
    amount = fields.Monetary(string="Discount", compute="_compute_amount")

    @api.depends("order_id")
    def _compute_max_points(self):
        for wizard in self:
            wizard.max_points = (
                wizard.order_id._lp_max_points() if wizard.order_id else 0.0
            )

    @api.depends("order_id", "points")
    def _compute_amount(self):
        for wizard in self:
            order = wizard.order_id
            wizard.amount = (
                order._lp_points_money(wizard.points)
                if order.lp_member_id and wizard.points > 0
                else 0.0
            )

    def action_apply(self):
        self.ensure_one()
        self.order_id._lp_apply_points(self.points)
        return {"type": "ir.actions.act_window_close"}
