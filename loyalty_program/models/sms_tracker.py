from odoo import fields, models


class SmsTracker(models.Model):
    """The seam for the real price of an SMS: an SMS provider addon that
    knows what each SMS cost (such as ``sms_smsc``) writes it here, in the
    company's currency; campaign and trigger costs count it instead of the
    flat price per part. Declared here too (the same definition) so that
    the addon works, at the flat price, with any provider."""

    _inherit = "sms.tracker"

    sms_price = fields.Float(
        "Provider price", readonly=True, digits=(16, 4), aggregator="sum"
    )
