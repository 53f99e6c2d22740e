from odoo import api, fields, models
from odoo.exceptions import UserError


class LpOfferUse(models.Model):
    """One order that used an offer made to a customer: what matched, the
    points credited (its ``offer`` ledger entry) and the money discount
    given. Written by the posting of the order only (SQL, in
    ``lp_offer_apply.py``), once per row and order (``key``); a refund takes
    back the points of the goods it returns."""

    _name = "lp.offer.use"
    _description = "Offer Used by an Order"
    _order = "date desc, id desc"
    _rec_name = "offer_id"

    offer_member_id = fields.Many2one(
        "lp.offer.member", required=True, index=True, ondelete="cascade", readonly=True
    )
    offer_id = fields.Many2one(
        related="offer_member_id.offer_id", store=True, index=True, precompute=True
    )
    member_id = fields.Many2one(
        related="offer_member_id.member_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(related="member_id.partner_id")
    company_id = fields.Many2one(
        related="offer_member_id.company_id", store=True, precompute=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    generator = fields.Selection(
        related="offer_member_id.generator", store=True, precompute=True
    )
    key = fields.Char(required=True, readonly=True, help="The order's posting key.")
    channel = fields.Selection(
        [("pos", "Till"), ("sale", "Sales order")], required=True, readonly=True
    )
    res_model = fields.Char(readonly=True)
    res_id = fields.Many2oneReference(model_field="res_model", readonly=True)
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    matched_amount = fields.Monetary(
        readonly=True, help="The matching goods of the order, tax included."
    )
    line_refs = fields.Char(
        readonly=True, help="Technical: ids of the order lines that matched."
    )
    points = fields.Float(digits=(16, 2), readonly=True)
    discount = fields.Monetary(readonly=True, help="Money taken off by the offer.")
    label = fields.Char(readonly=True)
    entry_id = fields.Many2one("lp.ledger", string="Ledger entry", readonly=True)
    points_reversed = fields.Float(
        digits=(16, 2), compute="_compute_points_reversed", string="Points taken back"
    )

    _key_unique = models.Constraint(
        "UNIQUE(offer_member_id, key)", "An order uses an offer once."
    )
    _source_index = models.Index("(res_model, res_id)")

    @api.depends("entry_id")
    def _compute_points_reversed(self):
        for use in self:
            use.points_reversed = -sum(use.entry_id.reversal_ids.mapped("amount"))

    @api.model_create_multi
    def create(self, vals_list):
        if vals_list:
            raise UserError(
                self.env._("Offers are used by orders, never recorded by hand.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            raise UserError(self.env._("The use of an offer cannot be changed."))
        return super().write(vals)

    def _lp_line_ids(self):
        self.ensure_one()
        return [int(ref) for ref in (self.line_refs or "").split(",") if ref]
