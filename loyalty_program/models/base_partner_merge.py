from odoo import models
from odoo.tools import SQL


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _merge_bank_accounts(self, src_partners, dst_partner):
        """Before the partners' foreign keys move: merge loyalty memberships
        (see :meth:`lp.member._merge_memberships`) and drop the merged-away
        contacts' statistics rows (one row per customer and company: they
        are computed again for the kept contact after the merge)."""
        self.env["lp.member"].sudo()._merge_memberships(src_partners, dst_partner, self)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "DELETE FROM lp_customer_stats WHERE partner_id IN %s",
                tuple(src_partners.ids),
            )
        )
        self.env["lp.customer.stats"].invalidate_model()
        return super()._merge_bank_accounts(src_partners, dst_partner)

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        res = super()._merge(partner_ids, dst_partner, extra_checks)
        kept = self.env["res.partner"].browse(partner_ids).exists()
        if len(kept) == 1:
            self.env["lp.customer.stats"]._refresh_partners(kept.ids)
        return res
