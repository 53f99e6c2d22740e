from odoo import api, fields, models
from odoo.exceptions import UserError

from .lp_ledger import POSTING


class LpLedgerAllocation(models.Model):
    """Which credit a debit consumed, and how much of it: the FIFO trail that
    lets expiry burn only what is left of each credit and a refund give back
    exactly what an order spent."""

    _name = "lp.ledger.allocation"
    _description = "Loyalty Ledger Allocation"
    _order = "id"

    debit_id = fields.Many2one(
        "lp.ledger", required=True, index=True, ondelete="restrict", readonly=True
    )
    credit_id = fields.Many2one(
        "lp.ledger", required=True, index=True, ondelete="restrict", readonly=True
    )
    member_id = fields.Many2one(related="debit_id.member_id")
    amount = fields.Float(digits=(16, 2), required=True, readonly=True)
    credit_expiry_date = fields.Date(related="credit_id.expiry_date")

    _amount_positive = models.Constraint(
        "CHECK(amount > 0)", "An allocation consumes a positive number of points."
    )

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get("lp_posting") is not POSTING:
            raise UserError(self.env._("Allocations are made by the posting engine."))
        return super().create(vals_list)

    def write(self, vals):
        if self.env.context.get("lp_posting") is not POSTING or vals:
            raise UserError(self.env._("Allocations cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Allocations cannot be deleted."))
