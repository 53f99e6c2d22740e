from odoo import api, fields, models


class PosOrderLine(models.Model):
    _inherit = "pos.order.line"

    lp_offer_ref = fields.Integer(
        string="Offer row",
        copy=False,
        help="Technical: on an offer discount line, the offer made to the "
        "customer (lp.offer.member) the till applied.",
    )

    @api.model
    def _load_pos_data_fields(self, config):
        return [*super()._load_pos_data_fields(config), "lp_offer_ref"]

    def _lp_amount(self):
        """What the line really charges, tax included: negative for goods
        returned and for a points discount. The 19.0 till stores the lines of
        a refund order with the document's sign (a returned item positive),
        the server's own refunds store them negative: the sign comes from
        quantity and price, which are unambiguous."""
        self.ensure_one()
        sign = -1 if self.qty * self.price_unit < 0 else 1
        return sign * abs(self.price_subtotal_incl)

    def _lp_refunded_value(self):
        """What this refund line gives back, valued at the refunded line's
        price (tax included): the till may send refund amounts with either
        sign, the quantities are unambiguous."""
        self.ensure_one()
        original = self.refunded_orderline_id
        if not original or not original.qty:
            return 0.0
        share = min(1.0, abs(self.qty) / abs(original.qty))
        return original.price_subtotal_incl * share
