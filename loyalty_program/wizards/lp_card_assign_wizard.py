from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import card_number


class LpCardAssignWizard(models.TransientModel):
    """Hand a printed card to an existing member from the back office: the
    card becomes active and identifies the member at the till."""

    _name = "lp.card.assign.wizard"
    _description = "Hand a Printed Loyalty Card"

    member_id = fields.Many2one("lp.member", required=True)
    card_id = fields.Many2one(
        "lp.card",
        domain="[('state', '=', 'issued'), ('member_id', '=', False)]",
        help="A card not handed out yet.",
    )
    number = fields.Char(help="Or scan or type the card's number.")

    @api.onchange("number")
    def _onchange_number(self):
        if self.number:
            self.number = card_number.normalize(self.number)

    def action_assign(self):
        self.ensure_one()
        self.member_id._lp_check_group("loyalty_program.group_lp_user")
        card = self.card_id
        if not card and self.number:
            card = self.env["lp.card"]._lookup(
                self.number, program=self.member_id.program_id
            )
        if not card:
            raise UserError(self.env._("Choose the card or type its number."))
        card._assign(self.member_id)
        self.member_id._lp_log(
            self.env._(
                "Card %(number)s handed to the member by %(user)s.",
                number=card.number,
                user=self.env.user.name,
            )
        )
        return {"type": "ir.actions.act_window_close"}
