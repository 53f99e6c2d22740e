import re
from datetime import timedelta
from unittest.mock import patch

from odoo import fields, http
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.sms.tests.common import MockSMS

from .common_portal import PortalFixture

IP = "203.0.113.7"


@tagged("post_install", "-at_install")
class TestPortalJoin(PortalFixture, MockSMS):
    """Joining from a phone: the code by SMS, its limits, one welcome bonus
    per phone, and the member, card and portal account it creates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._lp_portal_setup()
        cls.Request = cls.env["lp.join.request"]

    def _code(self, phone):
        bodies = [sms["body"] for sms in self._sms if sms["number"] == phone]
        self.assertTrue(bodies, f"no SMS sent to {phone}")
        return re.search(r"\d{6}", bodies[-1]).group()

    def _later(self, seconds):
        """Move the clock (the limits count on create_date and now)."""
        moment = fields.Datetime.now() + timedelta(seconds=seconds)
        return patch.object(fields.Datetime, "now", return_value=moment)

    def _join_values(self, **values):
        return {
            "name": "Irina Volkova",
            "birthday": "1990-05-17",
            "consent_sms": True,
            "consent_email": False,
            **values,
        }

    def test_join_with_a_confirmed_phone(self):
        with self.mockSMSGateway():
            request = self.Request._lp_send_code("8 (912) 555-66-77", IP, self.program)
        phone = "+79125556677"
        self.assertEqual(request.state, "sent")
        self.assertEqual(request.phone, phone)
        code = self._code(phone)
        self.assertTrue(request._lp_check_code(code))
        member = request._lp_join(self._join_values())
        partner = member.partner_id
        self.assertEqual(partner.name, "Irina Volkova")
        self.assertEqual(partner.lp_phone_e164, phone)
        self.assertEqual(str(partner.lp_birthday), "1990-05-17")
        self.assertEqual(member.enrol_source, "portal")
        # The card is virtual and active, the gift spendable at once.
        self.assertEqual(member.card_ids.card_type, "virtual")
        self.assertEqual(member.card_ids.state, "active")
        self.assertEqual(member.balance, 100.0)
        self.assertEqual(member.pending, 0.0)
        welcome = member.ledger_ids
        self.assertEqual(welcome.kind, "welcome")
        self.assertFalse(welcome.held)
        self.assertTrue(request.welcome_granted)
        self.assertEqual(request.state, "joined")
        # Consent was audited with the source "portal".
        events = partner.lp_consent_event_ids
        self.assertEqual(events.mapped("channel"), ["sms"])
        self.assertEqual(events.source, "portal")
        self.assertTrue(events.granted)
        # A portal account, its login the phone, waiting for a password.
        user = partner.user_ids
        self.assertEqual(user.login, phone)
        self.assertTrue(user._is_portal())
        self.assertIn("/web/signup?", member._lp_portal_signup_url())
        # Spendable at once: the whole gift pays for a purchase now.
        member._spend(100, source_key="t:spend-now")
        self.assertEqual(member.balance, 0.0)

    def test_existing_member_is_sent_to_sign_in(self):
        partners = self.env["res.partner"].search_count([])
        with self.mockSMSGateway():
            # The member's phone, typed the local way.
            request = self.Request._lp_send_code("8 912 000-11-22", IP, self.program)
        self.assertEqual(request.state, "member")
        self.assertFalse(request.token)
        self.assertEqual(self._sms, [], "no code is sent to a member")
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        self.assertEqual(len(self.customer.lp_member_ids), 1)

    def test_member_joined_meanwhile_is_not_duplicated(self):
        with self.mockSMSGateway():
            request = self.Request._lp_send_code("+79125550000", IP, self.program)
        code = self._code("+79125550000")
        # Meanwhile the customer enrols at the till with that phone.
        partner = self.env["res.partner"].create(
            {"name": "Till Customer", "phone": "+79125550000"}
        )
        self._lp_enrol(partner)
        self.assertTrue(request._lp_check_code(code))
        with self.assertRaisesRegex(UserError, "already a member"):
            request._lp_join(self._join_values())
        self.assertEqual(
            self.env["lp.member"].search_count([("partner_id", "=", partner.id)]), 1
        )

    def test_wrong_codes_void_the_code(self):
        with self.mockSMSGateway():
            request = self.Request._lp_send_code("+79125551111", IP, self.program)
        code = self._code("+79125551111")
        wrong = "000000" if code != "000000" else "111111"
        for left in (4, 3, 2, 1):
            self.assertFalse(request._lp_check_code(wrong))
            self.assertIn(f"{left} tries left", request._lp_refusal())
        self.assertFalse(request._lp_check_code(wrong))
        self.assertEqual(request.state, "failed")
        self.assertFalse(request._lp_check_code(code), "the right code is void now")
        self.assertIn("Too many wrong codes", request._lp_refusal())
        with self.assertRaises(UserError):
            request._lp_join(self._join_values())
        self.assertFalse(
            self.env["res.partner"].search([("phone", "=", "+79125551111")])
        )

    def test_code_expires(self):
        with self.mockSMSGateway():
            request = self.Request._lp_send_code("+79125552222", IP, self.program)
        code = self._code("+79125552222")
        with self._later(11 * 60):
            self.assertFalse(request._lp_check_code(code))
            self.assertIn("expired", request._lp_refusal())

    def test_resend_limit(self):
        phone = "+79125553333"
        with self.mockSMSGateway():
            first = self.Request._lp_send_code(phone, IP, self.program)
            with self.assertRaisesRegex(UserError, r"in \d+ seconds"):
                self.Request._lp_send_code(phone, IP, self.program)
            with self._later(61):
                second = self.Request._lp_send_code(phone, IP, self.program)
            with self._later(122):
                self.Request._lp_send_code(phone, IP, self.program)
            with self._later(183), self.assertRaisesRegex(UserError, "Too many codes"):
                self.Request._lp_send_code(phone, IP, self.program)
            with self._later(3700):
                self.Request._lp_send_code(phone, IP, self.program)
        self.assertEqual(len([s for s in self._sms if s["number"] == phone]), 4)
        # A new code replaces the previous one.
        self.assertEqual(first.state, "replaced")
        self.assertEqual(second.state, "replaced")

    def test_burst_from_one_address_is_refused(self):
        with self.mockSMSGateway():
            for i in range(10):
                self.Request._lp_send_code(f"+7912444000{i}", IP, self.program)
            with self.assertRaisesRegex(UserError, "Too many attempts"):
                self.Request._lp_send_code("+79124440010", IP, self.program)
            # Another address is not concerned.
            self.Request._lp_send_code("+79124440010", "198.51.100.1", self.program)
        self.assertEqual(len(self._sms), 11)

    def test_one_welcome_bonus_per_phone_ever(self):
        phone = "+79125554444"
        with self.mockSMSGateway():
            request = self.Request._lp_send_code(phone, IP, self.program)
        request._lp_check_code(self._code(phone))
        first = request._lp_join(self._join_values())
        self.assertEqual(first.balance, 100.0)
        self.assertEqual(first.enrol_phone, phone)
        self.assertTrue(self.Request._lp_welcome_claimed(phone, self.program))
        # The customer gives up that phone (a new number on the account)...
        first.partner_id.phone = "+79125559999"
        partners = self.env["res.partner"].search_count([])
        with self._later(3700), self.mockSMSGateway():
            again = self.Request._lp_send_code(phone, IP, self.program)
            # ... the phone stays enrolled: no code, nobody new, no new gift.
            self.assertEqual(again.state, "member")
            self.assertEqual(self._sms, [])
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        self.assertEqual(
            self.env["lp.ledger"].search_count(
                [
                    ("program_id", "=", self.program.id),
                    ("kind", "=", "welcome"),
                    ("member_id.enrol_phone", "=", phone),
                ]
            ),
            1,
        )

    def test_no_welcome_when_the_phone_had_one(self):
        """A customer whose membership got the welcome bonus (enrolled in the
        backend, no enrolment phone) changed the phone on file; a new
        customer joining with that old phone joins without a second bonus
        when the phone's welcome is on record."""
        phone = "+79125557777"
        with self.mockSMSGateway():
            request = self.Request._lp_send_code(phone, IP, self.program)
        request._lp_check_code(self._code(phone))
        # The phone's welcome bonus is on record (an earlier join whose
        # membership since went to another phone and enrolment phone).
        self.Request.sudo().create(
            {
                "phone": phone,
                "program_id": self.program.id,
                "state": "refused",
                "welcome_granted": True,
            }
        )
        member = request._lp_join(self._join_values())
        self.assertEqual(member.balance, 0.0)
        self.assertFalse(member.ledger_ids)
        self.assertFalse(request.welcome_granted)
        self.assertEqual(request.state, "joined")

    def test_bad_input_is_refused(self):
        with self.mockSMSGateway():
            with self.assertRaisesRegex(UserError, "not a valid phone"):
                self.Request._lp_send_code("12", IP, self.program)
            with self.assertRaisesRegex(UserError, "not open"):
                self.Request._lp_send_code("+79125556666", IP, self.env["lp.program"])
            request = self.Request._lp_send_code("+79125556666", IP, self.program)
        request._lp_check_code(self._code("+79125556666"))
        with self.assertRaisesRegex(UserError, "Enter your name"):
            request._lp_join(self._join_values(name=" "))
        with self.assertRaisesRegex(UserError, "future"):
            request._lp_join(self._join_values(birthday="2999-01-01"))
        with self.assertRaisesRegex(UserError, "not a valid email"):
            request._lp_join(self._join_values(email="not-an-email"))

    def test_join_over_http(self):
        """The routes: code by JSON, the form posted, the welcome page with
        the barcode and the gift; the code lives in the session only."""
        self.authenticate(None, None)
        with self.mockSMSGateway():
            sent = self.make_jsonrpc_request(
                "/loyalty/join/code", {"phone": "+7 912 555 77 88"}
            )
            self.assertEqual(sent["status"], "sent")
            self.assertEqual(sent["phone"], "+79125557788")
            self.assertNotIn("token", sent)
            member_answer = self.make_jsonrpc_request(
                "/loyalty/join/code", {"phone": self.PHONE}
            )
            self.assertEqual(member_answer["status"], "member")
            self.assertIn("/web/login", member_answer["login_url"])
        code = self._code("+79125557788")
        form = {
            "csrf_token": http.Request.csrf_token(self),
            "name": "Pavel Orlov",
            "consent_email": "on",
        }
        wrong = self.url_open(
            "/loyalty/join/submit",
            data={**form, "code": "999999" if code != "999999" else "111111"},
        )
        self.assertIn("The code is not right", wrong.text)
        response = self.url_open("/loyalty/join/submit", data={**form, "code": code})
        self.assertTrue(response.url.endswith("/loyalty/join/welcome"))
        member = self.env["lp.member"].search([("partner_id.name", "=", "Pavel Orlov")])
        self.assertEqual(member.balance, 100.0)
        self.assertIn("o_lp_barcode", response.text)
        self.assertIn(member.card_ids.number, response.text)
        self.assertIn("100 points", response.text)
        self.assertIn("/web/signup?", response.text)
        self.assertEqual(member.partner_id.lp_consent_event_ids.source, "portal")
