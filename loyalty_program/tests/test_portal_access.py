from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common_portal import PortalFixture


@tagged("post_install", "-at_install")
class TestPortalAccess(PortalFixture, TransactionCase):
    """Every model the portal reaches: the customer reads their own records,
    another portal user and the public user see none of them, and nobody on
    the portal writes except their consent and their messages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._lp_portal_setup()
        cls.public_user = cls.env.ref("base.public_user")
        cls.customer.sudo().with_context(lp_consent_source="backend").write(
            {"lp_consent_email": True}
        )
        cls.feedback = (
            cls.env["lp.feedback"]
            .with_user(cls.portal_user)
            .create({"kind": "wish", "body": "Oat milk, please"})
        )

    def _own_records(self):
        member = self.member
        return {
            "lp.member": member,
            "lp.card": member.card_ids,
            "lp.ledger": member.ledger_ids,
            "lp.program": member.program_id,
            "lp.tier": member.program_id.tier_ids,
            "lp.consent.event": self.customer.lp_consent_event_ids,
            "lp.feedback": self.feedback,
        }

    def test_customer_reads_own_records_only(self):
        for model, records in self._own_records().items():
            with self.subTest(model=model):
                self.assertTrue(records, model)
                Model = self.env[model].with_user(self.portal_user)
                found = Model.search([])
                self.assertEqual(found, records.with_user(self.portal_user), model)
                records.with_user(self.portal_user).read(["display_name"])
        # Nothing of the other customer.
        other = self.other_member
        for records in (other, other.card_ids, other.ledger_ids):
            with self.assertRaises(AccessError):
                records.with_user(self.portal_user).read(["display_name"])

    def test_other_portal_user_sees_nothing_of_the_customer(self):
        stranger = new_test_user(
            self.env, login="lp_portal_stranger", groups="base.group_portal"
        )
        for model, records in self._own_records().items():
            # Program and tiers are shared by the program's members: another
            # member reads them, a portal user who is no member does not.
            shared = model in ("lp.program", "lp.tier")
            for user in (stranger,) if shared else (self.other_user, stranger):
                with self.subTest(model=model, user=user.login):
                    Model = self.env[model].with_user(user)
                    self.assertFalse(Model.search([("id", "in", records.ids)]))
                    with self.assertRaises(AccessError):
                        records.with_user(user).read(["display_name"])
        self.assertEqual(
            self.env["lp.program"].with_user(self.other_user).search([]), self.program
        )

    def test_public_user_has_no_access(self):
        for model, records in self._own_records().items():
            with self.subTest(model=model):
                with self.assertRaises(AccessError):
                    self.env[model].with_user(self.public_user).search([])
                with self.assertRaises(AccessError):
                    records.with_user(self.public_user).read(["display_name"])
        for model in ("lp.join.request", "lp.feedback"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.public_user).create({})

    def test_portal_is_read_only(self):
        for model, records in self._own_records().items():
            with self.subTest(model=model):
                mine = records.with_user(self.portal_user)
                with self.assertRaises(AccessError):
                    mine.check_access("write")
                with self.assertRaises(AccessError):
                    mine.check_access("unlink")
                if model != "lp.feedback":
                    with self.assertRaises(AccessError):
                        self.env[model].with_user(self.portal_user).check_access(
                            "create"
                        )
        with self.assertRaises(AccessError):
            self.feedback.with_user(self.portal_user).write({"answer": "Self-served"})
        with self.assertRaises(AccessError):
            self.env["lp.join.request"].with_user(self.portal_user).search([])
        with self.assertRaises(AccessError):
            self.member.with_user(self.portal_user).write({"state": "blocked"})

    def test_feedback_is_written_in_own_name(self):
        feedback = (
            self.env["lp.feedback"]
            .with_user(self.other_user)
            .create(
                {
                    "kind": "complaint",
                    "body": "Long queue",
                    "partner_id": self.customer.id,
                    "state": "answered",
                    "answer": "Forged",
                }
            )
        )
        self.assertEqual(feedback.partner_id, self.other_user.partner_id)
        self.assertEqual(feedback.member_id, self.other_member)
        self.assertEqual(feedback.state, "new")
        self.assertFalse(feedback.answer)
        self.assertFalse(
            self.env["lp.feedback"]
            .with_user(self.portal_user)
            .search([("id", "=", feedback.id)])
        )

    def test_consent_changes_own_partner_only(self):
        partner = self.customer.with_user(self.portal_user)
        partner._lp_portal_set_consent(email=False, sms=True)
        self.assertFalse(self.customer.lp_consent_email)
        self.assertTrue(self.customer.lp_consent_sms)
        events = self.customer.lp_consent_event_ids.filtered(
            lambda e: e.source == "portal"
        )
        self.assertEqual(
            sorted((e.channel, e.granted) for e in events),
            [("email", False), ("sms", True)],
        )
        self.assertEqual(events.user_id, self.portal_user)
        other = self.other_user.partner_id.with_user(self.portal_user)
        with self.assertRaises(AccessError):
            other._lp_portal_set_consent(email=True, sms=True)
        self.assertFalse(self.other_user.partner_id.lp_consent_email)
        # The portal user cannot write the consent fields directly.
        with self.assertRaises(AccessError):
            partner.write({"lp_consent_email": True})

    def test_feedback_goes_to_a_loyalty_manager_by_default(self):
        self.program.feedback_user_id = False
        feedback = (
            self.env["lp.feedback"]
            .with_user(self.other_user)
            .create({"kind": "question", "body": "Do points expire?"})
        )
        handler = feedback.sudo().activity_ids.user_id
        self.assertEqual(len(handler), 1)
        self.assertTrue(handler.has_group("loyalty_program.group_lp_manager"))
        self.assertFalse(handler._is_superuser())
        # The manager reads and answers it; a plain employee cannot.
        feedback.with_user(handler).write({"answer": "After a year."})
        employee = new_test_user(
            self.env, login="lp_portal_staff", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            feedback.with_user(employee).read(["body"])
