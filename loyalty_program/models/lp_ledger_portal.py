from odoo import models

MAX_PRODUCTS = 6


class LpLedger(models.Model):
    _inherit = "lp.ledger"  # pylint: disable=consider-merging-classes-inherited

    def _lp_portal_sources(self):
        """{entry id: what the personal account shows of the entry's source
        (name, date, amount, currency, products, tier_saving) or False}.
        Each source document is read once, as superuser: the entries were
        read under the customer's own rules."""
        cache = {}
        result = {}
        for entry in self.sudo():
            key = (entry.res_model, entry.res_id)
            if key not in cache:
                cache[key] = entry._lp_portal_source()
            result[entry.id] = cache[key]
        return result

    def _lp_portal_source(self):
        """The source of one entry for the personal account; hook per source
        model (``_lp_portal_source_<model with underscores>``), meant to be
        extended. Only the customer's documents (the models with a hook) are
        shown: an adjustment's source, the staff user, is not (its reason
        is)."""
        self.ensure_one()
        if not (self.res_model and self.res_id and self.res_model in self.env):
            return False
        method = getattr(
            self, "_lp_portal_source_" + self.res_model.replace(".", "_"), None
        )
        record = self.env[self.res_model].sudo().browse(self.res_id).exists()
        if not (method and record):
            return False
        values = {
            "name": record.display_name,
            "date": False,
            "amount": False,
            "currency": False,
            "products": [],
            "more_products": 0,
            "tier_saving": 0.0,
        }
        values.update(method(record))
        return values

    def _lp_portal_products(self, lines, qty_field):
        products = {}
        for line in lines:
            product = line.product_id
            products.setdefault(product, 0.0)
            products[product] += line[qty_field]
        items = [
            {"product": product, "name": product.display_name, "qty": qty}
            for product, qty in products.items()
        ]
        return {
            "products": items[:MAX_PRODUCTS],
            "more_products": max(0, len(items) - MAX_PRODUCTS),
        }

    def _lp_portal_to_program_currency(self, amount, currency, company, date):
        target = self.program_id.currency_id
        if not currency or currency == target:
            return amount
        return currency._convert(amount, target, company, date)

    def _lp_portal_source_pos_order(self, order):
        goods = order.lines - order._lp_points_lines()
        saving = 0.0
        if self.program_id.program_type == "discount":
            saving = sum(
                line.price_subtotal_incl * line.discount / (100.0 - line.discount)
                for line in goods
                if 0 < line.discount < 100
            )
        return {
            "name": order.pos_reference or order.name,
            "date": order.date_order,
            "amount": order.amount_total,
            "currency": order.currency_id,
            "tier_saving": self._lp_portal_to_program_currency(
                saving, order.currency_id, order.company_id, order.date_order
            ),
            **self._lp_portal_products(goods, "qty"),
        }

    def _lp_portal_source_sale_order(self, order):
        goods = order.order_line.filtered(
            lambda line: not line.display_type and not line.lp_is_points_line
        )
        saving = sum(
            line.price_total * line.lp_discount_percent / (100.0 - line.discount)
            for line in goods
            if line.lp_discount_percent and line.discount < 100
        )
        if order.state == "cancel":
            saving = 0.0
        return {
            "name": order.name,
            "date": order.date_order,
            "amount": order.amount_total,
            "currency": order.currency_id,
            "tier_saving": self._lp_portal_to_program_currency(
                saving, order.currency_id, order.company_id, order.date_order
            ),
            **self._lp_portal_products(goods, "product_uom_qty"),
        }

    def _lp_portal_source_account_move(self, move):
        return {
            "name": move.name,
            "date": move.invoice_date or move.date,
            "amount": -move.amount_total
            if move.move_type == "out_refund"
            else move.amount_total,
            "currency": move.currency_id,
        }
