from odoo import api, fields, models

from ..tools import card_number


class LpCardReplaceWizard(models.TransientModel):
    _name = "lp.card.replace.wizard"
    _description = "Replace a Loyalty Card"

    card_id = fields.Many2one("lp.card", required=True)
    member_id = fields.Many2one(related="card_id.member_id")
    reason = fields.Selection(
        [("lost", "Lost"), ("damaged", "Damaged or replaced")],
        default="lost",
        required=True,
    )
    new_number = fields.Char(
        help="Number of the new plastic card (from a printed batch). Empty: "
        "issue a virtual card."
    )

    @api.onchange("new_number")
    def _onchange_new_number(self):
        if self.new_number:
            self.new_number = card_number.normalize(self.new_number)

    def action_replace(self):
        self.ensure_one()
        new_card = None
        if self.new_number:
            new_card = self.env["lp.card"]._lookup(
                self.new_number, program=self.card_id.program_id
            )
        self.card_id._replace_with(new_card, self.reason)
        return {"type": "ir.actions.act_window_close"}
