import threading
import time

import psycopg2
from psycopg2 import errors

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.modules.registry import Registry
from odoo.orm.environments import Transaction
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestTriggerTwoWorkers(BaseCase):
    """Two workers run the same trigger at once, on two real database
    connections: the second waits on the unique occasion index and claims
    nothing; its retry claims nothing either."""

    def setUp(self):
        super().setUp()
        self.db = sql_db.db_connect(get_db_name())
        self.test_registry = Registry(get_db_name())
        self.day = fields.Date.today()
        with self.db.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            program = env["lp.program"].create(
                {"name": "Two workers", "birthday_points": 10, "card_prefix": "28"}
            )
            partner = env["res.partner"].create(
                {"name": "Twice Born", "lp_birthday": self.day.replace(year=1990)}
            )
            member = env["lp.member"].create(
                {"partner_id": partner.id, "program_id": program.id}
            )
            trigger = env["lp.trigger"].create(
                {"name": "Two workers", "kind": "birthday", "program_id": program.id}
            )
            runs = env["lp.trigger.run"].create(
                [
                    {
                        "trigger_id": trigger.id,
                        "day": self.day,
                        "date": fields.Datetime.now(),
                    }
                    for _i in range(3)
                ]
            )
            self.ids = (program.id, partner.id, member.id, trigger.id, runs.ids)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        program_id, partner_id, member_id, trigger_id, _runs = self.ids
        with self.db.cursor() as cr:
            cr.execute("DELETE FROM lp_trigger WHERE id = %s", [trigger_id])
            cr.execute("DELETE FROM lp_tier_history WHERE member_id = %s", [member_id])
            cr.execute("DELETE FROM lp_member WHERE id = %s", [member_id])
            cr.execute("DELETE FROM lp_program WHERE id = %s", [program_id])
            cr.execute("DELETE FROM res_partner WHERE id = %s", [partner_id])

    def _claim(self, cr, run_index):
        if cr.transaction is None:
            cr.transaction = Transaction(self.test_registry)
        env = api.Environment(cr, SUPERUSER_ID, {})
        trigger = env["lp.trigger"].browse(self.ids[3])
        run = env["lp.trigger.run"].browse(self.ids[4][run_index])
        program = env["lp.program"].browse(self.ids[0])
        return trigger._claim(run, program, self.day, fields.Datetime.now())

    def _waits_on_lock(self, outcome, timeout=20.0):
        """Whether the second worker's connection comes to wait on a lock
        (the first worker's uncommitted occasion) within ``timeout``."""
        deadline = time.monotonic() + timeout
        with self.db.cursor() as probe:
            while time.monotonic() < deadline:
                if "pid" in outcome:
                    probe.execute(
                        "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                        [outcome["pid"]],
                    )
                    row = probe.fetchone()
                    if row and row[0] == "Lock":
                        return True
                probe.rollback()
                time.sleep(0.1)
        return False

    @mute_logger("odoo.sql_db")
    def test_second_worker_claims_nothing(self):
        outcome = {}

        def second_worker():
            cr = self.db.cursor()
            try:
                cr.execute("SELECT pg_backend_pid()")
                outcome["pid"] = cr.fetchone()[0]
                cr.execute("SET lock_timeout = '20s'")
                outcome["claimed"] = self._claim(cr, 1)
                cr.commit()  # pylint: disable=invalid-commit
            except psycopg2.Error as exc:
                # any database error is kept for the assertions below
                cr.rollback()
                outcome["claimed"] = exc
            finally:
                cr.close()

        first = self.db.cursor()
        try:
            self.assertEqual(self._claim(first, 0), 1)
            thread = threading.Thread(target=second_worker)
            thread.start()
            self.assertTrue(
                self._waits_on_lock(outcome), "the second worker did not wait"
            )
            first.commit()  # pylint: disable=invalid-commit
        finally:
            first.close()
        thread.join(30)
        self.assertFalse(thread.is_alive())
        # under REPEATABLE READ the second worker fails to serialize (Odoo
        # retries it) or, at most, claims nothing: never the occasion again
        self.assertIn(type(outcome["claimed"]), (errors.SerializationFailure, int))
        if isinstance(outcome["claimed"], int):
            self.assertEqual(outcome["claimed"], 0)
        with self.db.cursor() as cr:
            self.assertEqual(self._claim(cr, 2), 0)
            cr.execute(
                "SELECT count(*) FROM lp_trigger_message WHERE trigger_id = %s",
                [self.ids[3]],
            )
            self.assertEqual(cr.fetchone()[0], 1)
