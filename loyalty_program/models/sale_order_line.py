from odoo import fields, models
from odoo.fields import Domain
from odoo.tools import float_compare


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    lp_is_points_line = fields.Boolean(
        string="Bonus points line",
        readonly=True,
        help="A discount paid with bonus points: it earns nothing and points "
        "cannot pay for it.",
    )
    lp_discount_percent = fields.Float(
        string="Tier discount (%)",
        digits="Discount",
        compute="_compute_discount",
        store=True,
        precompute=True,
        readonly=True,
        help="The loyalty tier discount in this line's discount, if any.",
    )

    # Points lines keep what the points wizard gave them

    def _compute_name(self):
        return super(SaleOrderLine, self - self._lp_points())._compute_name()

    def _compute_tax_ids(self):
        return super(SaleOrderLine, self - self._lp_points())._compute_tax_ids()

    def _compute_discount(self):
        points = self._lp_points()
        others = self - points
        res = super(SaleOrderLine, others)._compute_discount()
        for line in points:
            line.lp_discount_percent = 0.0
        others._lp_apply_tier_discount()
        return res

    def _lp_points(self):
        return self.filtered("lp_is_points_line")

    # CRUD

    def unlink(self):
        """Removing a points line removes its siblings (one per tax group) and
        releases the points the quotation held."""
        orders = self._lp_points().order_id
        lines = self | orders.order_line._lp_points()
        res = super(SaleOrderLine, lines).unlink()
        if not self.env.context.get("lp_keep_reservation"):
            for order in orders.exists().filtered(
                lambda o: o.state in ("draft", "sent")
            ):
                order._lp_release()
                order.lp_points_spent = 0.0
        return res

    # Hooks of sale

    def _can_be_invoiced_alone(self):
        return super()._can_be_invoiced_alone() and not self.lp_is_points_line

    def _is_discount_line(self):
        return super()._is_discount_line() or self.lp_is_points_line

    def _sellable_lines_domain(self):
        return Domain(super()._sellable_lines_domain()) & Domain(
            "lp_is_points_line", "=", False
        )

    def _can_be_edited_on_portal(self):
        return super()._can_be_edited_on_portal() and not self.lp_is_points_line

    # Tier discount

    def _lp_tier_discount_applies(self, program):
        """Whether the tier discount applies to this line: a product line that
        points could pay for (the spending exclusions hold for discounts
        too). Meant to be overridden."""
        self.ensure_one()
        return bool(
            self.product_id
            and not self.display_type
            and not self.is_downpayment
            and not self.lp_is_points_line
            and not self._is_global_discount()
            and not self._is_discount_line()
            and not program._is_excluded(self.product_id, "spend")
        )

    def _lp_apply_tier_discount(self):
        """Put the member's tier discount on the lines, visibly in their
        ``discount``: the higher of the line's own discount and the tier's.
        Applying it again (another tier, another customer) replaces the
        previous tier discount."""
        for line in self:
            if line.lp_is_points_line or line.display_type:
                if line.lp_discount_percent:
                    line.lp_discount_percent = 0.0
                continue
            member = line.order_id.lp_member_id
            percent = 0.0
            if member and line._lp_tier_discount_applies(member.program_id):
                percent = member.tier_id.discount_percent
            previous = line.lp_discount_percent
            if not percent and not previous:
                continue
            own = line.discount
            if previous and not float_compare(own, previous, precision_digits=6):
                own = 0.0
            discount, mine = (percent, percent) if percent > own else (own, 0.0)
            if float_compare(line.discount, discount, precision_digits=6):
                line.discount = discount
            if float_compare(line.lp_discount_percent, mine, precision_digits=6):
                line.lp_discount_percent = mine
