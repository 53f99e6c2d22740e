import base64

from odoo import api, models
from odoo.exceptions import UserError


class PosOrder(models.Model):
    _inherit = "pos.order"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def lp_pos_bot_join(self, config_id=None):
        """The QR code the till shows a customer who is not a member yet:
        the deep link of the program's bot, marked with the till (joins are
        counted per till). Returns ``link``, ``qr`` (a PNG data URI),
        ``bot`` (its username) and ``gift_points``."""
        self._lp_check_cashier()
        config = self._lp_pos_config(config_id)
        program = self.env["lp.member"].sudo()._lp_pos_programs()[:1]
        bot = self.env["lp.bot"]._lp_for_program(program)
        if not bot or not bot.username:
            raise UserError(
                self.env._("No messenger bot is connected to the loyalty program.")
            )
        link = bot._lp_link(f"pos-{config.id}" if config else bot.poster_code)
        return {
            "link": link,
            "qr": "data:image/png;base64,"
            + base64.b64encode(bot._lp_qr_png(link)).decode(),
            "bot": bot.username,
            "gift_points": program.welcome_points
            if program.program_type == "bonus"
            else 0,
        }
