from odoo import fields, models


class LpOfferPair(models.Model):
    """Two products bought together more often than by chance, in a
    company's baskets of the last months: the rules the "goes with what
    you buy" generator offers from (item-to-item co-occurrence). Rebuilt
    each night by SQL (:meth:`lp.offer._lp_build_pairs`), read-only here so
    the manager can see why a product was offered."""

    _name = "lp.offer.pair"
    _description = "Products Bought Together"
    _order = "company_id, lift desc, id"
    _rec_name = "product_id"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    product_id = fields.Many2one(
        "product.product",
        string="Bought",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    other_id = fields.Many2one(
        "product.product",
        string="Also bought",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    baskets = fields.Integer(string="Baskets with both", readonly=True)
    confidence = fields.Float(
        string="Confidence (%)",
        digits=(16, 1),
        readonly=True,
        help="Of the baskets holding the first product, the share also holding "
        "the second.",
    )
    lift = fields.Float(
        digits=(16, 2),
        readonly=True,
        help="Confidence over the share of all baskets holding the second "
        "product: above 1, bought together more often than by chance.",
    )
    rank = fields.Integer(
        readonly=True, help="1 for the product's best pair (lift x confidence), 2..."
    )
    other_price = fields.Monetary(
        string="Usual price", readonly=True, help="Of the second product, per unit."
    )

    _pair_index = models.Index("(company_id, product_id)")
