from odoo import fields, models


class BarcodeRule(models.Model):
    _inherit = "barcode.rule"

    type = fields.Selection(
        selection_add=[("lp_card", "Loyalty card")],
        ondelete={"lp_card": "set default"},
    )
