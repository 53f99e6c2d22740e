from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools import figures

CREDIT_KINDS = ("earn", "welcome", "birthday", "gift", "campaign")
# figure -> (method building the action, its argument)
ACTIONS = {
    "members": ("_action_members", None),
    "new_members": ("_action_members", "new"),
    "new_members_pos": ("_action_members", "new:pos"),
    "new_members_portal": ("_action_members", "new:portal"),
    "new_members_bot": ("_action_members", "new:bot"),
    "active_members": ("_action_members", "active"),
    "member_customer_share": ("_action_members", "active"),
    "retention": ("_action_members", "before"),
    "churn": ("_action_members", "before"),
    "consent_email": ("_action_members", "email"),
    "consent_sms": ("_action_members", "sms"),
    "consent_bot": ("_action_members", "bot"),
    "liability": ("_action_members", "points"),
    "liability_change": ("_action_members", "points"),
    "revenue": ("_action_customers", "all"),
    "member_revenue_share": ("_action_customers", "all"),
    "member_ticket": ("_action_customers", "members"),
    "member_frequency": ("_action_customers", "members"),
    "other_ticket": ("_action_customers", "others"),
    "other_frequency": ("_action_customers", "others"),
    "sleeping_share": ("_action_customers", "sleeping"),
    "winback_rate": ("_action_customers", "sleeping"),
    "points_issued": ("_action_ledger", CREDIT_KINDS),
    "bonus_points": ("_action_ledger", figures.BONUS_KINDS),
    "points_spent": ("_action_ledger", ("spend",)),
    "points_cost": ("_action_ledger", ("spend",)),
    "points_expired": ("_action_ledger", ("expire",)),
    "offer_points": ("_action_ledger", ("offer",)),
    "offer_discounts": ("_action_offer_uses", "discount"),
    "offer_redemption": ("_action_offer_rows", None),
    "tier_discounts": ("_action_sales", None),
    "sms_cost": ("_action_campaigns", None),
    "program_cost": ("_action_campaigns", None),
    "incremental_revenue": ("_action_campaigns", None),
    "roi": ("_action_campaigns", None),
    "campaign_response": ("_action_campaigns", None),
    "tier_upgrades": ("_action_tier_moves", "upgrade"),
    "tier_downgrades": ("_action_tier_moves", "downgrade"),
}


