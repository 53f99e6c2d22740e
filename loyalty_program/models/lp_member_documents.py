from odoo import api, fields, models
from odoo.exceptions import UserError

from ..report.lp_gift_certificate import CERTIFIED_KINDS


class LpMember(models.Model):
    """The member's printable documents: the statement and gift
    certificates (see ``report/``)."""

    _inherit = "lp.member"  # pylint: disable=consider-merging-classes-inherited

    @api.readonly
    def action_open_statement(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Member Statement"),
            "res_model": "lp.statement.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_member_id": self.id},
        }

    def _lp_last_bonus(self):
        """The member's latest bonus credit a certificate can be printed for."""
        self.ensure_one()
        entry = self.env["lp.ledger"].search(
            [
                ("member_id", "=", self.id),
                ("kind", "in", CERTIFIED_KINDS),
                ("amount", ">", 0),
            ],
            order="date desc, id desc",
            limit=1,
        )
        if not entry:
            raise UserError(
                self.env._(
                    "%(member)s has no bonus to certify.", member=self.display_name
                )
            )
        return entry

    def action_print_gift_certificate(self):
        self.ensure_one()
        return self._lp_last_bonus().action_print_gift_certificate()

    def _lp_statement_composer(self, date_from, date_to):
        """The mail composer with the statement template, its attachment
        rendered for ``date_from`` .. ``date_to``."""
        self.ensure_one()
        template = self.env.ref("loyalty_program.mail_template_lp_statement")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Statement"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "lp.member",
                "default_res_ids": self.ids,
                "default_composition_mode": "comment",
                "default_template_id": template.id,
                "force_email": True,
                "lp_statement_from": fields.Date.to_string(date_from),
                "lp_statement_to": fields.Date.to_string(date_to),
            },
        }
