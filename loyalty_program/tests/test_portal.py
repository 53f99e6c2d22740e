from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import formatLang

from .common_portal import PortalFixture


@tagged("post_install", "-at_install")
class TestPortalAccount(PortalFixture, HttpCase):
    """The personal account as the customer gets it: figures, history,
    consent, messages, and the customer's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._lp_portal_setup()

    def test_account_figures(self):
        member = self.member
        self.assertEqual(member.balance, 145.0)
        self.assertEqual(member.pending, 2046.0)
        self.assertEqual(member.tier_id, self.tier_silver)
        values = member._lp_portal_values()
        tier = values["tier"]
        self.assertEqual(tier["next_tier"], self.tier_gold)
        self.assertEqual(tier["to_next"], 58080.0)
        self.assertEqual(tier["percent"], 41)
        self.assertEqual(tier["to_keep"], 0)
        savings = values["savings"]
        self.assertEqual(savings["points"], 30.0)
        self.assertAlmostEqual(savings["tier"], 50.0, places=2)
        self.assertAlmostEqual(savings["total"], 80.0, places=2)
        self.assertEqual(sum(p["points"] for p in values["pending"]), 2046.0)
        # FIFO took the 30 points from the welcome bonus, expiring first.
        self.assertEqual(values["expiring"][0]["points"], 70.0)
        self.assertIn("70 points expire on", values["expiring"][0]["text"])
        kinds = sorted(gift["entry"].kind for gift in values["gifts"])
        self.assertEqual(kinds, ["gift", "welcome"])
        self.assertIn("58,080.00 more to reach Gold", tier["next_text"])
        self.assertEqual(values["barcode"]["number"], member.card_ids.number)
        self.assertTrue(values["barcode"]["src"].startswith("data:image/png;base64,"))
        self.assertIn("•", values["cards"][0]["masked"])

    def test_keeping_the_tier(self):
        """Purchases leave the rolling period: the spend still counting in 30
        days, and what is left to spend to keep Silver (30,000)."""
        member = self.member
        # A 40-day period: in 30 days only the last 10 days count, that is
        # the 40,000 and 920 purchases of today, not the one of 30 days ago.
        self.program.tier_window_days = 40
        self.assertEqual(member._lp_portal_kept_spend(), 40920.0)
        self.assertEqual(member._lp_portal_tier()["to_keep"], 0)
        # A 20-day period: none of today's spend counts in 30 days.
        self.program.tier_window_days = 20
        self.assertEqual(member._lp_portal_kept_spend(), 0.0)
        self.assertEqual(member._lp_portal_tier()["to_keep"], 30000.0)

    def test_account_page(self):
        self.authenticate("lp_portal", "lp_portal")
        home = " ".join(self.url_open("/my").text.split())
        self.assertIn("My loyalty", home)
        self.assertIn("145 points · Silver", home)
        page = self.url_open("/my/loyalty")
        self.assertEqual(page.status_code, 200)
        html = " ".join(page.text.split())
        for text in (
            "Portal Club",
            self.member.card_ids.number,
            "2,046 points on hold",
            "58,080.00",
            "LP Portal Tea",
            "data:image/png;base64",
            "80.00",
            "Tier discounts",
            self.big_order.name,
        ):
            self.assertIn(text, html)
        self.assertNotIn(self.other_member.card_ids.number, html)

    def test_consent_and_feedback_from_the_account(self):
        self.authenticate("lp_portal", "lp_portal")
        token = http.Request.csrf_token(self)
        self.url_open(
            "/my/loyalty/consent", data={"csrf_token": token, "consent_sms": "on"}
        )
        self.assertTrue(self.customer.lp_consent_sms)
        event = self.customer.lp_consent_event_ids.filtered(
            lambda e: e.channel == "sms"
        )
        self.assertEqual((event.source, event.granted), ("portal", True))
        page = self.url_open(
            "/my/loyalty/feedback",
            data={"csrf_token": token, "kind": "wish", "body": "Oat milk, please"},
        )
        self.assertIn("sent to our loyalty team", page.text)
        feedback = self.env["lp.feedback"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual((feedback.kind, feedback.member_id), ("wish", self.member))
        activity = feedback.activity_ids
        self.assertEqual(activity.user_id, self.manager)
        self.assertIn("Oat milk", self.member.message_ids[0].body)
        # The manager answers; the customer reads it in the account.
        feedback.with_user(self.manager).write({"answer": "From Monday on!"})
        self.assertNotIn("From Monday on!", self.url_open("/my/loyalty").text)
        feedback.with_user(self.manager).action_send_answer()
        self.assertEqual(feedback.state, "answered")
        self.assertFalse(feedback.activity_ids)
        self.assertIn("From Monday on!", self.url_open("/my/loyalty").text)

    def test_account_in_russian(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(
            ["loyalty_program"], ["ru_RU"], overwrite=True
        )
        self.portal_user.lang = "ru_RU"
        self.authenticate("lp_portal", "lp_portal")
        html = self.url_open("/my/loyalty").text
        ru = self.env(context={"lang": "ru_RU"})
        self.assertIn(formatLang(ru, 2046, digits=0), html)
        self.assertIn(formatLang(ru, 58080, digits=2), html)
        self.assertIn("История", html)
        self.assertNotIn("History</h4>", html)

    def test_employees_see_only_their_own_account(self):
        """/my works for employees without loyalty rights, and a loyalty user
        (who sees every member in the backend) sees no one else's account."""
        new_test_user(self.env, login="lp_portal_employee", groups="base.group_user")
        self.authenticate("lp_portal_employee", "lp_portal_employee")
        self.assertEqual(self.url_open("/my").status_code, 200)
        page = self.url_open("/my/loyalty")
        self.assertEqual(page.status_code, 200)
        self.assertIn("not a member", page.text)
        new_test_user(
            self.env,
            login="lp_portal_clerk",
            groups="base.group_user,loyalty_program.group_lp_user",
        )
        self.authenticate("lp_portal_clerk", "lp_portal_clerk")
        html = self.url_open("/my/loyalty").text
        self.assertIn("not a member", html)
        self.assertNotIn(self.member.card_ids.number, html)
        self.assertNotIn("LP Portal Tea", html)
