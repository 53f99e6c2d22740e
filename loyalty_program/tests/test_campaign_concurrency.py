import threading
import time
from datetime import timedelta

import psycopg2
from psycopg2 import errors

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.modules.registry import Registry
from odoo.orm.environments import Transaction
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestCampaignTwoSchedulers(BaseCase):
    """Two managers schedule two campaigns to the same customer at once, on
    two real database connections, with a cap of one message: the second
    waits for the first, fails to serialize (Odoo retries it), and its
    retry sees the first campaign's message: the customer is capped."""

    def setUp(self):
        super().setUp()
        self.db = sql_db.db_connect(get_db_name())
        self.test_registry = Registry(get_db_name())
        with self.db.cursor() as cr:
            env = self._env(cr)
            config = env["lp.campaign.config"]._for_company(env.company)
            self.saved = config.read(["cap_messages", "cap_days", "tz"])[0]
            config.write({"cap_messages": 1, "cap_days": 7, "tz": "Europe/Moscow"})
            program = env["lp.program"].create(
                {"name": "Two schedulers", "card_prefix": "29"}
            )
            partner = env["res.partner"].create(
                {
                    "name": "Twice Asked",
                    "phone": "+79001234567",
                    "lp_consent_sms": True,
                    "tz": "Europe/Moscow",
                }
            )
            member = env["lp.member"].create(
                {"partner_id": partner.id, "program_id": program.id}
            )
            campaigns = env["lp.campaign"].create(
                [
                    {
                        "name": f"Two schedulers {index}",
                        "program_id": program.id,
                        "domain": repr([("id", "=", partner.id)]),
                        "channel": "sms",
                        "control_percent": 0.0,
                        "send_date": fields.Date.today() + timedelta(days=2),
                        "sms_body": "Hello {first_name}",
                    }
                    for index in range(2)
                ]
            )
            campaigns.action_prepare()
            self.ids = (program.id, partner.id, member.id, campaigns.ids, config.id)
        self.addCleanup(self._cleanup)

    def _env(self, cr):
        if cr.transaction is None:
            cr.transaction = Transaction(self.test_registry)
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    def _cleanup(self):
        program_id, partner_id, member_id, campaign_ids, config_id = self.ids
        with self.db.cursor() as cr:
            ids = tuple(campaign_ids)
            cr.execute(
                "SELECT campaign_id FROM mailing_mailing WHERE lp_campaign_id IN %s",
                [ids],
            )
            utm_ids = tuple({row[0] for row in cr.fetchall() if row[0]}) or (0,)
            cr.execute("DELETE FROM mailing_mailing WHERE lp_campaign_id IN %s", [ids])
            cr.execute("DELETE FROM lp_campaign WHERE id IN %s", [ids])
            cr.execute("DELETE FROM utm_campaign WHERE id IN %s", [utm_ids])
            cr.execute("DELETE FROM lp_tier_history WHERE member_id = %s", [member_id])
            cr.execute("DELETE FROM lp_member WHERE id = %s", [member_id])
            cr.execute("DELETE FROM lp_program WHERE id = %s", [program_id])
            cr.execute(
                "DELETE FROM lp_consent_event WHERE partner_id = %s", [partner_id]
            )
            cr.execute("DELETE FROM res_partner WHERE id = %s", [partner_id])
            env = self._env(cr)
            saved = {k: v for k, v in self.saved.items() if k != "id"}
            env["lp.campaign.config"].browse(config_id).write(saved)

    def _schedule(self, cr, index):
        env = self._env(cr)
        return env["lp.campaign"].browse(self.ids[3][index])._schedule()

    def _waits_on_lock(self, outcome, timeout=20.0):
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
    def test_second_scheduler_sees_the_first(self):
        outcome = {}

        def second_manager():
            cr = self.db.cursor()
            try:
                cr.execute("SELECT pg_backend_pid()")
                outcome["pid"] = cr.fetchone()[0]
                cr.execute("SET lock_timeout = '20s'")
                outcome["result"] = self._schedule(cr, 1)
                cr.commit()  # pylint: disable=invalid-commit
            except psycopg2.Error as exc:
                # any database error is kept for the assertions below
                cr.rollback()
                outcome["result"] = exc
            finally:
                cr.close()

        first = self.db.cursor()
        try:
            self.assertFalse(self._schedule(first, 0), "the first is scheduled")
            thread = threading.Thread(target=second_manager)
            thread.start()
            self.assertTrue(
                self._waits_on_lock(outcome), "the second scheduler did not wait"
            )
            first.commit()  # pylint: disable=invalid-commit
        finally:
            first.close()
        thread.join(30)
        self.assertFalse(thread.is_alive())
        self.assertIsInstance(outcome["result"], errors.SerializationFailure)
        # Odoo's retry of the second request: the customer is capped
        with self.db.cursor() as cr:
            warning = self._schedule(cr, 1)
            self.assertIn("Frequency cap: 0 → 1", warning)
            cr.execute(
                "SELECT campaign_id, state, reason FROM lp_campaign_recipient "
                "WHERE campaign_id IN %s ORDER BY campaign_id",
                [tuple(self.ids[3])],
            )
            self.assertEqual(
                cr.fetchall(),
                [
                    (self.ids[3][0], "scheduled", None),
                    (self.ids[3][1], "skipped", "capped"),
                ],
            )
            cr.rollback()
