from odoo import api, fields, models
from odoo.fields import Domain

from ..tools import rfm

STATS_GROUP = "loyalty_program.group_lp_user"

# partner field -> lp.customer.stats field
STATS_FIELDS = {
    "lp_first_purchase_date": "first_purchase_date",
    "lp_last_purchase_date": "last_purchase_date",
    "lp_recency_days": "recency_days",
    "lp_purchase_count": "purchase_count",
    "lp_revenue": "revenue",
    "lp_window_purchase_count": "window_purchase_count",
    "lp_window_revenue": "window_revenue",
    "lp_average_ticket": "average_ticket",
    "lp_average_interval": "average_interval",
    "lp_total_saved": "total_saved",
    "lp_recency_score": "recency_score",
    "lp_frequency_score": "frequency_score",
    "lp_monetary_score": "monetary_score",
    "lp_rfm_score": "rfm_score",
    "lp_rfm_group": "rfm_group",
}


def _stats_search(stats_field):
    def search(partners, operator, value):
        return partners._lp_search_stats(stats_field, operator, value)

    search.__name__ = f"_search_lp_{stats_field}"
    return search


def _stats_field(field_class, stats_field, string, **kwargs):
    return field_class(
        string=string,
        compute="_compute_lp_stats",
        search=_stats_search(stats_field),
        groups=STATS_GROUP,
        **kwargs,
    )


class ResPartner(models.Model):
    """The customer statistics of the current company, on the partner.

    The figures live in ``lp.customer.stats`` (see there why); the fields
    below read the row of ``env.company`` and are searchable, so that the
    segment domain editor offers them next to any other partner field. A
    partner without a row searches like one with zeros and no dates.
    ``lp_segment_ids`` is the stored segment membership, open to anyone who
    may search partners (a mailing's audience)."""

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    lp_stats_ids = fields.One2many(
        "lp.customer.stats",
        "partner_id",
        string="Customer statistics",
        groups=STATS_GROUP,
    )
    lp_stats_currency_id = fields.Many2one(
        "res.currency", compute="_compute_lp_stats", groups=STATS_GROUP
    )
    lp_first_purchase_date = _stats_field(
        fields.Date, "first_purchase_date", "First purchase"
    )
    lp_last_purchase_date = _stats_field(
        fields.Date, "last_purchase_date", "Last purchase"
    )
    lp_recency_days = _stats_field(
        fields.Integer, "recency_days", "Days since last purchase"
    )
    lp_purchase_count = _stats_field(fields.Integer, "purchase_count", "Purchases")
    lp_revenue = _stats_field(
        fields.Monetary,
        "revenue",
        "Revenue (all time)",
        currency_field="lp_stats_currency_id",
    )
    lp_window_purchase_count = _stats_field(
        fields.Integer, "window_purchase_count", "Purchases in window"
    )
    lp_window_revenue = _stats_field(
        fields.Monetary,
        "window_revenue",
        "Revenue in window",
        currency_field="lp_stats_currency_id",
    )
    lp_average_ticket = _stats_field(
        fields.Monetary,
        "average_ticket",
        "Average ticket",
        currency_field="lp_stats_currency_id",
    )
    lp_average_interval = _stats_field(
        fields.Float,
        "average_interval",
        "Average days between purchases",
        digits=(16, 1),
    )
    lp_total_saved = _stats_field(
        fields.Monetary,
        "total_saved",
        "Total saved",
        currency_field="lp_stats_currency_id",
    )
    lp_recency_score = _stats_field(fields.Integer, "recency_score", "Recency score")
    lp_frequency_score = _stats_field(
        fields.Integer, "frequency_score", "Frequency score"
    )
    lp_monetary_score = _stats_field(fields.Integer, "monetary_score", "Monetary score")
    lp_rfm_score = _stats_field(fields.Char, "rfm_score", "RFM score")
    lp_rfm_group = _stats_field(
        fields.Selection, "rfm_group", "RFM group", selection=rfm.GROUPS
    )
    lp_segment_ids = fields.Many2many(
        "lp.segment",
        "lp_segment_partner_rel",
        "partner_id",
        "segment_id",
        string="Segments",
        readonly=True,
        copy=False,
    )
    # Make the loyalty summary of res_partner.py usable in segment rules.
    lp_tier_id = fields.Many2one(search="_search_lp_tier_id")
    lp_balance = fields.Float(search="_search_lp_balance")

    @api.depends_context("company")
    def _compute_lp_stats(self):
        company = self.env.company
        rows = (
            self.env["lp.customer.stats"]
            .sudo()
            .search([("partner_id", "in", self.ids), ("company_id", "=", company.id)])
        )
        by_partner = {row.partner_id.id: row for row in rows}
        empty = rows.browse()
        for partner in self:
            row = by_partner.get(partner.id, empty)
            partner.lp_stats_currency_id = company.currency_id
            for fname, stats_field in STATS_FIELDS.items():
                partner[fname] = row[stats_field]

    def _lp_search_stats(self, stats_field, operator, value):
        """Partners whose statistics row in the current company satisfies
        the condition; a partner without a row counts as an empty row (0, no
        date, no group), so ``purchases = 0`` finds those who never bought."""
        company_id = self.env.company.id
        condition = Domain(stats_field, operator, value)
        Stats = self.env["lp.customer.stats"].sudo()
        domain = Domain(
            "lp_stats_ids", "any!", Domain("company_id", "=", company_id) & condition
        )
        empty = Stats.new({"company_id": company_id})
        if condition._as_predicate(empty)(empty):
            domain |= Domain(
                "lp_stats_ids", "not any!", Domain("company_id", "=", company_id)
            )
        return domain

    def _search_lp_tier_id(self, operator, value):
        """Partners with an open membership in such a tier."""
        return Domain(
            "lp_member_ids",
            "any",
            Domain("state", "!=", "closed") & Domain("tier_id", operator, value),
        )

    def _search_lp_balance(self, operator, value):
        """Partners with an open membership whose balance satisfies the
        condition."""
        return Domain(
            "lp_member_ids",
            "any",
            Domain("state", "!=", "closed") & Domain("balance", operator, value),
        )

    @api.readonly
    def action_lp_view_stats(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_program.action_lp_customer_stats"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        return action
