import io

from docutils.core import publish_string
from docutils.utils import SystemMessage

from odoo import fields
from odoo.tests import BaseCase, tagged
from odoo.tools.misc import file_open

from .. import hooks
from .stats_common import StatsCase


@tagged("post_install", "-at_install")
class TestInstallHooks(StatsCase):
    """Installed into a shop that already sells: the statistics job is
    triggered at install and fills statistics, RFM groups and segments from
    the orders made before; the uninstall deletes in an order PostgreSQL
    accepts."""

    def test_install_triggers_the_statistics_job(self):
        cron = self.env.ref("loyalty_program.cron_lp_customer_stats")
        Trigger = self.env["ir.cron.trigger"].sudo()
        before = Trigger.search([("cron_id", "=", cron.id)])
        hooks.post_init_hook(self.env)
        triggers = Trigger.search([("cron_id", "=", cron.id)]) - before
        self.assertEqual(len(triggers), 1)
        # Due now (the scheduler runs it at its next wake-up), not tonight.
        self.assertLessEqual(triggers.call_at, fields.Datetime.now())

    def test_job_fills_statistics_from_orders_made_before_install(self):
        regular = self.make_partner("Regular Before Install")
        for days in (200, 120, 60, 10):
            self.sale(regular, 80.0, days_ago=days)
        newcomer = self.make_partner("Newcomer Before Install")
        self.sale(newcomer, 45.0, days_ago=5)
        # As before the install: orders, no statistics, empty segments.
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM lp_customer_stats")
        self.env.cr.execute("DELETE FROM lp_segment_partner_rel")
        self.env.invalidate_all()
        self.assertFalse(self.stats(regular))

        # What the triggered job runs (in the test's transaction: the
        # scheduler's own cursor would wait on this test's locks).
        cron = self.env.ref("loyalty_program.cron_lp_customer_stats")
        self.assertEqual(cron.code.strip(), "model._cron_nightly()")
        self.env["lp.customer.stats"]._cron_nightly()
        self.env.invalidate_all()

        stats = self.stats(regular)
        self.assertEqual(stats.purchase_count, 4)
        self.assertAlmostEqual(stats.revenue, 320.0)
        self.assertEqual(stats.last_purchase_date, self.days(10))
        self.assertTrue(stats.rfm_score)
        self.assertEqual(self.stats(newcomer).rfm_group, "new")
        new_segment = self.env.ref("loyalty_program.segment_rfm_new")
        self.assertIn(newcomer, new_segment.partner_ids)
        self.assertNotIn(regular, new_segment.partner_ids)

    def test_uninstall_deletes_referring_rows_first(self):
        own = hooks._own_tables(self.env)
        self.assertIn("lp_ledger_allocation", own)
        self.assertNotIn("res_partner", own)
        order = hooks._deletion_order(self.env.cr, own)
        for first, then in (
            ("lp_ledger_allocation", "lp_ledger"),
            ("lp_ledger", "lp_member"),
            ("lp_card", "lp_member"),
            ("lp_member", "lp_program"),
        ):
            self.assertLess(order.index(first), order.index(then))

    def test_uninstall_keeps_customers_that_orders_refer_to(self):
        buyer = self.make_partner("Buyer Kept")
        idle = self.make_partner("Idle Deletable")
        self.sale(buyer, 10.0)
        own = hooks._own_tables(self.env)
        self.env.flush_all()
        referenced = hooks._restricting_references(
            self.env.cr, "res_partner", [buyer.id, idle.id], own
        )
        self.assertEqual(referenced, {buyer.id})


@tagged("post_install", "-at_install")
class TestReadme(BaseCase):
    """The app's description (README.rst) is clean reStructuredText: any
    docutils warning fails, as Odoo would log it when rendering the page."""

    def test_readme_renders_without_warnings(self):
        with file_open("loyalty_program/README.rst") as readme:
            source = readme.read()
        warnings = io.StringIO()
        try:
            html = publish_string(
                source=source,
                writer_name="html4css1",
                settings_overrides={
                    "halt_level": 2,
                    "report_level": 2,
                    "warning_stream": warnings,
                    "file_insertion_enabled": False,
                    "output_encoding": "unicode",
                },
            )
        except SystemMessage as error:
            self.fail(f"README.rst: {error}")
        self.assertFalse(warnings.getvalue())
        self.assertIn("Loyalty Program", html)
