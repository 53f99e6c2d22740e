from odoo import fields, models


class LpCardBatchWizard(models.TransientModel):
    _name = "lp.card.batch.wizard"
    _description = "Generate a Card Batch"

    program_id = fields.Many2one("lp.program", required=True)
    count = fields.Integer(string="Number of cards", default=1000, required=True)
    card_prefix = fields.Char(related="program_id.card_prefix")
    next_serial = fields.Integer(related="program_id.card_next_serial")

    def action_generate(self):
        self.ensure_one()
        batch = self.env["lp.card.batch"]._generate(self.program_id, self.count)
        return {
            "type": "ir.actions.act_window",
            "res_model": "lp.card.batch",
            "res_id": batch.id,
            "view_mode": "form",
        }
