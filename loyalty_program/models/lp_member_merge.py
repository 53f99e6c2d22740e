from odoo import api, models
from odoo.tools import SQL


class LpMember(models.Model):
    _inherit = "lp.member"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _merge_memberships(self, src_partners, dst_partner, wizard):
        """Called by the contact merge (``wizard``) before it moves the
        partners' foreign keys. Where the merged contacts hold several
        memberships of one program, one survives (the kept contact's, unless
        it is closed and another is not) and takes over the others' ledger
        entries, open reservations, cards, tier history and chatter; balances
        are added up, nothing is lost. Other memberships follow the contact
        as usual. Every surviving membership records the merge."""
        partners = src_partners | dst_partner
        members = self.with_context(active_test=False).search(
            [("partner_id", "in", partners.ids)]
        )
        for program in members.program_id:
            group = members.filtered(lambda m, p=program: m.program_id == p)
            survivor = min(
                group,
                key=lambda m: (m.state == "closed", m.partner_id != dst_partner, m.id),
            )
            for absorbed in group - survivor:
                survivor._absorb(absorbed, wizard)
            survivor._lp_log(
                self.env._(
                    "Contacts %(sources)s merged into %(kept)s, who holds this "
                    "membership from now on: balance %(balance)s, pending "
                    "%(pending)s.",
                    sources=", ".join(src_partners.mapped("display_name")),
                    kept=dst_partner.display_name,
                    balance=survivor.balance,
                    pending=survivor.pending,
                )
            )

    def _absorb(self, absorbed, wizard):
        """Move everything of the membership ``absorbed`` to this one and
        delete it. An event both posted (a birthday bonus of the same year)
        keeps both entries: the moved one gets a key of its own."""
        self.ensure_one()
        (self | absorbed)._lock_for_posting()
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                UPDATE lp_ledger a
                   SET source_key = a.source_key || ':merged:' || a.member_id
                 WHERE a.member_id = %(src)s AND a.source_key IS NOT NULL
                   AND EXISTS (SELECT 1 FROM lp_ledger b
                                WHERE b.member_id = %(dst)s AND b.kind = a.kind
                                  AND b.source_key = a.source_key);
                UPDATE lp_ledger SET member_id = %(dst)s, partner_id = %(partner)s
                 WHERE member_id = %(src)s;
                -- An order holding points of both: one reservation, the points
                -- added up when both are open, else the open one kept.
                UPDATE lp_reservation t
                   SET points = t.points + s.points
                  FROM lp_reservation s
                 WHERE t.member_id = %(dst)s AND s.member_id = %(src)s
                   AND s.key = t.key AND s.state = 'reserved' AND t.state = 'reserved';
                DELETE FROM lp_reservation t
                 USING lp_reservation s
                 WHERE t.member_id = %(dst)s AND s.member_id = %(src)s
                   AND s.key = t.key AND s.state = 'reserved' AND t.state <> 'reserved';
                DELETE FROM lp_reservation s
                 USING lp_reservation t
                 WHERE t.member_id = %(dst)s AND s.member_id = %(src)s
                   AND s.key = t.key;
                UPDATE lp_reservation SET member_id = %(dst)s WHERE member_id = %(src)s;
                UPDATE lp_member t
                   SET balance = t.balance + s.balance,
                       pending = t.pending + s.pending,
                       window_spend = t.window_spend + s.window_spend
                  FROM lp_member s
                 WHERE t.id = %(dst)s AND s.id = %(src)s;
                UPDATE lp_member SET balance = 0, pending = 0, window_spend = 0
                 WHERE id = %(src)s;
                """,
                dst=self.id,
                src=absorbed.id,
                partner=self.partner_id.id,
            )
        )
        self.env.invalidate_all()
        self._lp_absorb_phones(absorbed)
        # Cards, tier history, POS orders, chatter and whatever else points
        # to the membership: Odoo's own merge machinery, by SQL.
        wizard._update_foreign_keys_generic("lp.member", absorbed, self)
        wizard._update_reference_fields_generic("lp.member", absorbed, self)
        self.env.invalidate_all()
        self._lp_log(
            self.env._(
                "Membership of %(partner)s (%(state)s) merged into this one: its "
                "ledger, reservations, cards and balance now belong here.",
                partner=absorbed.partner_id.display_name,
                state=dict(self._fields["state"]._description_selection(self.env))[
                    absorbed.state
                ],
            )
        )
        absorbed.unlink()
        self._after_posting()
