from odoo.tests import HttpCase, tagged

from .common import SmscMock


@tagged("post_install", "-at_install")
class TestSmscStatus(SmscMock, HttpCase):
    """SMSC's delivery reports through the status handler's address, and
    the forged ones it refuses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.sudo().write(
            {
                "sms_provider": "smsc",
                "sms_smsc_login": "shop",
                "sms_smsc_password": "secret",
                "sms_smsc_currency_id": cls.company.currency_id.id,
            }
        )
        cls.company._smsc_callback_url()
        cls.token = cls.company.sudo().sms_smsc_token
        cls.anna = cls.env["res.partner"].create(
            {"name": "Anna", "phone": "+79990000001"}
        )

    def setUp(self):
        super().setUp()
        self._smsc_reset()

    def send(self, body):
        message = self.anna._message_sms(body)
        self.env["sms.sms"].search([("state", "=", "outgoing")]).send()
        notification = message.notification_ids
        self.assertEqual(notification.notification_status, "pending")
        return notification

    def report(self, status, token=None, smsc_id=None, phone="79990000001", **extra):
        data = {
            "id": str(smsc_id or self.smsc_sent[-1]["id"]),
            "phone": phone,
            "status": str(status),
            "err": "0",
            **extra,
        }
        return self.url_open(
            f"/sms_smsc/status/{token or self.token}", data=data, allow_redirects=False
        )

    def test_delivered(self):
        notification = self.send("Hello")
        response = self.report(1)
        self.assertEqual((response.status_code, response.text), (200, "OK"))
        self.assertEqual(notification.notification_status, "sent")

    def test_handed_to_operator_then_delivered(self):
        notification = self.send("Hello")
        self.report(0)
        self.assertEqual(notification.notification_status, "pending")
        self.report(1)
        self.assertEqual(notification.notification_status, "sent")

    def test_report_before_its_batch_is_saved(self):
        """A report may come while the batch that sent its SMS is still
        being saved: it is kept, and the SMSC reports job applies it once
        the SMS's tracker knows its SMSC id."""
        self.send("First")
        early_id = self.smsc_next_id + 1  # the id SMSC gives the next send
        response = self.report(1, smsc_id=early_id)
        self.assertEqual(response.status_code, 200)
        waiting = self.env["sms.smsc.report"].search([])
        self.assertEqual(waiting.mapped("status"), [1])
        notification = self.send("Second")
        self.env.ref("sms_smsc.ir_cron_sms_smsc_reports").method_direct_trigger()
        self.assertEqual(notification.notification_status, "sent")
        self.assertFalse(waiting.exists())

    def test_failed(self):
        """Operator failures become Odoo's delivery failure types; a wrong
        number bounces."""
        for status, failure_type, notification_status in [
            (20, "sms_not_delivered", "exception"),
            (3, "sms_expired", "exception"),
            (22, "sms_invalid_destination", "bounce"),
            (23, "sms_rejected", "bounce"),
        ]:
            with self.subTest(status=status):
                notification = self.send(f"Hello {status}")
                self.report(status, err="1")
                self.assertEqual(
                    (notification.notification_status, notification.failure_type),
                    (notification_status, failure_type),
                )

    def test_forged_reports_refused(self):
        """A wrong token: 403, nothing changes; a malformed report: 400;
        a report for an SMS of another company's account changes nothing."""
        notification = self.send("Hello")
        last = "B" if self.token.endswith("A") else "A"
        for token in ("x" * 43, self.token[:-1] + last, "short"):
            response = self.report(1, token=token)
            self.assertIn(response.status_code, (403, 404), token)
        for bad in ({"status": "abc"}, {"status": "77"}, {"phone": "12"}):
            data = {"id": "1", "phone": "79990000001", "status": "1", **bad}
            response = self.url_open(f"/sms_smsc/status/{self.token}", data=data)
            self.assertEqual(response.status_code, 400, bad)
        self.assertEqual(notification.notification_status, "pending")
        other = self.env["res.company"].create({"name": "Other shop"})
        other.sudo().write({"sms_provider": "smsc"})
        other._smsc_callback_url()
        response = self.report(1, token=other.sudo().sms_smsc_token)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(notification.notification_status, "pending")
        # the same report on the right address is applied
        self.report(1)
        self.assertEqual(notification.notification_status, "sent")
