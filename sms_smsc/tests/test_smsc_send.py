from odoo import fields
from odoo.tests import tagged

from .common import PRICE_PER_PART, SmscCase


@tagged("post_install", "-at_install")
class TestSmscSend(SmscCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.anna = Partner.create({"name": "Anna", "phone": "+79990000001"})
        cls.boris = Partner.create({"name": "Boris", "phone": "+79990000002"})

    def make_sms(self, pairs):
        """Queued SMS of (number, text), each with its tracker."""
        sms = self.env["sms.sms"].create(
            [{"number": number, "body": body} for number, body in pairs]
        )
        self.env["sms.tracker"].create([{"sms_uuid": s.uuid} for s in sms])
        return sms

    def test_same_text_one_request(self):
        """One text to several numbers: one request with the phones, the
        sender name, JSON answers, cost and per-phone details."""
        numbers = ["+79990000001", "+79990000002", "+79990000003"]
        self.send_numbers(numbers, "Sale today")
        self.assertEqual(len(self.smsc_requests), 1)
        request = self.smsc_requests[0]
        self.assertEqual(request["phones"], "+79990000001,+79990000002,+79990000003")
        self.assertEqual(request["mes"], "Sale today")
        self.assertEqual(
            (request["sender"], request["cost"], request["op"]), ("SHOP", "3", "1")
        )
        self.assertEqual(len(self.smsc_sent), 3)
        sms = self.env["sms.sms"].search([("number", "in", numbers)])
        self.assertEqual(set(sms.mapped("state")), {"pending"})
        self.assertTrue(all(sms.mapped("to_delete")))

    def test_personal_texts_one_list_request(self):
        """Different texts go together as ``list`` lines; each SMS's tracker
        gets the SMSC id and phone and the price SMSC reported."""
        sms = self.make_sms(
            [
                ("+79990000001", "Anna, +50 points"),
                ("+79990000002", "Борис, +50 баллов\nКарта *12"),
            ]
        )
        sms.send()
        self.assertEqual(len(self.smsc_requests), 1)
        self.assertEqual(
            self.smsc_requests[0]["list"],
            "+79990000001:Anna, +50 points\n+79990000002:Борис, +50 баллов\\nКарта *12",
        )
        self.assertEqual(self.smsc_sent[1]["text"], "Борис, +50 баллов\nКарта *12")
        trackers = sms.sms_tracker_id
        smsc_id = self.smsc_sent[0]["id"]
        self.assertEqual(
            sorted(trackers.mapped("sms_smsc_key")),
            [
                f"{self.company.id}:{smsc_id}:79990000001",
                f"{self.company.id}:{smsc_id}:79990000002",
            ],
        )
        self.assertAlmostEqual(sum(trackers.mapped("sms_price")), 2 * PRICE_PER_PART)

    def test_price_in_company_currency(self):
        """SMSC bills in roubles; the tracker stores the company currency."""
        rub = self.env.ref("base.RUB")
        rub.active = True
        self.env["res.currency.rate"].create(
            {
                "currency_id": rub.id,
                "rate": 100.0,
                "name": fields.Date.today(),
                "company_id": self.company.id,
            }
        )
        self.company.sudo().sms_smsc_currency_id = rub
        sms = self.make_sms([("+79990000001", "Hello")])
        sms.send()
        rate = rub._convert(1.0, self.company.currency_id, self.company, round=False)
        self.assertAlmostEqual(sms.sms_tracker_id.sms_price, PRICE_PER_PART * rate)

    def test_errors_mapped_to_failure_types(self):
        """Each permanent SMSC error becomes Odoo's failure type on the SMS
        and its notification, after a single request (no retry)."""
        cases = [
            ("phone", 7, "sms_number_format"),  # bad number
            ("phone", 8, "sms_not_allowed"),  # cannot be delivered there
            ("request", 3, "sms_credit"),  # no money on the account
            ("request", 6, "sms_registration_needed"),  # sender not registered
            ("request", 2, "sms_acc"),  # wrong credentials
            ("request", 1, "sms_server"),  # bad parameters
        ]
        for level, code, failure_type in cases:
            with self.subTest(code=code):
                self._smsc_reset()
                if level == "phone":
                    self.smsc_set(phone_errors={"79990000001": code})
                else:
                    self.smsc_set(errors=[code])
                message = self.anna._message_sms(f"Error {code}")
                self.env["sms.sms"].search([("state", "=", "outgoing")]).send(
                    unlink_failed=False
                )
                self.assertEqual(len(self.smsc_requests), 1)
                notification = message.notification_ids
                self.assertEqual(notification.notification_status, "exception")
                self.assertEqual(notification.failure_type, failure_type)
                sms = self.env["sms.sms"].search([("body", "=", f"Error {code}")])
                self.assertEqual((sms.state, sms.failure_type), ("error", failure_type))

    def test_temporary_error_retried(self):
        """A rate limit, then the gateway down (HTTP 502): the request is
        tried again at once and the SMS goes out."""
        self.smsc_set(errors=[9])
        sms = self.make_sms([("+79990000001", "Hello")])
        with self.no_sleep():
            sms.send()
        self.smsc_set(http_status=502)
        other = self.make_sms([("+79990000002", "Hello")])
        with self.no_sleep():
            other.send()
        self.assertEqual(len(self.smsc_requests), 4)
        self.assertEqual(len(self.smsc_sent), 2)
        self.assertEqual((sms | other).mapped("state"), ["pending", "pending"])

    def test_temporary_error_stays_queued_then_fails(self):
        """A rate limit that lasts: the SMS stays in the queue for the next
        run of the SMS job, and fails after ``sms_smsc.max_attempts``."""
        self.smsc_set(errors=[9] * 9)
        sms = self.make_sms([("+79990000001", "Hello")])
        with self.no_sleep():
            sms.send()
            self.assertEqual((sms.state, sms.sms_smsc_attempts), ("outgoing", 1))
            sms.send()
            self.assertEqual((sms.state, sms.sms_smsc_attempts), ("outgoing", 2))
            sms.send()
        self.assertEqual(len(self.smsc_requests), 9)  # 3 runs x 3 tries
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_server"))
        self.assertFalse(self.smsc_sent)

    def test_other_providers_unchanged(self):
        """A company on Odoo's IAP keeps it; each SMSC company gets its own
        account."""
        other = self.env["res.company"].create({"name": "Other shop"})
        sms = self.env["sms.sms"].create(
            [
                {"number": "+79990000001", "body": "a"},
                {"number": "+79990000002", "body": "b", "record_company_id": other.id},
            ]
        )
        apis = {type(api).__name__: records for api, records in sms._split_by_api()}
        self.assertEqual(apis["SmsApiSmsc"], sms[0])
        self.assertEqual(apis["SmsApi"], sms[1])
