from odoo import fields, models


class LpConsentEvent(models.Model):
    """Audit trail of a customer's consent to be contacted, per channel."""

    _name = "lp.consent.event"
    _description = "Marketing Consent Event"
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade", readonly=True
    )
    channel = fields.Selection(
        [("email", "Email"), ("sms", "SMS"), ("bot", "Messenger bot")],
        required=True,
        readonly=True,
    )
    granted = fields.Boolean(readonly=True)
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    source = fields.Selection(
        [
            ("backend", "Backend"),
            ("pos", "Point of Sale"),
            ("portal", "Portal"),
            ("sale", "Sales"),
            ("import", "Import"),
            ("unsubscribe", "Unsubscribe link"),
            ("bot", "Messenger bot"),
        ],
        default="backend",
        required=True,
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users", default=lambda self: self.env.uid, readonly=True
    )
    note = fields.Char(readonly=True)
