from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sms_smsc_login = fields.Char(related="company_id.sms_smsc_login", readonly=False)
    sms_smsc_password = fields.Char(
        related="company_id.sms_smsc_password", readonly=False
    )
    sms_smsc_sender = fields.Char(related="company_id.sms_smsc_sender", readonly=False)
    sms_smsc_currency_id = fields.Many2one(
        related="company_id.sms_smsc_currency_id", readonly=False
    )
    sms_smsc_callback_url = fields.Char(
        "SMSC status handler", compute="_compute_sms_smsc_callback_url"
    )

    def _compute_sms_smsc_callback_url(self):
        for settings in self:
            settings.sms_smsc_callback_url = (
                settings.company_id._smsc_callback_url()
                if settings.sms_provider == "smsc" and self.env.is_system()
                else False
            )

    def action_sms_smsc_test(self):
        self.ensure_one()
        self.execute()
        return self.env["sms.smsc.test"]._action_open(self.company_id)
