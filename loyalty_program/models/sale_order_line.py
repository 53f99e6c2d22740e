from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import float_compare

from .sale_order import POINTS_LINES
from .sale_order_spend import POINTS_PRODUCT

# What a points line is worth: only the points wizard sets these.
POINTS_LINE_FIELDS = ("product_id", "product_uom_qty", "price_unit", "discount")


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    lp_is_points_line = fields.Boolean(
        string="Bonus points line",
        readonly=True,
        help="A discount paid with bonus points: it earns nothing and points "
        "cannot pay for it.",
    )
    lp_offer_ref = fields.Integer(
        string="Offer row",
        copy=False,
        help="Technical: on an offer discount line, the offer made to the "
        "customer (lp.offer.member) it applies.",
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

    def _lp_may_write(self):
        return self.env.context.get("lp_points_lines") is POINTS_LINES

    def _lp_points_env(self):
        return self.with_context(lp_points_lines=POINTS_LINES)

    def _lp_refuse_points_edit(self):
        raise UserError(
            self.env._(
                "Bonus points discount lines are set by the Apply Bonus Points "
                "button: remove the points or apply them again instead of "
                "editing the lines."
            )
        )

    def _lp_check_points_write(self, vals):
        """Refuse, before anything is written, a change of what a points line
        is worth, or a line turned into one or out of one."""
        product = self.env.ref(POINTS_PRODUCT, raise_if_not_found=False)
        if "lp_is_points_line" in vals and any(
            bool(vals["lp_is_points_line"]) != line.lp_is_points_line for line in self
        ):
            self._lp_refuse_points_edit()
        if (
            product
            and vals.get("product_id") == product.id
            and any(not line.lp_is_points_line for line in self)
        ):
            self._lp_refuse_points_edit()
        points = self._lp_points()
        if not points:
            return
        if "tax_ids" in vals or (
            "order_id" in vals and points.order_id.ids != [vals["order_id"]]
        ):
            self._lp_refuse_points_edit()
        for fname in POINTS_LINE_FIELDS:
            if fname not in vals:
                continue
            for line in points:
                value = line[fname]
                if fname == "product_id":
                    changed = value.id != vals[fname]
                else:
                    changed = float_compare(
                        value, vals[fname] or 0.0, precision_digits=6
                    )
                if changed:
                    self._lp_refuse_points_edit()

    @api.model_create_multi
    def create(self, vals_list):
        if not self._lp_may_write():
            product = self.env.ref(POINTS_PRODUCT, raise_if_not_found=False)
            for vals in vals_list:
                if vals.get("lp_is_points_line") or (
                    product and vals.get("product_id") == product.id
                ):
                    self._lp_refuse_points_edit()
        return super().create(vals_list)

    def write(self, vals):
        if not self._lp_may_write():
            self._lp_check_points_write(vals)
        return super().write(vals)

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
                order._lp_set_points_spent(0.0)
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
