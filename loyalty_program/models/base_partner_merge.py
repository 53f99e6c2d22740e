from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _merge_bank_accounts(self, src_partners, dst_partner):
        """Merge loyalty memberships before the partners' foreign keys move:
        see :meth:`lp.member._merge_memberships`."""
        self.env["lp.member"].sudo()._merge_memberships(src_partners, dst_partner)
        return super()._merge_bank_accounts(src_partners, dst_partner)
