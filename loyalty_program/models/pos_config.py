from odoo import models

SPECIAL = (
    "loyalty_program.product_lp_points_discount",
    "loyalty_program.product_lp_offer_discount",
)


class PosConfig(models.Model):
    _inherit = "pos.config"

    def _get_special_products(self):
        """The points discount and offer discount products are loaded in
        every till (hidden from the product list) so that spending and
        offers can add their discount lines."""
        products = self.env["product.product"]
        for xmlid in SPECIAL:
            products |= self.env.ref(xmlid, raise_if_not_found=False) or products
        return super()._get_special_products() | products

    def _load_pos_data_read(self, records, config):
        read_records = super()._load_pos_data_read(records, config)
        points_id = self.env["lp.program"]._lp_points_product_id()
        offer_id = self.env["lp.offer"]._lp_discount_product_id()
        for record in read_records:
            record["_lp_points_product_id"] = points_id or False
            record["_lp_offer_product_id"] = offer_id or False
        return read_records
