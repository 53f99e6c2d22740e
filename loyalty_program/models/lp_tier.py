from odoo import fields, models


class LpTier(models.Model):
    _name = "lp.tier"
    _description = "Loyalty Tier"
    _order = "program_id, threshold, id"

    name = fields.Char(required=True, translate=True)
    program_id = fields.Many2one(
        "lp.program", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="program_id.company_id", store=True)
    currency_id = fields.Many2one(related="program_id.currency_id")
    threshold = fields.Monetary(
        string="Spend to reach",
        help="Spend over the program's tier period that reaches this tier.",
    )
    earn_rate = fields.Float(
        string="Earning rate (%)",
        help="Replaces the program's earning rate for members of this tier "
        "(bonus programs). 0: the program's rate applies.",
    )
    discount_percent = fields.Float(
        string="Discount (%)", help="Discount given to members of this tier."
    )
    color = fields.Integer()
    member_count = fields.Integer(
        compute="_compute_member_count", groups="base.group_user"
    )

    _threshold_unique = models.Constraint(
        "UNIQUE(program_id, threshold)",
        "Two tiers of a program cannot share a threshold.",
    )
    _values_valid = models.Constraint(
        "CHECK(threshold >= 0 AND earn_rate >= 0 AND discount_percent >= 0 "
        "AND discount_percent <= 100)",
        "Thresholds and rates cannot be negative; a discount is at most 100%.",
    )

    def _compute_member_count(self):
        counts = dict(
            self.env["lp.member"]._read_group(
                [("tier_id", "in", self.ids)], ["tier_id"], ["__count"]
            )
        )
        for tier in self:
            tier.member_count = counts.get(tier, 0)
