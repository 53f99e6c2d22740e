from odoo import fields, models


class LpMemberTransferWizard(models.TransientModel):
    """A loyalty manager hands a membership to another customer, giving the
    reason (logged on the member's chatter)."""

    _name = "lp.member.transfer.wizard"
    _description = "Transfer a Loyalty Membership"

    member_id = fields.Many2one("lp.member", required=True, readonly=True)
    current_partner_id = fields.Many2one(
        related="member_id.partner_id", string="Current customer"
    )
    balance = fields.Float(related="member_id.balance")
    partner_id = fields.Many2one("res.partner", string="New customer", required=True)
    reason = fields.Text(required=True)

    def action_transfer(self):
        self.ensure_one()
        self.member_id._transfer_to(self.partner_id, self.reason)
        return {"type": "ir.actions.act_window_close"}
