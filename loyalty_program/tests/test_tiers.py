from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestTiers(LoyaltyCase):
    def test_new_member_starts_in_base_tier(self):
        self.assertEqual(self.member.tier_id, self.tier_base)
        self.assertEqual(self.member.tier_history_ids.reason, "initial")

    def test_upgrade_at_once_with_history(self):
        self.member._earn(20000.0, source_key="a")
        self.assertEqual(self.member.tier_id, self.tier_base)
        self.assertEqual(self.member.next_tier_id, self.tier_silver)
        self.assertEqual(self.member.next_tier_missing, 10000.0)
        self.member._earn(15000.0, source_key="b")
        self.assertEqual(self.member.tier_id, self.tier_silver)
        history = self.member.tier_history_ids.sorted("id")[-1]
        self.assertEqual(
            (history.old_tier_id, history.new_tier_id, history.reason),
            (self.tier_base, self.tier_silver, "upgrade"),
        )
        # The silver rate applies to the next purchase: 7% of 1000.
        self.assertEqual(self.member._earn(1000.0, source_key="c").amount, 70.0)

    def test_refund_does_not_downgrade_until_nightly(self):
        earn = self.member._earn(40000.0, source_key="big")
        self.assertEqual(self.member.tier_id, self.tier_silver)
        earn._reverse(ratio=1.0, source_key="refund")
        self.assertEqual(self.member.window_spend, 0.0)
        self.assertEqual(self.member.tier_id, self.tier_silver)
        changed = self.env["lp.member"]._reevaluate_tiers([self.member.id])
        self.assertEqual(changed, 1)
        self.assertEqual(self.member.tier_id, self.tier_base)
        self.assertEqual(
            self.member.tier_history_ids.sorted("id")[-1].reason, "downgrade"
        )

    def test_nightly_rolls_the_window(self):
        old = fields.Datetime.now() - timedelta(days=400)
        self.member._earn(50000.0, source_key="old", date=old)
        self.assertEqual(self.member.tier_id, self.tier_silver)
        self.env["lp.member"]._recompute_window_spend([self.member.id])
        self.assertEqual(self.member.window_spend, 0.0)
        self.env["lp.member"]._reevaluate_tiers([self.member.id])
        self.assertEqual(self.member.tier_id, self.tier_base)
        # Idempotent: a second run changes nothing.
        self.assertEqual(self.env["lp.member"]._reevaluate_tiers([self.member.id]), 0)

    def test_discount_program_tracks_spend_without_points(self):
        program = self.env["lp.program"].create(
            {"name": "Discount Club", "program_type": "discount", "card_prefix": "28"}
        )
        base = self.env["lp.tier"].create(
            {
                "name": "5%",
                "program_id": program.id,
                "threshold": 0,
                "discount_percent": 5,
            }
        )
        ten = self.env["lp.tier"].create(
            {
                "name": "10%",
                "program_id": program.id,
                "threshold": 5000,
                "discount_percent": 10,
            }
        )
        member = self.env["lp.member"].create(
            {"partner_id": self.partner.id, "program_id": program.id}
        )
        self.assertEqual(member.tier_id, base)
        entry = member._earn(6000.0, source_key="d1")
        self.assertEqual(entry.amount, 0.0)
        self.assertEqual(member.balance + member.pending, 0.0)
        self.assertEqual(member.tier_id, ten)
