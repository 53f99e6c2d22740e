import json

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import SmscCase


@tagged("post_install", "-at_install")
class TestSmscSettings(SmscCase):
    def test_settings(self):
        """The SMS provider setting gains SMSC, its credentials and sender;
        the status handler's address carries the company's token."""
        self.company.sudo().sms_provider = "iap"
        settings = self.env["res.config.settings"].create(
            {
                "sms_provider": "smsc",
                "sms_smsc_login": "shop2",
                "sms_smsc_password": "pw",
                "sms_smsc_sender": "MYSHOP",
            }
        )
        settings.execute()
        company = self.company.sudo()
        self.assertEqual(
            (company.sms_provider, company.sms_smsc_login, company.sms_smsc_sender),
            ("smsc", "shop2", "MYSHOP"),
        )
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(
            settings.sms_smsc_callback_url.endswith(
                f"/sms_smsc/status/{company.sms_smsc_token}"
            )
        )

    def test_test_button(self):
        """The test sends one SMS to the typed number and shows SMSC's
        answer, a refusal as well."""
        action = self.env["res.config.settings"].create({}).action_sms_smsc_test()
        wizard = self.env["sms.smsc.test"].browse(action["res_id"])
        wizard.write({"number": "+7 999 000-00-09", "body": "Проверка"})
        wizard.action_send()
        self.assertTrue(wizard.ok)
        answer = json.loads(wizard.answer)
        self.assertEqual(answer["phones"][0]["phone"], "79990000009")
        self.assertEqual(self.smsc_requests[0]["phones"], "+79990000009")
        self.company.sudo().sms_smsc_password = "wrong"
        wizard.action_send()
        self.assertFalse(wizard.ok)
        self.assertEqual(json.loads(wizard.answer)["error_code"], 2)

    def test_test_button_refused(self):
        """Only an administrator tests the gateway."""
        user = mail_new_test_user(
            self.env, login="smsc_user", groups="base.group_user,base.group_erp_manager"
        )
        with self.assertRaises(AccessError):
            self.env["sms.smsc.test"].with_user(user).create({"number": "+79990000009"})
        wizard = self.env["sms.smsc.test"].create({"number": "+79990000009"})
        with self.assertRaises(AccessError):
            wizard.with_user(user).action_send()
        self.assertFalse(self.smsc_requests)
