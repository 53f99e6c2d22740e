from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_round

ROUNDING_METHODS = {"down": "DOWN", "half": "HALF-UP", "up": "UP"}


class LpProgram(models.Model):
    _name = "lp.program"
    _description = "Loyalty Program"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    program_type = fields.Selection(
        [("bonus", "Bonus points"), ("discount", "Discount by tier")],
        required=True,
        default="bonus",
        tracking=True,
        help="Bonus: purchases earn points that pay for later purchases.\n"
        "Discount: no points; the member's tier gives a percentage off.",
    )
    point_value = fields.Float(
        string="Value of one point",
        digits=(12, 4),
        default=1.0,
        required=True,
        help="What one point is worth, in the company currency, when spent.",
    )
    earn_rate = fields.Float(
        string="Earning rate (%)",
        default=5.0,
        help="Share of the paid amount credited as points, unless the member's "
        "tier sets its own rate.",
    )
    points_rounding = fields.Float(
        string="Points precision",
        default=1.0,
        help="Earned points are rounded to a multiple of this (1 = whole points).",
    )
    rounding_method = fields.Selection(
        [("down", "Down"), ("half", "Half up"), ("up", "Up")],
        default="down",
        required=True,
    )
    earn_excluded_product_ids = fields.Many2many(
        "product.product",
        "lp_program_earn_excluded_product_rel",
        string="Products that earn nothing",
    )
    earn_excluded_categ_ids = fields.Many2many(
        "product.category",
        "lp_program_earn_excluded_categ_rel",
        string="Categories that earn nothing",
    )
    spend_excluded_product_ids = fields.Many2many(
        "product.product",
        "lp_program_spend_excluded_product_rel",
        string="Products points cannot pay for",
    )
    spend_excluded_categ_ids = fields.Many2many(
        "product.category",
        "lp_program_spend_excluded_categ_rel",
        string="Categories points cannot pay for",
    )
    spend_cap_percent = fields.Float(
        string="Spending cap (%)",
        default=30.0,
        help="Points pay for at most this share of an order.",
    )
    hold_days = fields.Integer(
        string="Hold period (days)",
        default=14,
        help="Earned points become spendable after this many days, so that a "
        "return within that time takes them back before they are spent.",
    )
    lifetime_days = fields.Integer(
        string="Points lifetime (days)",
        default=365,
        help="Earned points expire this many days after they become spendable. "
        "0: they never expire.",
    )
    welcome_points = fields.Float(
        help="Credited at enrolment, spendable at once, even on the same purchase."
    )
    welcome_lifetime_days = fields.Integer(string="Welcome points lifetime", default=30)
    birthday_points = fields.Float()
    birthday_lifetime_days = fields.Integer(
        string="Birthday points lifetime", default=14
    )
    tier_window_days = fields.Integer(
        string="Tier period (days)",
        default=365,
        help="Tiers are reached by spend over this rolling period.",
    )
    card_prefix = fields.Char(
        default="27",
        required=True,
        help="Leading digits of this program's card numbers. 13-digit numbers "
        "starting with 2 are EAN-13 codes reserved for in-store use.",
    )
    card_length = fields.Integer(default=13, required=True)
    # How many members and cards a program has is the back office's: a
    # customer reading her program gets neither the ids nor the counts.
    card_next_serial = fields.Integer(
        default=1, copy=False, readonly=True, groups="base.group_user"
    )
    tier_ids = fields.One2many("lp.tier", "program_id", string="Tiers")
    member_ids = fields.One2many("lp.member", "program_id", groups="base.group_user")
    member_count = fields.Integer(
        compute="_compute_member_count", groups="base.group_user"
    )

    _point_value_positive = models.Constraint(
        "CHECK(point_value > 0)", "The value of a point must be positive."
    )
    _cap_range = models.Constraint(
        "CHECK(spend_cap_percent >= 0 AND spend_cap_percent <= 100)",
        "The spending cap is a percentage between 0 and 100.",
    )
    _days_positive = models.Constraint(
        "CHECK(hold_days >= 0 AND lifetime_days >= 0 AND tier_window_days > 0)",
        "Hold, lifetime and tier periods cannot be negative.",
    )

    def _compute_member_count(self):
        counts = dict(
            self.env["lp.member"]._read_group(
                [("program_id", "in", self.ids)], ["program_id"], ["__count"]
            )
        )
        for program in self:
            program.member_count = counts.get(program, 0)

    @api.constrains("card_prefix", "card_length")
    def _check_card_prefix(self):
        for program in self:
            if not program.card_prefix.isdigit():
                raise ValidationError(self.env._("A card prefix is made of digits."))
            if not 8 <= program.card_length <= 19:
                raise ValidationError(self.env._("Card numbers have 8 to 19 digits."))
            if len(program.card_prefix) >= program.card_length - 4:
                raise ValidationError(
                    self.env._("The card prefix leaves too few digits for serials.")
                )

    @api.constrains("earn_rate", "points_rounding", "welcome_points", "birthday_points")
    def _check_rates(self):
        for program in self:
            if program.earn_rate < 0 or program.points_rounding <= 0:
                raise ValidationError(
                    self.env._(
                        "The earning rate cannot be negative and the points "
                        "precision must be positive."
                    )
                )
            if program.welcome_points < 0 or program.birthday_points < 0:
                raise ValidationError(
                    self.env._("Welcome and birthday bonuses cannot be negative.")
                )

    @api.readonly
    def action_view_members(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_program.action_lp_member"
        )
        action["domain"] = [("program_id", "=", self.id)]
        action["context"] = {"default_program_id": self.id}
        return action

    # Business methods, meant to be overridden

    def _round_points(self, points):
        """Round ``points`` as the program says (precision and method)."""
        self.ensure_one()
        return float_round(
            points,
            precision_rounding=self.points_rounding,
            rounding_method=ROUNDING_METHODS[self.rounding_method],
        )

    def _earn_rate_for(self, member):
        """Earning rate in % for ``member``: the tier's when it sets one."""
        self.ensure_one()
        if self.program_type != "bonus":
            return 0.0
        if member.tier_id and member.tier_id.earn_rate:
            return member.tier_id.earn_rate
        return self.earn_rate

    def _points_for_amount(self, member, amount):
        """Points earned on ``amount`` (company currency) of eligible spend."""
        self.ensure_one()
        if amount <= 0:
            return 0.0
        points = amount * self._earn_rate_for(member) / 100.0 / self.point_value
        return self._round_points(points)

    def _is_excluded(self, product, purpose):
        """True when ``product`` is excluded from ``purpose`` ('earn' or 'spend')."""
        self.ensure_one()
        products = self[f"{purpose}_excluded_product_ids"]
        categories = self[f"{purpose}_excluded_categ_ids"]
        if product in products:
            return True
        if not categories:  # the usual case: no need to read the product
            return False
        categ = product.categ_id
        return any(categ.parent_path.startswith(c.parent_path) for c in categories)

    @api.model
    def _lp_points_product_id(self):
        """Id of the product of the points discount lines (cached lookup of
        its XML id, no query), False when it was deleted."""
        return self.env["ir.model.data"]._xmlid_to_res_id(
            "loyalty_program.product_lp_points_discount", raise_if_not_found=False
        )

    def _max_spend_points(self, member, order_total, spendable_total):
        """Most points ``member`` may spend on an order of ``order_total``
        where ``spendable_total`` is the part points may pay for."""
        self.ensure_one()
        if self.program_type != "bonus" or member.state != "active":
            return 0.0
        cap_money = min(order_total * self.spend_cap_percent / 100.0, spendable_total)
        cap_points = float_round(
            max(cap_money, 0.0) / self.point_value,
            precision_rounding=0.01,
            rounding_method="DOWN",
        )
        return max(0.0, min(member.balance, cap_points))

    def _next_card_serials(self, count):
        """Reserve ``count`` consecutive serials (locks the program row)."""
        self.ensure_one()
        self.env.cr.execute(
            "SELECT card_next_serial FROM lp_program WHERE id = %s FOR UPDATE",
            [self.id],
        )
        first = self.env.cr.fetchone()[0]
        self.env.cr.execute(
            "UPDATE lp_program SET card_next_serial = %s WHERE id = %s",
            [first + count, self.id],
        )
        self.invalidate_recordset(["card_next_serial"])
        return range(first, first + count)
