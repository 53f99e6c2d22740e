from odoo import models
from odoo.exceptions import AccessError


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    def _lp_portal_set_consent(self, email, sms):
        """The customer changes their own consent per channel from the
        personal account; each change goes to the audit trail with the
        source "portal"."""
        self.ensure_one()
        if self != self.env.user.partner_id:
            raise AccessError(self.env._("Customers change their own consent only."))
        self.sudo().with_context(lp_consent_source="portal").write(
            {"lp_consent_email": bool(email), "lp_consent_sms": bool(sms)}
        )
