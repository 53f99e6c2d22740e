import re
from urllib.parse import parse_qs, urlparse

from odoo.tests import tagged

from odoo.addons.sms.tests.common import MockSMS

from .common_portal import PortalFixture

GATEWAY = "https://sms.gateway.test/"


@tagged("post_install", "-at_install")
class TestPortalTours(PortalFixture, MockSMS):
    """The personal account and the join page in a real browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._lp_portal_setup()

    def fetch_proxy(self, url):
        """The browser reads the last code the mocked gateway sent."""
        if url.startswith(GATEWAY):
            number = parse_qs(urlparse(url).query)["number"][0]
            bodies = [sms["body"] for sms in self._sms if sms["number"] == number]
            code = re.search(r"\d{6}", bodies[-1]).group() if bodies else ""
            return self.make_fetch_proxy_response(code)
        return super().fetch_proxy(url)

    def test_account_tour(self):
        self.start_tour("/my", "lp_portal_account", login="lp_portal")
        events = self.customer.lp_consent_event_ids.filtered(
            lambda e: e.source == "portal"
        )
        self.assertEqual(
            [(e.channel, e.granted, e.user_id) for e in events],
            [("sms", True, self.portal_user)],
        )
        feedback = self.env["lp.feedback"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual((feedback.kind, feedback.body), ("wish", "Oat milk, please"))
        self.assertEqual(feedback.activity_ids.user_id, self.manager)

    def test_join_tour(self):
        with self.mockSMSGateway():
            self.start_tour("/loyalty/join", "lp_portal_join")
        partner = self.env["res.partner"].search(
            [("lp_phone_e164", "=", "+79127778899")]
        )
        self.assertEqual(partner.name, "Pavel Orlov")
        member = partner.lp_member_ids
        self.assertEqual(member.balance, 100.0)
        self.assertEqual(member.ledger_ids.kind, "welcome")
        self.assertFalse(member.ledger_ids.held)
        self.assertEqual(member.card_ids.state, "active")
        self.assertTrue(partner.user_ids._is_portal())
        self.assertTrue(partner.lp_consent_sms)
        self.assertEqual(partner.lp_consent_event_ids.source, "portal")
