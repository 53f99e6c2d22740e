from odoo import models

from ..tools import tiers
from .lp_ledger import POSTING


class LpMember(models.Model):
    """Tiers after a posting: an upgrade at once when the spend crosses a
    threshold (downgrades wait for the nightly re-evaluation), from the
    program's tiers kept per worker (``lp.program._lp_tier_levels``)."""

    _inherit = "lp.member"  # pylint: disable=consider-merging-classes-inherited

    def _after_posting(self, entries=None):
        """Upgrade at once when the spend crosses a threshold (downgrades wait
        for the nightly re-evaluation). ``entries``: what was just posted
        (None: unknown, e.g. after a merge of memberships)."""
        for member in self:
            levels = member._tier_levels()
            target = tiers.tier_for(levels, member.window_spend)
            threshold = {level.id: level.threshold for level in levels}
            if target and threshold[target] > threshold.get(member.tier_id.id, 0.0):
                member._set_tier(self.env["lp.tier"].browse(target), "upgrade")

    def _tier_levels(self):
        """The program's tiers as :class:`~..tools.tiers.Level` (kept per
        worker, see ``lp.program._lp_tier_levels``)."""
        self.ensure_one()
        program = self.program_id
        return [
            tiers.Level(tier_id, threshold)
            for tier_id, threshold, _rate in program._lp_tier_levels(program.id)
        ]

    def _target_tier(self):
        self.ensure_one()
        tier_id = tiers.tier_for(self._tier_levels(), self.window_spend)
        return self.env["lp.tier"].browse(tier_id)

    def _assign_initial_tier(self):
        for member in self.filtered(lambda m: not m.tier_id):
            target = member._target_tier()
            if target:
                member._set_tier(target, "initial")

    def _set_tier(self, tier, reason):
        self.ensure_one()
        if tier == self.tier_id:
            return
        self.env["lp.tier.history"].sudo().create(
            {
                "member_id": self.id,
                "old_tier_id": self.tier_id.id,
                "new_tier_id": tier.id,
                "reason": reason,
                "window_spend": self.window_spend,
            }
        )
        self.sudo().with_context(lp_posting=POSTING).write({"tier_id": tier.id})
