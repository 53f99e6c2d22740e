import threading
import time

from psycopg2 import errors

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.modules.registry import Registry
from odoo.orm.environments import Transaction
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from ..tools import offers


@tagged("post_install", "-at_install")
class TestOfferConcurrency(BaseCase):
    """Two tills use a one-use offer at once, on two real database
    connections: the first gets it; the second, whose snapshot was taken
    before the first committed, waits on the offer row's lock and then
    fails to serialize (REPEATABLE READ), and its retry (Odoo's, or the
    till's deferred posting) finds the offer used. The same for an offer
    with one use in all, used by two customers at once."""

    def setUp(self):
        super().setUp()
        self.db = sql_db.db_connect(get_db_name())
        self.test_registry = Registry(get_db_name())
        with self.db.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            program = env["lp.program"].create(
                {"name": "Offer race", "hold_days": 0, "card_prefix": "29"}
            )
            partners = env["res.partner"].create(
                [{"name": "Till One"}, {"name": "Till Two"}]
            )
            members = env["lp.member"].create(
                [{"partner_id": p.id, "program_id": program.id} for p in partners]
            )
            product = env["product.product"].create({"name": "Race coffee"})
            once = env["lp.offer"].create(
                {
                    "name": "Once",
                    "program_id": program.id,
                    "audience": "personal",
                    "reward_type": "points",
                    "reward_value": 50.0,
                    "uses_per_customer": 1,
                    "control_percent": 0.0,
                    "state": "running",
                }
            )
            env["lp.offer.member"].create(
                {"offer_id": once.id, "member_id": members[0].id}
            )
            scarce = env["lp.offer"].create(
                {
                    "name": "One in all",
                    "program_id": program.id,
                    "audience": "everyone",
                    "reward_type": "points",
                    "reward_value": 30.0,
                    "uses_per_customer": 0,
                    "max_uses": 1,
                    "control_percent": 0.0,
                    "state": "running",
                }
            )
            scarce._lp_fill_audience()
            self.ids = {
                "program": program.id,
                "partners": partners.ids,
                "members": members.ids,
                "product": product.id,
                "once": once.id,
                "scarce": scarce.id,
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        ids = self.ids
        members = tuple(ids["members"])
        with self.db.cursor() as cr:
            cr.execute("DELETE FROM lp_offer_use WHERE member_id IN %s", [members])
            cr.execute("DELETE FROM lp_offer WHERE program_id = %s", [ids["program"]])
            cr.execute(
                "DELETE FROM lp_ledger_allocation WHERE debit_id IN "
                "(SELECT id FROM lp_ledger WHERE member_id IN %s)",
                [members],
            )
            cr.execute("DELETE FROM lp_ledger WHERE member_id IN %s", [members])
            cr.execute("DELETE FROM lp_tier_history WHERE member_id IN %s", [members])
            cr.execute("DELETE FROM lp_member WHERE id IN %s", [members])
            cr.execute("DELETE FROM lp_program WHERE id = %s", [ids["program"]])
            cr.execute(
                "DELETE FROM res_partner WHERE id IN %s", [tuple(ids["partners"])]
            )
            cr.execute(
                "DELETE FROM product_template WHERE id IN "
                "(SELECT product_tmpl_id FROM product_product WHERE id = %s)",
                [ids["product"]],
            )

    def _use(self, cr, member_index, key, offer):
        """What a till's posting does: lock the member, apply its offers."""
        if cr.transaction is None:
            cr.transaction = Transaction(self.test_registry)
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        member = env["lp.member"].browse(self.ids["members"][member_index])
        member._lock_for_posting()
        source = env["res.partner"].browse(self.ids["partners"][member_index])
        lines = [offers.Line(1, self.ids["product"], frozenset(), 1.0, 100.0)]
        applied, _refused = env["lp.offer.member"]._lp_apply(
            member,
            source,
            key,
            lines,
            fields.Datetime.now(),
            "pos",
            lambda matched: 0.0,
        )
        return [r.points for r in applied if r.row.offer_id == self.ids[offer]]

    def _race(self, first, second):
        """Run ``first(cr)`` and, while it holds its locks, ``second(cr)`` on
        another connection whose snapshot is older than the first's commit.
        Returns what the second got: its result or the exception."""
        outcome = {}

        def second_till():
            cr = self.db.cursor()
            try:
                cr.execute("SET lock_timeout = '20s'")
                cr.execute("SELECT 1")  # the snapshot is taken now
                outcome["ready"] = True
                outcome["result"] = second(cr)
                cr.commit()  # pylint: disable=invalid-commit
            except (errors.SerializationFailure, errors.LockNotAvailable) as exc:
                cr.rollback()
                outcome["result"] = exc
            finally:
                cr.close()

        cr = self.db.cursor()
        try:
            outcome["first"] = first(cr)
            thread = threading.Thread(target=second_till)
            thread.start()
            time.sleep(1.0)
            self.assertTrue(outcome.get("ready"))
            self.assertTrue(thread.is_alive(), "the second till did not wait")
            cr.commit()  # pylint: disable=invalid-commit
        finally:
            cr.close()
        thread.join(30)
        self.assertFalse(thread.is_alive())
        return outcome["first"], outcome["result"]

    def _entries(self):
        with self.db.cursor() as cr:
            cr.execute(
                "SELECT COALESCE(SUM(amount), 0), COUNT(*) FROM lp_ledger "
                "WHERE member_id IN %s AND kind = 'offer'",
                [tuple(self.ids["members"])],
            )
            return cr.fetchone()

    @mute_logger("odoo.sql_db")
    def test_one_use_offer_at_two_tills(self):
        first, second = self._race(
            lambda cr: self._use(cr, 0, "pos.order:till-1", "once"),
            lambda cr: self._use(cr, 0, "pos.order:till-2", "once"),
        )
        self.assertEqual(first, [50.0])
        self.assertIsInstance(second, errors.SerializationFailure)
        # The retry sees the offer used: nothing more.
        with self.db.cursor() as cr:
            self.assertEqual(self._use(cr, 0, "pos.order:till-2", "once"), [])
        points, count = self._entries()
        self.assertEqual((float(points), count), (50.0 + 30.0, 2))
        with self.db.cursor() as cr:
            cr.execute(
                "SELECT use_count, state FROM lp_offer_member WHERE offer_id = %s",
                [self.ids["once"]],
            )
            self.assertEqual(cr.fetchall(), [(1, "used")])

    @mute_logger("odoo.sql_db")
    def test_one_use_in_all_for_two_customers_at_once(self):
        first, second = self._race(
            lambda cr: self._use(cr, 0, "pos.order:till-1", "scarce"),
            lambda cr: self._use(cr, 1, "pos.order:till-2", "scarce"),
        )
        self.assertEqual(first, [30.0])
        self.assertIsInstance(second, errors.SerializationFailure)
        with self.db.cursor() as cr:
            self.assertEqual(self._use(cr, 1, "pos.order:till-2", "scarce"), [])
            cr.execute(
                "SELECT use_count FROM lp_offer WHERE id = %s", [self.ids["scarce"]]
            )
            self.assertEqual(cr.fetchone()[0], 1)
