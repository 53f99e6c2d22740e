import threading
import time

from psycopg2 import errors

from odoo import SUPERUSER_ID, api, sql_db
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.orm.environments import Transaction
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from ..tools import transactions


@tagged("post_install", "-at_install")
class TestConcurrentSpending(BaseCase):
    """Two tills spend the same points at once, on two real database
    connections: one succeeds, the other is refused; nothing is spent twice."""

    def setUp(self):
        super().setUp()
        self.db = sql_db.db_connect(get_db_name())
        self.test_registry = Registry(get_db_name())
        with self.db.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            program = env["lp.program"].create(
                {"name": "Concurrency", "hold_days": 0, "card_prefix": "29"}
            )
            partner = env["res.partner"].create({"name": "Two Tills"})
            member = env["lp.member"].create(
                {"partner_id": partner.id, "program_id": program.id}
            )
            env["lp.ledger"]._post(
                [{"member_id": member.id, "kind": "gift", "amount": 100.0}]
            )
            self.ids = (program.id, partner.id, member.id)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        program_id, partner_id, member_id = self.ids
        with self.db.cursor() as cr:
            cr.execute(
                "DELETE FROM lp_ledger_allocation WHERE debit_id IN "
                "(SELECT id FROM lp_ledger WHERE member_id = %s)",
                [member_id],
            )
            cr.execute("DELETE FROM lp_ledger WHERE member_id = %s", [member_id])
            cr.execute("DELETE FROM lp_reservation WHERE member_id = %s", [member_id])
            cr.execute("DELETE FROM lp_tier_history WHERE member_id = %s", [member_id])
            cr.execute("DELETE FROM lp_member WHERE id = %s", [member_id])
            cr.execute("DELETE FROM lp_program WHERE id = %s", [program_id])
            cr.execute("DELETE FROM res_partner WHERE id = %s", [partner_id])

    def _spend(self, cr, key):
        # Odoo's test runner holds the registry lock while tests run: hand the
        # registry to the cursor instead of letting the ORM look it up.
        if cr.transaction is None:
            cr.transaction = Transaction(self.test_registry)
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        env["lp.member"].browse(self.ids[2])._spend(80, source_key=key)

    def _reserve(self, cr, key):
        if cr.transaction is None:
            cr.transaction = Transaction(self.test_registry)
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        member = env["lp.member"].browse(self.ids[2])
        env["lp.reservation"]._reserve(member, 80, key)

    def _reserved(self):
        with self.db.cursor() as cr:
            cr.execute(
                "SELECT COALESCE(SUM(points), 0), COUNT(*) FROM lp_reservation "
                "WHERE member_id = %s AND state = 'reserved'",
                [self.ids[2]],
            )
            return cr.fetchone()

    def _state(self):
        with self.db.cursor() as cr:
            cr.execute(
                "SELECT balance, (SELECT COUNT(*) FROM lp_ledger "
                "WHERE member_id = m.id AND kind = 'spend') "
                "FROM lp_member m WHERE id = %s",
                [self.ids[2]],
            )
            return cr.fetchone()

    @mute_logger("odoo.sql_db")
    def test_two_tills_cannot_spend_the_same_points(self):
        outcome = {}

        def second_till():
            cr = self.db.cursor()
            try:
                cr.execute("SET lock_timeout = '20s'")
                self._spend(cr, "till-2")
                cr.commit()  # pylint: disable=invalid-commit
                outcome["till-2"] = "spent"
            except (
                errors.SerializationFailure,
                errors.LockNotAvailable,
                UserError,
            ) as exc:
                cr.rollback()
                outcome["till-2"] = exc
            finally:
                cr.close()

        first = self.db.cursor()
        try:
            self._spend(first, "till-1")  # holds the member's row lock
            thread = threading.Thread(target=second_till)
            thread.start()
            time.sleep(1.0)  # the second till is now waiting for the lock
            self.assertTrue(thread.is_alive(), "the second till did not wait")
            first.commit()  # pylint: disable=invalid-commit
        finally:
            first.close()
        thread.join(30)
        self.assertFalse(thread.is_alive())
        self.assertIsInstance(outcome["till-2"], errors.SerializationFailure)
        # Odoo retries a request that failed to serialize: the retry sees the
        # first till's spend and is refused with a clear message.
        with self.db.cursor() as cr, self.assertRaisesRegex(UserError, "20.0 points"):
            self._spend(cr, "till-2")
        balance, spends = self._state()
        self.assertEqual(float(balance), 20.0)
        self.assertEqual(spends, 1)

    def test_retried_sync_posts_once(self):
        for _attempt in range(2):
            with self.db.cursor() as cr:
                self._spend(cr, "order-uuid-1")
        balance, spends = self._state()
        self.assertEqual((float(balance), spends), (20.0, 1))

    def _reserve_against_first_till(self, reserve):
        """The first till reserves 80 of the 100 points and holds the
        member's lock; meanwhile a second till, on its own connection, takes
        its snapshot, then calls ``reserve(cr)`` (and waits on the lock).
        Once the first commits, returns what the second got: "reserved" or
        the exception."""
        outcome = {}

        def second_till():
            cr = self.db.cursor()
            try:
                cr.execute("SET lock_timeout = '20s'")
                # The snapshot is taken now, before the first till commits.
                cr.execute("SELECT 1")
                outcome["ready"] = True
                reserve(cr)
                cr.commit()  # pylint: disable=invalid-commit
                outcome["till-2"] = "reserved"
            except (
                errors.SerializationFailure,
                errors.LockNotAvailable,
                UserError,
            ) as exc:
                cr.rollback()
                outcome["till-2"] = exc
            finally:
                cr.close()

        first = self.db.cursor()
        try:
            self._reserve(first, "pos.order:till-1")  # holds the member's lock
            thread = threading.Thread(target=second_till)
            thread.start()
            time.sleep(1.0)
            self.assertTrue(outcome.get("ready"))
            self.assertTrue(thread.is_alive(), "the second till did not wait")
            first.commit()  # pylint: disable=invalid-commit
        finally:
            first.close()
        thread.join(30)
        self.assertFalse(thread.is_alive())
        return outcome["till-2"]

    @mute_logger("odoo.sql_db")
    def test_two_tills_cannot_reserve_the_same_points(self):
        """REPEATABLE READ: the second till waited on the member's lock with
        a snapshot taken before the first till's reservation. Reserving
        writes the member row, so the second one fails to serialize (Odoo
        retries the request) instead of reading stale reservations and
        over-reserving."""
        outcome = self._reserve_against_first_till(
            lambda cr: self._reserve(cr, "pos.order:till-2")
        )
        self.assertIsInstance(outcome, errors.SerializationFailure)
        # The retry reads the first reservation: 20 free, 80 refused.
        with self.db.cursor() as cr, self.assertRaisesRegex(UserError, "20.0 points"):
            self._reserve(cr, "pos.order:till-2")
        points, count = self._reserved()
        self.assertEqual((float(points), count), (80.0, 1))

    @mute_logger("odoo.sql_db")
    def test_busy_card_reserves_at_read_committed(self):
        """The same race as above through the till's path
        (``tools.transactions.or_read_committed``): the second till's
        reservation, failing to serialize, is made again at READ COMMITTED
        with the current reservations, so it succeeds for what is left free
        and is refused beyond it: no request replayed, nothing over-reserved."""

        def reserve(cr, key, points):
            if cr.transaction is None:
                cr.transaction = Transaction(self.test_registry)
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            member = env["lp.member"].browse(self.ids[2])
            return transactions.or_read_committed(
                env,
                lambda env: env["lp.reservation"]._reserve(
                    member.with_env(env), points, key
                ),
            )

        outcome = self._reserve_against_first_till(
            lambda cr: reserve(cr, "pos.order:till-2", 20)
        )
        self.assertEqual(outcome, "reserved")
        self.assertEqual(tuple(map(float, self._reserved())), (100.0, 2.0))
        # A third till with a stale snapshot is refused on current figures.
        with self.db.cursor() as cr:
            cr.execute("SELECT 1")
            with self.assertRaisesRegex(UserError, "0.0 points free"):
                reserve(cr, "pos.order:till-3", 1)
        self.assertEqual(tuple(map(float, self._reserved())), (100.0, 2.0))
