import re

from odoo import http
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.sms.tests.common import MockSMS

from .common_portal import PortalFixture

# Values a script may send instead of a phone typed in the form.
BAD_VALUES = {
    "null": None,
    "empty": "",
    "blank": "   ",
    "number": 79123334455,
    "boolean": True,
    "list": ["+79123334455"],
    "object": {"phone": "+79123334455"},
}


@tagged("post_install", "-at_install")
class TestPortalRoutes(PortalFixture, MockSMS):
    """Every parameter of the public and portal routes is type-checked: a
    missing, empty, null, numeric, list or object value (a file, in a form)
    gets a 400 with a message a person can read, never a traceback, and
    nothing is created. Tried as a visitor and as a portal customer, through
    the real routes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._lp_portal_setup()

    def totals(self):
        env = self.env(su=True)
        return {
            model: env[model].with_context(active_test=False).search_count([])
            for model in (
                "lp.join.request",
                "lp.member",
                "res.partner",
                "res.users",
                "sms.sms",
                "lp.feedback",
                "lp.consent.event",
            )
        }

    def assertRefused(self, response, message):
        self.assertEqual(response.status_code, 400, response.text[:500])
        self.assertIn(message, response.text)
        self.assertNotIn("Traceback", response.text)

    def post_json(self, params):
        return self.opener.post(
            f"{self.base_url()}/loyalty/join/code",
            json={"jsonrpc": "2.0", "method": "call", "id": 1, "params": params},
            timeout=30,
        )

    @mute_logger("odoo.http")
    def test_join_code_type_checks_the_phone(self):
        self.authenticate(None, None)
        before = self.totals()
        with self.mockSMSGateway():
            for label, value in [("missing", ...), *BAD_VALUES.items()]:
                with self.subTest(value=label):
                    params = {} if value is ... else {"phone": value}
                    response = self.post_json(params)
                    self.assertRefused(response, "Enter your mobile phone")
                    error = response.json()["error"]
                    self.assertEqual(error["code"], 400)
                    self.assertIn("Enter your mobile phone", error["message"])
                    self.assertNotIn("debug", error["data"])
        self.assertEqual(self._sms, [])
        self.assertEqual(self.totals(), before)
        # A phone typed wrong is an answer, not a client error.
        with self.mockSMSGateway():
            answer = self.make_jsonrpc_request("/loyalty/join/code", {"phone": "12"})
        self.assertEqual(answer["status"], "error")
        self.assertIn("not a valid phone", answer["message"])

    def request_code(self, phone):
        with self.mockSMSGateway():
            sent = self.make_jsonrpc_request("/loyalty/join/code", {"phone": phone})
        self.assertEqual(sent["status"], "sent")
        bodies = [sms["body"] for sms in self._sms if sms["number"] == sent["phone"]]
        return re.search(r"\d{6}", bodies[-1]).group()

    @mute_logger("odoo.http")
    def test_join_form_type_checks_every_field(self):
        self.authenticate(None, None)
        token = http.Request.csrf_token(self)
        url = f"{self.base_url()}/loyalty/join/submit"
        # No code asked for in this session.
        response = self.opener.post(url, data={"csrf_token": token, "name": "Ivan"})
        self.assertRefused(response, "Ask for a code first")
        code = self.request_code("+79123334455")
        form = {"csrf_token": token, "code": code, "name": "Ivan Petrov"}
        before = self.totals()
        cases = {
            "no name": ({**form, "name": ""}, {}, "Enter your name"),
            "blank name": ({**form, "name": "  "}, {}, "Enter your name"),
            "no code": ({**form, "code": ""}, {}, "Enter the code we sent"),
            "bad birthday": ({**form, "birthday": "soon"}, {}, "not a valid birthday"),
        }
        for field in ("name", "code", "email", "birthday", "consent_sms"):
            data = {key: val for key, val in form.items() if key != field}
            cases[f"file as {field}"] = (
                data,
                {field: ("x.txt", b"+79123334455")},
                "Please fill in the form again",
            )
        for label, (data, files, message) in cases.items():
            with self.subTest(case=label):
                response = self.opener.post(url, data=data, files=files or None)
                self.assertRefused(response, message)
        self.assertEqual(self.totals(), before)
        # The code still works once the form is right.
        response = self.opener.post(url, data=form)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith("/loyalty/join/welcome"))

    @mute_logger("odoo.http")
    def test_account_forms_type_check_their_fields(self):
        user = new_test_user(
            self.env, login="lp_routes_portal", groups="base.group_portal"
        )
        self.authenticate(user.login, user.login)
        token = http.Request.csrf_token(self)
        base = self.base_url()
        before = self.totals()
        for label, data, files, message in (
            ("no message", {"kind": "wish"}, None, "Write your message first"),
            ("blank message", {"body": " \n "}, None, "Write your message first"),
            ("file as message", {}, {"body": ("a.txt", b"hi")}, "Please fill in"),
            ("file as kind", {"body": "Hi"}, {"kind": ("k.txt", b"wish")}, "Please"),
        ):
            with self.subTest(case=label):
                response = self.opener.post(
                    f"{base}/my/loyalty/feedback",
                    data={"csrf_token": token, **data},
                    files=files,
                )
                self.assertRefused(response, message)
        response = self.opener.post(
            f"{base}/my/loyalty/consent",
            data={"csrf_token": token},
            files={"consent_sms": ("c.txt", b"on")},
        )
        self.assertRefused(response, "Please fill in the form again")
        self.assertEqual(self.totals(), before)
        self.assertFalse(user.partner_id.lp_consent_sms)
