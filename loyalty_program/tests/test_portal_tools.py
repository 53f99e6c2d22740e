import doctest

from odoo.tests import BaseCase, tagged

from ..tools import join_limits, tier_progress


@tagged("post_install", "-at_install")
class TestPortalTools(BaseCase):
    def test_doctests(self):
        for module in (tier_progress, join_limits):
            result = doctest.testmod(module)
            self.assertGreater(result.attempted, 0, module.__name__)
            self.assertEqual(result.failed, 0, module.__name__)

    def test_progress_past_the_next_threshold_before_the_upgrade(self):
        levels = [tier_progress.Level(1, 0), tier_progress.Level(2, 100)]
        # Spend already above Silver while the tier still says Base: no
        # "next tier" left to reach, the bar is full.
        progress = tier_progress.progress(levels, 1, 150, 150)
        self.assertIsNone(progress.next_id)
        self.assertEqual(progress.to_next, 0)
        self.assertEqual(progress.to_keep, 0)
