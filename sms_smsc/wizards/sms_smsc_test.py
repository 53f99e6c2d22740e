from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools import smsc
from ..tools.smsc_api import SmsApiSmsc


class SmsSmscTest(models.TransientModel):
    """The settings' test: one SMS to a number the manager types, sent at
    once through the company's SMSC account, and the gateway's answer."""

    _name = "sms.smsc.test"
    _description = "SMSC test SMS"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    number = fields.Char()
    body = fields.Text(required=True, default=lambda self: self.env._("Test SMS"))
    parts = fields.Integer(compute="_compute_parts")
    ok = fields.Boolean(readonly=True)
    answer = fields.Text("Gateway's answer", readonly=True)

    @api.depends("body")
    def _compute_parts(self):
        for wizard in self:
            wizard.parts = smsc.parts(wizard.body)

    @api.model
    def _action_open(self, company):
        wizard = self.create({"company_id": company.id})
        return wizard._action_reopen()

    def _action_reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send a test SMS through SMSC"),
            "res_model": self._name,
            "res_id": self.id,
            "views": [(False, "form")],
            "target": "new",
        }

    def action_send(self):
        self.ensure_one()
        if not self.env.is_system() or self.company_id not in self.env.user.company_ids:
            raise AccessError(self.env._("Only an administrator can test SMSC."))
        if len(smsc.digits(self.number)) < 5:
            raise UserError(self.env._("Type a phone number in international format."))
        company = self.company_id.sudo()
        if not (company.sms_smsc_login and company.sms_smsc_password):
            raise UserError(self.env._("Set the SMSC login and password first."))
        sms_api = SmsApiSmsc(self.env)
        sms_api._set_company(company)
        ok, answer = sms_api._send_test(self.number, self.body)
        self.write({"ok": ok, "answer": answer})
        return self._action_reopen()
