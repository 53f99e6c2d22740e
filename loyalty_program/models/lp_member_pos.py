from odoo import models


class LpMember(models.Model):
    _inherit = "lp.member"  # pylint: disable=consider-merging-classes-inherited

    def _lp_pos_info(self):
        """What the till shows about a member (meant to be extended)."""
        self.ensure_one()
        card = self.card_number or ""
        return {
            "member_id": self.id,
            "partner_id": self.partner_id.id,
            "name": self.partner_id.name,
            "program": self.program_id.name,
            "program_type": self.program_id.program_type,
            "tier": self.tier_id.name or "",
            "discount_percent": self.tier_id.discount_percent,
            "balance": self.balance,
            "pending": self.pending,
            "reserved": self.reserved,
            "expiring_points": self.expiring_points,
            "expiring_date": self.expiring_date and self.expiring_date.isoformat(),
            "card": card and "•••• " + card[-4:],
        }
