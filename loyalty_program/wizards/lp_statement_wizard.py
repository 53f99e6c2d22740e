from odoo import fields, models
from odoo.exceptions import UserError

from ..report.lp_member_statement import default_statement_period


def _default_from(wizard):
    return default_statement_period(fields.Date.context_today(wizard))[0]


def _default_to(wizard):
    return default_statement_period(fields.Date.context_today(wizard))[1]


class LpStatementWizard(models.TransientModel):
    """Choose a statement's period, then print it or mail it to the member."""

    _name = "lp.statement.wizard"
    _description = "Member Statement"

    member_id = fields.Many2one("lp.member", required=True, readonly=True)
    date_from = fields.Date(string="From", required=True, default=_default_from)
    date_to = fields.Date(string="To", required=True, default=_default_to)

    def _check_period(self):
        self.ensure_one()
        if self.date_from > self.date_to:
            raise UserError(
                self.env._("A statement's period cannot end before it starts.")
            )

    def action_print(self):
        self._check_period()
        return self.env.ref(
            "loyalty_program.action_report_member_statement"
        ).report_action(
            self.member_id,
            data={
                "date_from": fields.Date.to_string(self.date_from),
                "date_to": fields.Date.to_string(self.date_to),
            },
        )

    def action_send(self):
        self._check_period()
        return self.member_id._lp_statement_composer(self.date_from, self.date_to)
