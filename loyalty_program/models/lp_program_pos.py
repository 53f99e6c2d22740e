from odoo import api, fields, models
from odoo.tools import float_round


class LpProgram(models.Model):
    """What the till needs of a program, loaded once at POS start-up (never
    members or cards: those are looked up on demand)."""

    _name = "lp.program"
    _inherit = ["lp.program", "pos.load.mixin"]

    card_prefix = fields.Char(default=lambda self: self._lp_default_card_prefix())
    pos_excluded_categ_ids = fields.Many2many(
        "product.category",
        compute="_compute_pos_excluded_categ_ids",
        string="Categories excluded from spending (with subcategories)",
    )

    @api.model
    def _lp_default_card_prefix(self):
        """A prefix no other program uses (in-store EAN-13 range 20-29, not
        the 21/23 weight and price codes of the default nomenclature), so
        that card numbers stay unique across programs."""
        used = set(
            self.sudo().with_context(active_test=False).search([]).mapped("card_prefix")
        )
        for prefix in ("27", "28", "29", "26", "25", "24", "22", "20"):
            if prefix not in used:
                return prefix
        return "27"

    @api.depends("spend_excluded_categ_ids")
    def _compute_pos_excluded_categ_ids(self):
        for program in self:
            program.pos_excluded_categ_ids = (
                self.env["product.category"].search(
                    [("id", "child_of", program.spend_excluded_categ_ids.ids)]
                )
                if program.spend_excluded_categ_ids
                else False
            )

    @api.model
    def _load_pos_data_domain(self, data, config):
        return [("active", "=", True), ("company_id", "=", config.company_id.id)]

    @api.model
    def _load_pos_data_fields(self, config):
        return [
            "id",
            "name",
            "sequence",
            "program_type",
            "point_value",
            "spend_cap_percent",
            "welcome_points",
            "spend_excluded_product_ids",
            "pos_excluded_categ_ids",
            "card_prefix",
            "card_length",
        ]

    def _lp_pos_totals(self, lines):
        """(order total, part points may pay for) of the lines the till
        sends: ``[{"product_id": id, "amount": price tax included}]``. The
        points discount lines themselves are left out."""
        self.ensure_one()
        points_product_id = self._lp_points_product_id()
        products = self.env["product.product"].browse(
            {line["product_id"] for line in lines} - {points_product_id}
        )
        excluded = {
            product.id for product in products if self._is_excluded(product, "spend")
        }
        total = spendable = 0.0
        for line in lines:
            if line["product_id"] == points_product_id:
                continue
            total += line["amount"]
            if line["product_id"] not in excluded:
                spendable += line["amount"]
        return total, spendable

    def _lp_pos_spend_limit(self, member, key, lines):
        """Most points ``member`` may reserve for the till order ``key``: the
        program's cap on these lines and what other orders leave free."""
        self.ensure_one()
        total, spendable = self._lp_pos_totals(lines)
        cap = self._max_spend_points(member, total, spendable)
        free = member.balance - self.env["lp.reservation"]._reserved_points(
            member, exclude_key=key
        )
        return max(0.0, min(cap, free))

    def _lp_pos_cap_points(self, total, spendable):
        """Most points the program lets pay for goods of ``total`` of which
        ``spendable`` may be paid with points (the member's balance aside)."""
        self.ensure_one()
        if self.program_type != "bonus":
            return 0.0
        cap_money = min(total * self.spend_cap_percent / 100.0, spendable)
        return float_round(
            max(cap_money, 0.0) / self.point_value,
            precision_rounding=0.01,
            rounding_method="DOWN",
        )
