from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestTierWindowJob(LoyaltyCase):
    """The nightly tier job reads the ledger's tier window once, then sets
    the members' tier-period spend and tiers batch by batch, counting what
    was posted after its scan."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["lp.member"].create(
            {
                "partner_id": cls.env["res.partner"].create({"name": "Boris"}).id,
                "program_id": cls.program.id,
            }
        )

    def window_table_exists(self):
        self.env.cr.execute("SELECT to_regclass('lp_tier_window')")
        return bool(self.env.cr.fetchone()[0])

    def test_window_read_once_applied_per_batch(self):
        window = self.program.tier_window_days
        old = fields.Datetime.now() - timedelta(days=window + 10)
        self.member._earn(50000.0, source_key="old", date=old)
        self.member._earn(40000.0, source_key="recent")
        self.other._earn(120000.0, source_key="big")
        # Stored figures gone astray (the posting path only adds).
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE lp_member SET window_spend = 999999 WHERE id IN %s",
            [(self.member.id, self.other.id)],
        )
        self.env["lp.member"].invalidate_model(["window_spend"])
        self.env["lp.member"]._cron_reevaluate_tiers(batch_size=1)
        self.assertEqual(self.member.window_spend, 40000.0)
        self.assertEqual(self.member.tier_id, self.tier_silver)
        self.assertEqual(self.other.window_spend, 120000.0)
        self.assertEqual(self.other.tier_id, self.tier_gold)
        self.assertFalse(self.window_table_exists())
        self.assertConsistent(self.member)

    def test_entries_posted_after_the_scan_count(self):
        Member = self.env["lp.member"]
        self.member._earn(40000.0, source_key="before")
        now = fields.Datetime.now()
        last_entry = Member._scan_tier_window(now)
        # A till posts a purchase while the job runs.
        self.member._earn(70000.0, source_key="during")
        low, high = (
            min(self.member.id, self.other.id),
            max(self.member.id, self.other.id),
        )
        changed = Member._apply_tier_window(low, high + 1, last_entry, now)
        self.assertEqual(self.member.window_spend, 110000.0)
        self.assertEqual(self.other.window_spend, 0.0)
        self.assertEqual(changed, 0, "the posting path had already added both")
        Member._reevaluate_tiers([self.member.id])
        self.assertEqual(self.member.tier_id, self.tier_gold)
        history = self.member.tier_history_ids.sorted("id")[-1:]
        self.assertEqual(history.new_tier_id, self.tier_gold)
