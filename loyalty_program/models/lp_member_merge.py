from odoo import api, models
from odoo.tools import SQL


class LpMember(models.Model):
    _inherit = "lp.member"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _merge_memberships(self, src_partners, dst_partner):
        """Where a source partner and ``dst_partner`` are members of the same
        program, move the source membership's ledger entries, cards and tier
        history to the destination membership (no entry is lost, balances
        are recomputed from the ledger) and delete the emptied source
        membership. Other memberships follow the partner as usual."""
        sources = self.search([("partner_id", "in", src_partners.ids)])
        for source in sources:
            target = self.search(
                [
                    ("partner_id", "=", dst_partner.id),
                    ("program_id", "=", source.program_id.id),
                ],
                limit=1,
            )
            if not target:
                continue
            (source | target)._lock_for_posting()
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE lp_ledger SET member_id = %(dst)s, partner_id = %(partner)s
                     WHERE member_id = %(src)s;
                    UPDATE lp_tier_history SET member_id = %(dst)s
                     WHERE member_id = %(src)s;
                    UPDATE lp_member t
                       SET balance = t.balance + s.balance,
                           pending = t.pending + s.pending,
                           window_spend = t.window_spend + s.window_spend
                      FROM lp_member s
                     WHERE t.id = %(dst)s AND s.id = %(src)s;
                    UPDATE lp_member SET balance = 0, pending = 0, window_spend = 0
                     WHERE id = %(src)s;
                    """,
                    dst=target.id,
                    src=source.id,
                    partner=dst_partner.id,
                )
            )
            self.env.invalidate_all()
            source.card_ids.write({"member_id": target.id})
            target.message_post(
                body=self.env._(
                    "Membership of %(partner)s merged into this one: its ledger, "
                    "cards and balance now belong here.",
                    partner=source.partner_id.display_name,
                )
            )
            source.unlink()
            target._after_posting()
