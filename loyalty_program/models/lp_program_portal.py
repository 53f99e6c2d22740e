from odoo import api, fields, models


class LpProgram(models.Model):
    _inherit = "lp.program"  # pylint: disable=consider-merging-classes-inherited

    feedback_user_id = fields.Many2one(
        "res.users",
        string="Customer messages handled by",
        domain="[('share', '=', False)]",
        help="Wishes, questions and complaints sent from the personal account "
        "become to-dos of this user (default: the first loyalty manager).",
    )
    join_enabled = fields.Boolean(
        string="Public join page",
        default=True,
        help="Customers can join this program from the public page "
        "/loyalty/join, confirming their phone with a code sent by SMS.",
    )

    @api.model
    def _lp_join_program(self):
        """The program the public join page enrols into: the current
        company's first active program open to joining."""
        return self.sudo().search(
            [
                ("active", "=", True),
                ("join_enabled", "=", True),
                ("company_id", "=", self.env.company.id),
            ],
            order="sequence, id",
            limit=1,
        )