class LpFigures(models.AbstractModel):
    """What a dashboard card opens: the records behind its figure, for the
    period shown (the members who joined, the ledger entries, the
    customers who bought, the campaigns sent, the tier changes)."""

    _inherit = "lp.figures"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    @api.readonly
    def get_figure_action(self, name, date_from, date_to, company_id=None):
        """The window action listing the records behind the figure ``name``
        over the period. Loyalty users, own companies; read-only."""
        company = self._check_dashboard_access(company_id)
        (start, last), (prev_start, _prev_last) = self._periods(date_from, date_to)
        if name not in ACTIONS:
            raise UserError(self.env._("There is no figure %(name)s.", name=name))
        method, argument = ACTIONS[name]
        model, domain = getattr(self, method)(
            company, start, last + timedelta(days=1), prev_start, argument
        )
        lang = self.env.lang or self.env.user.lang or "en_US"
        return {
            "type": "ir.actions.act_window",
            "name": figures.BY_NAME[name].label._translate(lang),
            "res_model": model,
            "views": [[False, "list"], [False, "form"]],
            "domain": list(domain),
            "context": {"create": False},
        }

    @api.model
    def _buyers(self, company, start, end, members=None):
        """Customers who bought in ``[start, end)``: all, or only as members
        (``members=True``), or only when not members (False)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH orders AS (%(orders)s)
                SELECT DISTINCT o.partner_id
                  FROM orders o
                  LEFT JOIN (SELECT partner_id, MIN(join_date) AS joined
                               FROM lp_member
                              WHERE company_id = %(company)s AND state <> 'closed'
                              GROUP BY partner_id) m ON m.partner_id = o.partner_id
                 WHERE o.partner_id IS NOT NULL AND NOT o.refund
                   AND o.day >= %(start)s
                   AND (%(members)s IS NULL
                        OR %(members)s = COALESCE(m.joined <= o.day, FALSE))
                """,
                orders=self._orders_sql(company, end),
                company=company.id,
                start=start,
                members=members,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _action_members(self, company, start, end, prev_start, argument):
        domain = Domain(
            [
                ("company_id", "=", company.id),
                ("state", "!=", "closed"),
                ("join_date", "<", end),
            ]
        )
        if argument and argument.startswith("new"):
            domain &= Domain("join_date", ">=", start)
            if ":" in argument:
                domain &= Domain("enrol_source", "=", argument.split(":")[1])
        elif argument == "active":
            domain &= Domain(
                "partner_id", "in", self._buyers(company, start, end, True)
            )
        elif argument == "before":
            buyers = self._buyers(company, prev_start, start, True)
            domain &= Domain("partner_id", "in", buyers)
        elif argument in ("email", "sms", "bot"):
            domain &= Domain(f"partner_id.lp_consent_{argument}", "=", True)
        elif argument == "points":
            domain &= Domain("balance", ">", 0) | Domain("pending", ">", 0)
        return "lp.member", domain

    def _action_customers(self, company, start, end, prev_start, argument):
        domain = Domain("company_id", "=", company.id)
        if argument == "sleeping":
            days = self._sleeping_days(company)
            last = end - timedelta(days=1)
            domain &= Domain("last_purchase_date", "<", last - timedelta(days=days))
            domain &= Domain("partner_id.lp_member_ids.state", "!=", "closed")
        else:
            members = {"all": None, "members": True, "others": False}[argument]
            domain &= Domain(
                "partner_id", "in", self._buyers(company, start, end, members)
            )
        return "lp.customer.stats", domain

    def _action_ledger(self, company, start, end, prev_start, kinds):
        return "lp.ledger", Domain(
            [
                ("company_id", "=", company.id),
                ("kind", "in", list(kinds)),
                ("date", ">=", fields.Datetime.to_datetime(start)),
                ("date", "<", fields.Datetime.to_datetime(end)),
            ]
        )

    def _action_offer_uses(self, company, start, end, prev_start, argument):
        """The offers' uses of the period (with a money discount)."""
        return "lp.offer.use", Domain(
            [
                ("company_id", "=", company.id),
                ("date", ">=", fields.Datetime.to_datetime(start)),
                ("date", "<", fields.Datetime.to_datetime(end)),
            ]
        ) & (Domain(argument, ">", 0) if argument else Domain.TRUE)

    def _action_offer_rows(self, company, start, end, prev_start, argument):
        """The offers made to customers in the period (target group)."""
        return "lp.offer.member", Domain(
            [
                ("company_id", "=", company.id),
                ("group", "=", "target"),
                ("date_start", ">=", fields.Datetime.to_datetime(start)),
                ("date_start", "<", fields.Datetime.to_datetime(end)),
            ]
        )

    def _action_sales(self, company, start, end, prev_start, argument):
        return "sale.order", Domain(
            [
                ("company_id", "=", company.id),
                ("state", "=", "sale"),
                ("order_line.lp_discount_percent", ">", 0),
                ("date_order", ">=", fields.Datetime.to_datetime(start)),
                ("date_order", "<", fields.Datetime.to_datetime(end)),
            ]
        )

    def _action_campaigns(self, company, start, end, prev_start, argument):
        return "lp.campaign", Domain(
            [
                ("company_id", "=", company.id),
                ("state", "in", ("sending", "done")),
                ("send_date", ">=", start),
                ("send_date", "<", end),
            ]
        )

    def _action_tier_moves(self, company, start, end, prev_start, reason):
        return "lp.tier.history", Domain(
            [
                ("member_id.company_id", "=", company.id),
                ("reason", "=", reason),
                ("date", ">=", fields.Datetime.to_datetime(start)),
                ("date", "<", fields.Datetime.to_datetime(end)),
            ]
        )
