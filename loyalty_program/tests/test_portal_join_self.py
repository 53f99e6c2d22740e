import re

from odoo import http
from odoo.tests import new_test_user, tagged

from odoo.addons.sms.tests.common import MockSMS

from .common_portal import PortalFixture


@tagged("post_install", "-at_install")
class TestPortalJoinSignedIn(PortalFixture, MockSMS):
    """A customer signed in to the portal joins from the join page as
    herself: the membership lands on her own contact and account, the
    confirmed phone goes on her contact, and her account shows it at once."""

    NEW_PHONE = "+79123334455"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._lp_portal_setup()
        cls.vera = new_test_user(
            cls.env(su=True),
            login="lp_vera_portal",
            groups="base.group_portal",
            name="Vera Lebedeva",
            email="vera@example.com",
        )

    def code(self, phone):
        bodies = [sms["body"] for sms in self._sms if sms["number"] == phone]
        self.assertTrue(bodies, f"no SMS sent to {phone}")
        return re.search(r"\d{6}", bodies[-1]).group()

    def counts(self):
        env = self.env(su=True)
        return (
            env["res.partner"].with_context(active_test=False).search_count([]),
            env["res.users"].with_context(active_test=False).search_count([]),
        )

    def join(self, phone, **form):
        with self.mockSMSGateway():
            sent = self.make_jsonrpc_request("/loyalty/join/code", {"phone": phone})
        self.assertEqual(sent["status"], "sent")
        return self.url_open(
            "/loyalty/join/submit",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "code": self.code(sent["phone"]),
                "name": "Vera L.",
                "consent_sms": "on",
                **form,
            },
        )

    def test_signed_in_customer_joins_as_herself(self):
        partner = self.vera.partner_id
        before = self.counts()
        self.authenticate("lp_vera_portal", "lp_vera_portal")
        page = self.url_open("/loyalty/join")
        self.assertIn("o_lp_join", page.text)
        response = self.join("8 912 333-44-55")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith("/loyalty/join/welcome"), response.url)
        # No second contact, no second login.
        self.assertEqual(self.counts(), before)
        member = self.env["lp.member"].search([("partner_id", "=", partner.id)])
        self.assertEqual(len(member), 1)
        self.assertEqual(member.enrol_source, "portal")
        self.assertEqual(member.enrol_phone, self.NEW_PHONE)
        self.assertEqual(member.balance, 100.0)
        # Her contact keeps her name and gets the confirmed phone.
        self.assertEqual(partner.name, "Vera Lebedeva")
        self.assertEqual(partner.lp_phone_e164, self.NEW_PHONE)
        self.assertTrue(partner.lp_consent_sms)
        self.assertEqual(partner.user_ids, self.vera)
        # Already signed in: no password to set, straight to her account.
        self.assertNotIn("/web/signup?", response.text)
        account = " ".join(self.url_open("/my/loyalty").text.split())
        self.assertIn(member.card_ids.number, account)
        self.assertIn("o_lp_balance", account)
        self.assertNotIn("not a member", account)
        home = self.url_open("/my").text
        self.assertIn("100 points", home)
        # Joining again is sent to the account.
        again = self.url_open("/loyalty/join")
        self.assertTrue(again.url.endswith("/my/loyalty"), again.url)

    def test_phone_of_another_member_is_refused(self):
        """The confirmed phone already belongs to a member: she is told,
        and nothing is created or changed on her contact."""
        partner = self.vera.partner_id
        before = self.counts()
        self.authenticate("lp_vera_portal", "lp_vera_portal")
        with self.mockSMSGateway():
            answer = self.make_jsonrpc_request(
                "/loyalty/join/code", {"phone": self.other_user.partner_id.phone}
            )
        self.assertEqual(answer["status"], "member")
        self.assertEqual(self.counts(), before)
        self.assertFalse(partner.lp_member_ids)
        self.assertFalse(partner.phone)

    def test_member_cannot_join_a_second_time(self):
        """A signed-in member who confirms another phone on the join page is
        refused (400) and nothing is created or changed."""
        self.authenticate("lp_portal", "lp_portal")
        before = self.counts()
        members = self.env["lp.member"].search_count([])
        response = self.join("+79123334466")
        self.assertEqual(response.status_code, 400)
        self.assertIn("You already have a membership", response.text)
        self.assertEqual(self.counts(), before)
        self.assertEqual(self.env["lp.member"].search_count([]), members)
        self.assertEqual(self.customer.lp_phone_e164, self.PHONE)
