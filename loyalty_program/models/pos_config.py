from odoo import models


class PosConfig(models.Model):
    _inherit = "pos.config"

    def _get_special_products(self):
        """The points discount product is loaded in every till (hidden from
        the product list) so that spending can add its discount lines."""
        points_product = self.env.ref(
            "loyalty_program.product_lp_points_discount", raise_if_not_found=False
        )
        return super()._get_special_products() | (
            points_product or self.env["product.product"]
        )

    def _load_pos_data_read(self, records, config):
        read_records = super()._load_pos_data_read(records, config)
        points_product = self.env.ref(
            "loyalty_program.product_lp_points_discount", raise_if_not_found=False
        )
        for record in read_records:
            record["_lp_points_product_id"] = (
                points_product.id if points_product else False
            )
        return read_records
