from odoo import api, fields, models


class LpProgram(models.Model):
    _inherit = "lp.program"  # pylint: disable=consider-merging-classes-inherited

    bot_ids = fields.One2many("lp.bot", "program_id", string="Messenger bots")
    lp_bot_ready = fields.Boolean(
        string="Bot connected",
        compute="_compute_lp_bot_ready",
        help="A connected messenger bot: the till can show its QR code.",
    )

    @api.depends("bot_ids.state", "bot_ids.active")
    def _compute_lp_bot_ready(self):
        ready = set(
            self.env["lp.bot"]
            .sudo()
            .search([("program_id", "in", self.ids), ("state", "=", "connected")])
            .program_id.ids
        )
        for program in self:
            program.lp_bot_ready = program.id in ready

    @api.model
    def _load_pos_data_fields(self, config):
        return [*super()._load_pos_data_fields(config), "lp_bot_ready"]

    def action_open_bot(self):
        """The program's bot settings (a new one when it has none)."""
        self.ensure_one()
        bot = self.env["lp.bot"].search([("program_id", "=", self.id)], limit=1)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Messenger Bot"),
            "res_model": "lp.bot",
            "view_mode": "form",
            "res_id": bot.id,
            "context": {"default_program_id": self.id},
        }
