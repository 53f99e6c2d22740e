import secrets

from werkzeug.urls import url_join

from odoo import fields, models

from ..tools.smsc_api import SmsApiSmsc


class ResCompany(models.Model):
    _inherit = "res.company"

    sms_provider = fields.Selection(
        selection_add=[("smsc", "Send via SMSC.ru")],
        ondelete={"smsc": "set default"},
    )
    sms_smsc_login = fields.Char("SMSC login", groups="base.group_system")
    sms_smsc_password = fields.Char("SMSC password", groups="base.group_system")
    sms_smsc_sender = fields.Char(
        "SMSC sender name",
        groups="base.group_system",
        help="The sender name registered at SMSC (Sender ID); empty: the "
        "account's default.",
    )
    sms_smsc_currency_id = fields.Many2one(
        "res.currency",
        "SMSC account currency",
        groups="base.group_system",
        default=lambda self: self.env.ref("base.RUB", raise_if_not_found=False),
        help="The currency SMSC bills in; reported costs are converted to the "
        "company's currency.",
    )
    sms_smsc_token = fields.Char(
        "SMSC status token", groups="base.group_system", copy=False
    )

    def _get_sms_api_class(self):
        self.ensure_one()
        if self.sms_provider == "smsc":
            return SmsApiSmsc
        return super()._get_sms_api_class()

    def _smsc_callback_url(self):
        """The address of the status handler to give SMSC (its account
        settings): the status route with this company's secret token,
        made on first use."""
        self.ensure_one()
        company = self.sudo()
        if not company.sms_smsc_token:
            company.sms_smsc_token = secrets.token_urlsafe(32)
        return url_join(
            company.get_base_url(), f"/sms_smsc/status/{company.sms_smsc_token}"
        )

    def _smsc_price_rate(self):
        """Company-currency amount of one unit of the SMSC account's
        currency, today."""
        self.ensure_one()
        company = self.sudo()
        currency = company.sms_smsc_currency_id or company.currency_id
        if currency == company.currency_id:
            return 1.0
        return currency._convert(
            1.0, company.currency_id, company, fields.Date.today(), round=False
        )
