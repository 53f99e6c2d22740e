import secrets

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

GENERATORS = [
    ("manual", "Made by hand"),
    ("due_again", "Due again"),
    ("goes_with", "Goes with what you buy"),
    ("favourite", "Favourite category"),
]
REWARDS = [
    ("multiply", "Points multiplied"),
    ("points", "Extra points (fixed)"),
    ("percent", "Extra points (% of the amount)"),
    ("discount", "Discount in money (%)"),
]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class LpOffer(models.Model):
    """A reward on a condition, for a time, for an audience.

    The condition (products or categories bought, a quantity or an amount,
    a basket above an amount, days, hours, a channel, the first purchase
    after the customer was told) and the reward (points multiplied, extra
    points, a money discount on the matching lines, capped per order and per
    customer, a limit of uses) are checked by the server when an order is
    posted (:mod:`..tools.offers`). Who may use it is stored as one
    ``lp.offer.member`` row per customer: launching an offer for everybody,
    a segment or a tier writes the rows of its audience (set-based); a
    personal offer has rows made by hand or by the nightly generators, each
    with its own product and figures. Some rows are held out as a control
    group (md5 of the seed and the customer: reproducible) to measure what
    the offer brought."""

    _name = "lp.offer"
    _description = "Loyalty Offer"
    _inherit = ["mail.thread"]
    _order = "state, sequence, id desc"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    program_id = fields.Many2one(
        "lp.program",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('program_type', '=', 'bonus')]",
        default=lambda self: self.env["lp.program"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        ),
    )
    company_id = fields.Many2one(
        related="program_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="program_id.currency_id")
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("ended", "Ended")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
        copy=False,
    )
    generator = fields.Selection(
        GENERATORS,
        default="manual",
        required=True,
        readonly=True,
        copy=False,
        help="Who makes the offer's rows: the manager, or a nightly generator "
        "that picks each customer's product from their baskets.",
    )
    audience = fields.Selection(
        [
            ("everyone", "Every member"),
            ("segment", "A segment"),
            ("tier", "Tiers"),
            ("personal", "Personal (a list of customers)"),
        ],
        default="everyone",
        required=True,
    )
    segment_id = fields.Many2one("lp.segment", ondelete="restrict")
    tier_ids = fields.Many2many("lp.tier", string="Tiers")
    # Condition
    product_ids = fields.Many2many("product.product", string="Products")
    categ_ids = fields.Many2many("product.category", string="Product categories")
    min_qty = fields.Float(string="Minimum quantity", digits="Product Unit")
    min_amount = fields.Monetary(
        string="Minimum amount", help="Of the matching products, tax included."
    )
    basket_min = fields.Monetary(
        string="Basket above", help="The order's goods, tax included."
    )
    on_mon = fields.Boolean(string="Monday", default=True)
    on_tue = fields.Boolean(string="Tuesday", default=True)
    on_wed = fields.Boolean(string="Wednesday", default=True)
    on_thu = fields.Boolean(string="Thursday", default=True)
    on_fri = fields.Boolean(string="Friday", default=True)
    on_sat = fields.Boolean(string="Saturday", default=True)
    on_sun = fields.Boolean(string="Sunday", default=True)
    hour_from = fields.Float(default=0.0, help="Local time of the order.")
    hour_to = fields.Float(
        default=24.0, help="Exclusive; before the start: runs over midnight."
    )
    channel = fields.Selection(
        [("any", "Till and sales orders"), ("pos", "Till"), ("sale", "Sales orders")],
        default="any",
        required=True,
    )
    first_purchase = fields.Boolean(
        string="First purchase after being told only",
        help="Only the customer's first purchase after the offer was made to "
        "them qualifies.",
    )
    # Reward
    reward_type = fields.Selection(REWARDS, default="multiply", required=True)
    reward_value = fields.Float(
        default=2.0,
        required=True,
        help="The factor (x2), the points, the % of the amount in points, or "
        "the % taken off in money. A personal row may set its own.",
    )
    order_cap = fields.Float(
        string="Cap per order",
        help="Most points (money for a discount) one order gets; 0: no cap.",
    )
    customer_cap = fields.Float(
        string="Cap per customer",
        help="Most points (money for a discount) one customer gets in all; 0: no cap.",
    )
    uses_per_customer = fields.Integer(
        default=1, help="How many orders of a customer may use it; 0: no limit."
    )
    max_uses = fields.Integer(
        string="Limit of uses", help="Uses in all, every customer; 0: no limit."
    )
    use_count = fields.Integer(
        string="Uses", readonly=True, copy=False, default=0, help="Orders that used it."
    )
    # Validity
    date_from = fields.Date(string="Valid from")
    date_to = fields.Date(string="Valid until")
    lifetime_days = fields.Integer(
        string="Lifetime (days)",
        default=14,
        help="A customer may use it this many days after it was made to them "
        "(0: until the offer ends).",
    )
    control_percent = fields.Float(
        string="Control group (%)",
        default=10.0,
        help="Customers held out of the offer, to measure what it brought.",
    )
    seed = fields.Char(
        default=lambda self: secrets.token_hex(4),
        copy=False,
        help="Decides who is held out (the same customers for the same seed).",
    )
    response_days = fields.Integer(
        string="Response window (days)",
        default=30,
        help="Purchases this many days after a row was made count in the "
        "results when the row has no end.",
    )
    row_ids = fields.One2many("lp.offer.member", "offer_id", string="Customers")
    row_count = fields.Integer(compute="_compute_row_count", string="Rows")
    reward_label = fields.Char(compute="_compute_reward_label", string="Reward")

    _value_positive = models.Constraint(
        "CHECK(reward_value > 0)", "The reward must be positive."
    )
    _limits_positive = models.Constraint(
        "CHECK(order_cap >= 0 AND customer_cap >= 0 AND uses_per_customer >= 0 "
        "AND max_uses >= 0 AND lifetime_days >= 0)",
        "Caps, limits and lifetimes cannot be negative.",
    )
    _control_range = models.Constraint(
        "CHECK(control_percent >= 0 AND control_percent < 100)",
        "The control group is a percentage below 100.",
    )

    def _compute_row_count(self):
        counts = dict(
            self.env["lp.offer.member"]._read_group(
                [("offer_id", "in", self.ids)], ["offer_id"], ["__count"]
            )
        )
        for offer in self:
            offer.row_count = counts.get(offer, 0)

    @api.depends("reward_type", "reward_value", "product_ids", "categ_ids")
    def _compute_reward_label(self):
        for offer in self:
            what = ", ".join(
                (offer.product_ids.mapped("name") + offer.categ_ids.mapped("name"))[:3]
            )
            offer.reward_label = offer._lp_label(offer.reward_value, what)

    @api.constrains("hour_from", "hour_to", "reward_type", "reward_value")
    def _check_terms(self):
        for offer in self:
            if not (0 <= offer.hour_from <= 24 and 0 <= offer.hour_to <= 24):
                raise ValidationError(self.env._("Hours lie between 0 and 24."))
            if offer.reward_type == "discount" and offer.reward_value > 100:
                raise ValidationError(self.env._("A discount takes at most 100% off."))
            if offer.reward_type == "multiply" and offer.reward_value <= 1:
                raise ValidationError(
                    self.env._("Points are multiplied by more than 1.")
                )

    @api.constrains("program_id", "segment_id", "tier_ids", "audience")
    def _check_audience(self):
        for offer in self:
            if offer.program_id.program_type != "bonus":
                raise ValidationError(
                    self.env._("Offers belong to a bonus points program.")
                )
            if offer.audience == "segment" and not offer.segment_id:
                raise ValidationError(self.env._("Choose the offer's segment."))
            if offer.audience == "tier" and not offer.tier_ids:
                raise ValidationError(self.env._("Choose the offer's tiers."))
            if offer.tier_ids.program_id - offer.program_id:
                raise ValidationError(
                    self.env._("The tiers belong to the offer's program.")
                )
            company = offer.segment_id.company_id
            if company and company != offer.company_id:
                raise ValidationError(
                    self.env._("The segment belongs to another company.")
                )

    # Actions

    def _check_manager(self):
        if not self.env.user.has_group("loyalty_program.group_lp_manager"):
            raise AccessError(self.env._("Only loyalty managers can run offers."))

    def action_launch(self):
        """Start the offer: its audience (every member, a segment, tiers)
        gets its rows now, the customers held out included; a personal
        offer keeps the rows it has. A generator's offer that was ended
        runs again (its generator is switched on again)."""
        self._check_manager()
        for offer in self:
            if offer.state == "running":
                continue
            if offer.state == "ended" and offer.generator == "manual":
                raise UserError(
                    self.env._("%(offer)s has ended.", offer=offer.display_name)
                )
            offer.state = "running"
            offer.sudo()._lp_fill_audience()
        return True

    def action_end(self):
        """End the offer: its rows stop applying; what was given stays."""
        self._check_manager()
        self.write({"state": "ended"})
        self.env["lp.offer.member"].sudo().search(
            [("offer_id", "in", self.ids), ("state", "=", "active")]
        ).write({"state": "cancelled"})
        return True

    @api.readonly
    def action_view_rows(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_program.action_lp_offer_member"
        )
        action["domain"] = [("offer_id", "=", self.id)]
        action["context"] = {"default_offer_id": self.id}
        return action

    # Business methods, meant to be overridden

    @api.model
    def _lp_categories_of(self, product):
        """The product's category and every parent (ids), for matching."""
        path = product.categ_id.parent_path or ""
        return frozenset(int(part) for part in path.split("/") if part)

    @api.model
    def _lp_discount_product_id(self):
        """Id of the product of offer discount lines (cached lookup of its
        XML id, no query), False when it was deleted."""
        return self.env["ir.model.data"]._xmlid_to_res_id(
            "loyalty_program.product_lp_offer_discount", raise_if_not_found=False
        )

    def _lp_label(self, value, what):
        """The reward as the customer and the cashier read it."""
        self.ensure_one()
        return self._lp_label_for(self.reward_type, value, what)

    @api.model
    def _lp_label_for(self, reward_type, value, what):
        """``reward_type`` of ``value`` on ``what``, as people read it."""
        number = f"{value:g}"
        texts = {
            "multiply": self.env._("x%(value)s points", value=number),
            "points": self.env._("+%(value)s points", value=number),
            "percent": self.env._("+%(value)s%% in points", value=number),
            "discount": self.env._("-%(value)s%%", value=number),
        }
        text = texts[reward_type]
        if what:
            return self.env._("%(reward)s on %(what)s", reward=text, what=what)
        return text
