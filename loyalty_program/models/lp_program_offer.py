from odoo import api, fields, models

# The generators' offers a bonus program gets, with their default reward:
# generator -> values of the lp.offer.
GENERATOR_DEFAULTS = {
    "due_again": {
        "reward_type": "multiply",
        "reward_value": 2.0,
        "lifetime_days": 14,
        "uses_per_customer": 1,
    },
    "goes_with": {
        "reward_type": "multiply",
        "reward_value": 3.0,
        "lifetime_days": 21,
        "uses_per_customer": 1,
    },
    "favourite": {
        "reward_type": "multiply",
        "reward_value": 2.0,
        "lifetime_days": 30,
        "uses_per_customer": 0,
        "order_cap": 500.0,
    },
}


class LpProgram(models.Model):
    """The program's settings for personal offers: how many a customer holds
    at a time, how far back the generators read baskets, what they never
    offer, and the generators' own offers (one per generator: switching it
    off stops its generator)."""

    _inherit = "lp.program"  # pylint: disable=consider-merging-classes-inherited

    offer_max_personal = fields.Integer(
        string="Personal offers per customer",
        default=3,
        help="Most personal offers (made by the generators) a customer holds "
        "at a time; the generators keep the best by expected value.",
    )
    offer_lookback_days = fields.Integer(
        string="Baskets read (days)",
        default=180,
        help="The generators read the baskets of this many last days.",
    )
    offer_min_purchases = fields.Integer(
        string="Due again: purchases at least",
        default=3,
        help="A product is bought regularly when bought on this many days.",
    )
    offer_due_factor = fields.Float(
        string="Due again: after (x interval)",
        default=1.2,
        help="A product is due again when this many usual intervals passed "
        "since it was last bought (and at most four).",
    )
    offer_min_baskets = fields.Integer(
        string="Goes with: baskets at least",
        default=20,
        help="Two products go together when at least this many baskets hold both.",
    )
    offer_min_lift = fields.Float(
        string="Goes with: lift at least",
        default=1.5,
        help="How much more often than by chance the two are bought together.",
    )
    offer_min_share = fields.Float(
        string="Favourite category: share at least (%)",
        default=30.0,
        help="The category takes at least this share of the customer's spend.",
    )
    offer_excluded_product_ids = fields.Many2many(
        "product.product",
        "lp_program_offer_excluded_product_rel",
        string="Products never offered",
    )
    offer_excluded_categ_ids = fields.Many2many(
        "product.category",
        "lp_program_offer_excluded_categ_rel",
        string="Categories never offered",
    )
    offer_ids = fields.One2many("lp.offer", "program_id", string="Offers")

    _offer_settings_positive = models.Constraint(
        "CHECK(offer_max_personal >= 0 AND offer_lookback_days > 0 "
        "AND offer_min_purchases >= 2 AND offer_due_factor >= 1 "
        "AND offer_min_baskets >= 1 AND offer_min_share >= 0)",
        "Offer settings: at least 2 purchases, 1 basket, a factor of 1, a "
        "positive period.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        programs = super().create(vals_list)
        programs._lp_offer_generators()
        return programs

    def _lp_offer_generators(self):
        """The generators' offers of each bonus program, made once (running,
        with the defaults of ``GENERATOR_DEFAULTS``); archived or ended ones
        stay as the manager left them. Returns them, running ones only."""
        Offer = self.env["lp.offer"].sudo().with_context(active_test=False)
        result = Offer.browse()
        labels = dict(Offer._fields["generator"]._description_selection(self.env))
        for program in self.filtered(lambda p: p.program_type == "bonus"):
            existing = Offer.search(
                [("program_id", "=", program.id), ("generator", "!=", "manual")]
            )
            missing = set(GENERATOR_DEFAULTS) - set(existing.mapped("generator"))
            if missing:
                existing |= Offer.create(
                    [
                        {
                            "name": labels[generator],
                            "program_id": program.id,
                            "generator": generator,
                            "audience": "personal",
                            "state": "running",
                            **GENERATOR_DEFAULTS[generator],
                        }
                        for generator in sorted(missing)
                    ]
                )
            result |= existing.filtered(lambda o: o.active and o.state == "running")
        return result.with_env(self.env)
