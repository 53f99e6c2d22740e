from odoo import models
from odoo.exceptions import AccessError, UserError


class LpLedger(models.Model):
    """A bonus credit's gift certificate: printed, or mailed to the member."""

    _inherit = "lp.ledger"  # pylint: disable=consider-merging-classes-inherited

    def _lp_check_certificate(self):
        if not self.env.user.has_group("loyalty_program.group_lp_user"):
            raise AccessError(
                self.env._("Only loyalty users can issue gift certificates.")
            )
        self.check_access("read")
        self.env["report.loyalty_program.report_gift_certificate"]._check_certifiable(
            self
        )

    def action_print_gift_certificate(self):
        self._lp_check_certificate()
        return self.env.ref(
            "loyalty_program.action_report_gift_certificate"
        ).report_action(self)

    def action_send_gift_certificate(self):
        """Mail each entry's certificate to its member (template
        ``mail_template_lp_gift_certificate``, the certificate attached) and
        note it on the member."""
        self._lp_check_certificate()
        template = self.env.ref("loyalty_program.mail_template_lp_gift_certificate")
        for entry in self:
            if not entry.partner_id.email:
                raise UserError(
                    self.env._(
                        "%(customer)s has no email address.",
                        customer=entry.partner_id.display_name,
                    )
                )
            template.sudo().send_mail(entry.id)
            entry.member_id.sudo().message_post(
                body=self.env._(
                    "Gift certificate for %(points)s points sent to %(email)s.",
                    points=entry.amount,
                    email=entry.partner_id.email,
                )
            )
        return True
