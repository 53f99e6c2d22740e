from odoo import http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common_portal import PortalFixture

STATEMENT = "/report/html/loyalty_program.report_member_statement/%s"


@tagged("post_install", "-at_install")
class TestPortalColleagues(PortalFixture, HttpCase):
    """Two people of one business customer, each with a membership of their
    own: neither sees the other's membership, card, history, consent or
    messages, on the page, through the ORM, over JSON-RPC or in a printed
    statement. A membership held by the business customer itself is shared
    by its people (readme: Usage, "Business customers")."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._lp_portal_setup()
        env = cls.env(su=True)
        cls.business = env["res.partner"].create(
            {"name": "Acme Trading", "is_company": True}
        )
        cls.customer.parent_id = cls.business
        cls.colleague_user = new_test_user(
            env,
            login="lp_colleague",
            groups="base.group_portal",
            name="Boris Kuznetsov",
        )
        cls.colleague = cls.colleague_user.partner_id
        cls.colleague.write({"parent_id": cls.business.id, "phone": "+79120007788"})
        cls.colleague_member = cls._lp_enrol(cls.colleague)
        cls.colleague_member._grant(
            "gift", 7, source_key="t:boris", reason="Gift for Boris alone"
        )
        cls.customer.with_context(lp_consent_source="backend").lp_consent_email = True
        Feedback = env["lp.feedback"]
        cls.feedback = Feedback.with_user(cls.portal_user).create(
            {"kind": "wish", "body": "Maria wishes oat milk"}
        )
        cls.colleague_feedback = Feedback.with_user(cls.colleague_user).create(
            {"kind": "complaint", "body": "Boris had a long queue"}
        )

    def maria_records(self):
        member = self.member
        return {
            "lp.member": member,
            "lp.card": member.card_ids,
            "lp.ledger": member.ledger_ids,
            "lp.consent.event": self.customer.lp_consent_event_ids,
            "lp.feedback": self.feedback,
        }

    def page(self, login):
        self.authenticate(login, login)
        response = self.url_open("/my/loyalty")
        self.assertEqual(response.status_code, 200)
        return " ".join(response.text.split())

    def test_colleague_reads_nothing_of_mine_through_the_orm(self):
        boris = self.colleague_user
        for model, records in self.maria_records().items():
            with self.subTest(model=model):
                self.assertTrue(records)
                found = self.env[model].with_user(boris).search([])
                self.assertFalse(found & records, model)
                with self.assertRaises(AccessError):
                    records.with_user(boris).read(["display_name"])
        # His own stay his.
        own = self.env["lp.member"].with_user(boris).search([])
        self.assertEqual(own, self.colleague_member.with_user(boris))
        self.assertEqual(
            self.env["lp.feedback"].with_user(boris).search([]),
            self.colleague_feedback.with_user(boris),
        )
        # The loyalty summary on her contact (which Odoo lets a colleague
        # read) is the back office's only.
        for field in ("lp_balance", "lp_tier_id", "lp_member_ids", "lp_card_count"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                self.customer.with_user(boris).read([field])
        # Her message went to her own membership, not to his.
        self.assertEqual(self.feedback.member_id, self.member)
        self.assertEqual(self.colleague_feedback.member_id, self.colleague_member)

    def test_colleague_reads_nothing_of_mine_over_json_rpc(self):
        self.authenticate("lp_colleague", "lp_colleague")

        def call(model, method, args, **kwargs):
            return self.make_jsonrpc_request(
                f"/web/dataset/call_kw/{model}/{method}",
                {"model": model, "method": method, "args": args, "kwargs": kwargs},
            )

        for model, records in self.maria_records().items():
            with self.subTest(model=model):
                rows = call(model, "search_read", [[]], fields=["id"])
                self.assertFalse({row["id"] for row in rows} & set(records.ids))
        members = call("lp.member", "search_read", [[]], fields=["card_number"])
        self.assertEqual(
            [row["card_number"] for row in members],
            [self.colleague_member.card_number],
        )

    def test_account_pages_show_each_their_own(self):
        maria = self.page("lp_portal")
        self.assertIn(self.member.card_ids.number, maria)
        self.assertIn("Maria wishes oat milk", maria)
        boris = self.page("lp_colleague")
        self.assertIn(self.colleague_member.card_ids.number, boris)
        self.assertIn("Gift for Boris alone", boris)
        self.assertIn("Boris had a long queue", boris)
        for html, other in ((maria, self.colleague_member), (boris, self.member)):
            self.assertNotIn(other.card_ids.number, html)
            self.assertEqual(html.count("o_lp_account "), 1)
        for text in ("Maria wishes oat milk", self.big_order.name, "LP Portal Tea"):
            self.assertNotIn(text, boris)
        for text in ("Gift for Boris alone", "Boris had a long queue"):
            self.assertNotIn(text, maria)
        # The portal home counts his membership only.
        self.assertEqual(self.url_open("/my").text.count("o_lp_home_balance"), 1)

    def test_colleague_cannot_print_my_statement(self):
        self.authenticate("lp_colleague", "lp_colleague")
        response = self.url_open(STATEMENT % self.member.id)
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(self.member.card_ids.number, response.text)
        self.assertEqual(
            self.url_open(STATEMENT % self.colleague_member.id).status_code, 200
        )

    def test_colleague_without_membership_may_join(self):
        """A third person of the business is offered the join page, not
        sent to an account that holds nothing of hers."""
        new_test_user(
            self.env,
            login="lp_newcomer",
            groups="base.group_portal",
            parent_id=self.business.id,
        )
        self.authenticate("lp_newcomer", "lp_newcomer")
        response = self.url_open("/loyalty/join")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith("/loyalty/join"), response.url)
        self.assertIn("o_lp_join", response.text)
        page = self.url_open("/my/loyalty")
        self.assertIn("not a member", page.text)
        self.assertNotIn(self.member.card_ids.number, page.text)

    def test_business_membership_is_shared_by_its_people(self):
        """Decision: a membership held by the business customer's own
        contact (a company card) is used by every person of that business;
        each still sees their own one beside it, and nobody else's."""
        shared = self._lp_enrol(self.business)
        shared._grant("gift", 11, source_key="t:company", reason="Company gift")
        for user, own in (
            (self.portal_user, self.member),
            (self.colleague_user, self.colleague_member),
        ):
            with self.subTest(user=user.login):
                Member = self.env["lp.member"].with_user(user)
                self.assertEqual(Member.search([]), (own | shared).with_user(user))
                shared.card_ids.with_user(user).read(["number"])
                self.assertEqual(
                    self.env["lp.ledger"]
                    .with_user(user)
                    .search([("member_id", "=", shared.id)]),
                    shared.ledger_ids.with_user(user),
                )
                html = self.page(user.login)
                self.assertIn(shared.card_ids.number, html)
                self.assertIn(own.card_ids.number, html)
                self.assertIn("Company gift", html)
                self.assertEqual(html.count("o_lp_account "), 2)
                self.assertEqual(self.url_open(STATEMENT % shared.id).status_code, 200)
        # Messages stay personal: a person's message goes to their own card.
        self.assertEqual(self.feedback.member_id, self.member)
        token = http.Request.csrf_token(self)
        self.url_open(
            "/my/loyalty/feedback",
            data={"csrf_token": token, "kind": "question", "body": "Boris asks"},
        )
        asked = self.env["lp.feedback"].search([("body", "=", "Boris asks")])
        self.assertEqual(asked.member_id, self.colleague_member)
