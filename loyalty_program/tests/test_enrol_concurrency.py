import threading
import time

from psycopg2 import errors

from odoo import SUPERUSER_ID, api, sql_db
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.orm.environments import Transaction
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

PHONE = "+7 912 555 00 11"


@tagged("post_install", "-at_install")
class TestConcurrentEnrolment(BaseCase):
    """Two tills enrol the same phone at once, on two real database
    connections, each with a printed card: one member is created, the
    other till is told the customer is already a member."""

    def setUp(self):
        super().setUp()
        self.db = sql_db.db_connect(get_db_name())
        self.test_registry = Registry(get_db_name())
        with self.db.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            program = env["lp.program"].create(
                {
                    "name": "Enrol Race",
                    "card_prefix": "26",
                    "welcome_points": 50.0,
                    "sequence": 0,
                }
            )
            batch = env["lp.card.batch"]._generate(program, 2)
            self.numbers = batch.card_ids.sorted("number").mapped("number")
            self.ids = (program.id, batch.id)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        program_id, batch_id = self.ids
        with self.db.cursor() as cr:
            cr.execute(
                "SELECT id, partner_id FROM lp_member WHERE program_id = %s",
                [program_id],
            )
            rows = cr.fetchall()
            member_ids = tuple(r[0] for r in rows) or (0,)
            partner_ids = tuple(r[1] for r in rows) or (0,)
            cr.execute(
                "DELETE FROM lp_ledger_allocation WHERE debit_id IN "
                "(SELECT id FROM lp_ledger WHERE member_id IN %s)",
                [member_ids],
            )
            for table in ("lp_ledger", "lp_tier_history", "lp_reservation"):
                cr.execute(
                    f"DELETE FROM {table} WHERE member_id IN %s",
                    [member_ids],
                )
            cr.execute("DELETE FROM lp_card WHERE program_id = %s", [program_id])
            cr.execute("DELETE FROM lp_member WHERE id IN %s", [member_ids])
            cr.execute("DELETE FROM lp_card_batch WHERE id = %s", [batch_id])
            cr.execute("DELETE FROM lp_program WHERE id = %s", [program_id])
            cr.execute("DELETE FROM res_partner WHERE id IN %s", [partner_ids])

    def _enrol(self, cr, name, card):
        # Odoo's test runner holds the registry lock while tests run: hand the
        # registry to the cursor instead of letting the ORM look it up.
        if cr.transaction is None:
            cr.transaction = Transaction(self.test_registry)
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        return env["lp.member"]._lp_pos_enrol(
            {"name": name, "phone": PHONE, "card": card}
        )

    def _state(self):
        with self.db.cursor() as cr:
            cr.execute(
                "SELECT m.id, m.balance, p.name FROM lp_member m "
                "JOIN res_partner p ON p.id = m.partner_id WHERE m.program_id = %s",
                [self.ids[0]],
            )
            members = cr.fetchall()
            cr.execute(
                "SELECT count(*) FROM res_partner WHERE lp_phone_e164 = %s",
                ["+79125550011"],
            )
            return members, cr.fetchone()[0]

    @mute_logger("odoo.sql_db")
    def test_two_tills_enrol_the_same_phone(self):
        outcome = {}

        def second_till():
            cr = self.db.cursor()
            try:
                cr.execute("SET lock_timeout = '20s'")
                self._enrol(cr, "Till Two", self.numbers[1])
                cr.commit()  # pylint: disable=invalid-commit
                outcome["till-2"] = "enrolled"
            except (errors.SerializationFailure, UserError) as exc:
                cr.rollback()
                outcome["till-2"] = exc
            finally:
                cr.close()

        first = self.db.cursor()
        try:
            self._enrol(first, "Till One", self.numbers[0])
            thread = threading.Thread(target=second_till)
            thread.start()
            time.sleep(1.5)  # the second till now waits on the first's member
            self.assertTrue(thread.is_alive(), "the second till did not wait")
            first.commit()  # pylint: disable=invalid-commit
        finally:
            first.close()
        thread.join(30)
        self.assertFalse(thread.is_alive())
        result = outcome["till-2"]
        if isinstance(result, errors.SerializationFailure):
            # Odoo retries such a request: the retry sees the first member.
            with self.db.cursor() as cr, self.assertRaises(UserError) as caught:
                self._enrol(cr, "Till Two", self.numbers[1])
            result = caught.exception
        self.assertIsInstance(result, UserError)
        self.assertIn("already a member", str(result))
        members, partners = self._state()
        self.assertEqual(len(members), 1)
        self.assertEqual(members[0][1:], (50.0, "Till One"))
        self.assertEqual(partners, 1)
        # Enrolling the phone again later is refused too.
        with (
            self.db.cursor() as cr,
            self.assertRaisesRegex(UserError, "already a member"),
        ):
            self._enrol(cr, "Till Three", self.numbers[1])

    def _enrol_backend(self, cr, name):
        if cr.transaction is None:
            cr.transaction = Transaction(self.test_registry)
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        partner = env["res.partner"].create({"name": name, "phone": PHONE})
        program = env["lp.program"].browse(self.ids[0])
        return env["lp.member"]._enrol(partner, program).balance

    @mute_logger("odoo.sql_db")
    def test_two_desks_enrol_two_contacts_with_one_phone(self):
        """Two back-office enrolments of two contacts sharing one phone, at
        the same time: the welcome bonus is paid once (the second claim of
        the phone waits for the first, then fails on the unique index)."""
        outcome = {}

        def second_desk():
            cr = self.db.cursor()
            try:
                cr.execute("SET lock_timeout = '20s'")
                outcome["desk-2"] = self._enrol_backend(cr, "Desk Two")
                cr.commit()  # pylint: disable=invalid-commit
            finally:
                cr.close()

        first = self.db.cursor()
        try:
            self.assertEqual(self._enrol_backend(first, "Desk One"), 50.0)
            thread = threading.Thread(target=second_desk)
            thread.start()
            time.sleep(1.5)  # the second desk now waits on the phone's claim
            self.assertTrue(thread.is_alive(), "the second desk did not wait")
            first.commit()  # pylint: disable=invalid-commit
        finally:
            first.close()
        thread.join(30)
        self.assertFalse(thread.is_alive())
        self.assertEqual(outcome["desk-2"], 0.0)
        members, partners = self._state()
        balances = sorted((name, balance or 0.0) for _id, balance, name in members)
        self.assertEqual(balances, [("Desk One", 50.0), ("Desk Two", 0.0)])
        self.assertEqual(partners, 2)
