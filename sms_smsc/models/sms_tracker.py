from odoo import fields, models

from ..tools import smsc


class SmsTracker(models.Model):
    _inherit = "sms.tracker"

    sms_smsc_key = fields.Char(
        "SMSC message",
        readonly=True,
        index="btree_not_null",
        help="Company, SMSC message id and phone: what SMSC's delivery reports name.",
    )
    # The price the provider reported for this SMS, in the company's
    # currency. A provider-neutral name: loyalty_program (or any reader)
    # counts it instead of a flat price per part, and any provider addon
    # may declare and fill the same field.
    sms_price = fields.Float(
        "Provider price", readonly=True, digits=(16, 4), aggregator="sum"
    )

    def _smsc_update(self, status, error=None):
        """Apply an SMSC delivery report (``status`` code, ``error`` code
        of the operator) to the notifications and traces of these SMS."""
        state, provider_error = smsc.report(status)
        if not state:
            return False
        if provider_error:
            reason = self.env._(
                "SMSC status %(status)s, error %(error)s",
                status=status,
                error=error or "-",
            )
            self.with_context(
                sms_known_failure_reason=reason
            )._action_update_from_provider_error(provider_error)
        else:
            self._action_update_from_sms_state(state)
        return True
