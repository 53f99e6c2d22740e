from odoo import api, models
from odoo.tools import ormcache

# What a posting or a till call reads of a program on every order.
EXCLUSION_FIELDS = {
    "earn_excluded_product_ids",
    "earn_excluded_categ_ids",
    "spend_excluded_product_ids",
    "spend_excluded_categ_ids",
}


class LpProgram(models.Model):
    """What every posting and till call reads of a program and its tiers,
    kept per worker (``ormcache``) instead of read per order: the products
    and categories excluded from earning and from spending, and the tiers'
    thresholds, earning rates, names and discounts. A change of a program's
    exclusions or of a tier clears it (Odoo tells the other workers at the
    end of the request)."""

    _inherit = "lp.program"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    @ormcache("program_id", "purpose")
    def _lp_exclusions(self, program_id, purpose):
        """(product ids, category ids) the program ``program_id`` excludes
        from ``purpose`` ('earn' or 'spend')."""
        program = self.sudo().browse(program_id)
        return (
            frozenset(program[f"{purpose}_excluded_product_ids"].ids),
            frozenset(program[f"{purpose}_excluded_categ_ids"].ids),
        )

    @api.model
    @ormcache("program_id")
    def _lp_tier_levels(self, program_id):
        """The tiers of ``program_id``, lowest first: ``((id, threshold,
        earn_rate), ...)``."""
        tiers = (
            self.env["lp.tier"]
            .sudo()
            .search_fetch(
                [("program_id", "=", program_id)],
                ["threshold", "earn_rate"],
                order="threshold, id",
            )
        )
        return tuple((tier.id, tier.threshold, tier.earn_rate) for tier in tiers)

    @api.model
    @ormcache("program_id", "self.env.lang")
    def _lp_tier_display(self, program_id):
        """{tier id: (name, discount %)} of ``program_id``, what the till
        shows of a member's tier, in the current language."""
        tiers = (
            self.env["lp.tier"]
            .sudo()
            .search_fetch(
                [("program_id", "=", program_id)], ["name", "discount_percent"]
            )
        )
        return {tier.id: (tier.name, tier.discount_percent) for tier in tiers}

    def write(self, vals):
        result = super().write(vals)
        if EXCLUSION_FIELDS & set(vals):
            self.env.registry.clear_cache()
        return result
