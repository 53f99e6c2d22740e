from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class LpOfferMember(models.Model):
    """An offer made to one customer: who, from when until when, with what
    product and figures for a personal offer, how often it was used, and
    whether the customer is in the control group (held out: the row only
    measures). The nightly generators write the figures behind each
    personal row (``fig_*``), so the manager sees why it was made.

    Rows are made by :meth:`lp.offer._lp_fill_audience`, the generators and
    the manager (personal offers); the counters (``use_count``,
    ``given_points``, ``given_discount``) are written by the posting of an
    order only, under a lock of the row (see ``lp_offer_apply.py``)."""

    _name = "lp.offer.member"
    _description = "Offer Made to a Customer"
    _order = "date_start desc, id desc"
    _rec_name = "offer_id"

    offer_id = fields.Many2one(
        "lp.offer", required=True, index=True, ondelete="cascade"
    )
    member_id = fields.Many2one("lp.member", required=True, ondelete="cascade")
    partner_id = fields.Many2one(
        related="member_id.partner_id", store=True, index=True, precompute=True
    )
    company_id = fields.Many2one(
        related="offer_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="offer_id.currency_id")
    generator = fields.Selection(
        related="offer_id.generator", store=True, precompute=True
    )
    group = fields.Selection(
        [("target", "Target"), ("control", "Control")],
        default="target",
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [
            ("active", "Active"),
            ("used", "Used up"),
            ("expired", "Expired"),
            ("cancelled", "Cancelled"),
        ],
        default="active",
        required=True,
        readonly=True,
        index=True,
    )
    product_id = fields.Many2one(
        "product.product", string="Own product", ondelete="cascade"
    )
    categ_id = fields.Many2one(
        "product.category", string="Own category", ondelete="cascade"
    )
    reward_value = fields.Float(
        string="Own reward", help="Instead of the offer's reward value; 0: the offer's."
    )
    min_qty = fields.Float(string="Own minimum quantity", digits="Product Unit")
    date_start = fields.Datetime(
        string="Made on",
        default=fields.Datetime.now,
        required=True,
        readonly=True,
        help="When the offer was made to the customer; a lifetime counts from here.",
    )
    valid_until = fields.Datetime(readonly=True)
    notified_date = fields.Datetime(
        string="Told on", readonly=True, help="When a message told the customer."
    )
    use_count = fields.Integer(string="Uses", readonly=True, default=0)
    given_points = fields.Float(digits=(16, 2), readonly=True, default=0.0)
    given_discount = fields.Monetary(readonly=True, default=0.0)
    use_ids = fields.One2many("lp.offer.use", "offer_member_id", string="Uses made")
    # The figures behind a generated row (why it was made).
    fig_interval = fields.Float(
        string="Usual interval (days)", digits=(16, 1), readonly=True
    )
    fig_days_since = fields.Integer(string="Days since last purchase", readonly=True)
    fig_purchases = fields.Integer(string="Purchases", readonly=True)
    fig_qty = fields.Float(string="Usual quantity", digits=(16, 2), readonly=True)
    fig_price = fields.Monetary(string="Usual price", readonly=True)
    fig_because_id = fields.Many2one(
        "product.product", string="Because they buy", readonly=True
    )
    fig_baskets = fields.Integer(string="Baskets with both", readonly=True)
    fig_confidence = fields.Float(
        string="Confidence (%)", digits=(16, 1), readonly=True
    )
    fig_lift = fields.Float(string="Lift", digits=(16, 2), readonly=True)
    fig_spend = fields.Monetary(string="Spend in category", readonly=True)
    fig_share = fields.Float(string="Share of spend (%)", digits=(16, 1), readonly=True)
    expected_value = fields.Monetary(
        readonly=True, help="What the generator expects the row to bring (ranks rows)."
    )
    reason = fields.Char(compute="_compute_reason", string="Why")
    # Results (see lp_offer_results.py)
    response_orders = fields.Integer(readonly=True)
    response_revenue = fields.Monetary(readonly=True)

    _active_rows = models.Index("(member_id, valid_until) WHERE state = 'active'")
    _audience_unique = models.UniqueIndex(
        "(offer_id, member_id) WHERE product_id IS NULL AND categ_id IS NULL"
    )

    @api.depends(
        "generator", "fig_interval", "fig_days_since", "fig_because_id", "fig_share"
    )
    def _compute_reason(self):
        for row in self:
            row.reason = row._lp_reason()

    def _lp_reason(self):
        self.ensure_one()
        what = self.product_id.name or self.categ_id.name or ""
        if self.generator == "due_again":
            return self.env._(
                "%(what)s every %(interval)s days, last %(days)s days ago",
                what=what,
                interval=f"{self.fig_interval:.0f}",
                days=self.fig_days_since,
            )
        if self.generator == "goes_with":
            return self.env._(
                "%(confidence)s%% of baskets with %(because)s also hold %(what)s "
                "(lift %(lift)s)",
                confidence=f"{self.fig_confidence:.0f}",
                because=self.fig_because_id.name or "",
                what=what,
                lift=f"{self.fig_lift:.1f}",
            )
        if self.generator == "favourite":
            return self.env._(
                "%(share)s%% of their spend is on %(what)s",
                share=f"{self.fig_share:.0f}",
                what=what,
            )
        return ""

    # CRUD

    @api.model_create_multi
    def create(self, vals_list):
        """Rows made by hand: a personal offer's customers. The lifetime
        and the member's offer hint follow."""
        offers = self.env["lp.offer"].browse({vals["offer_id"] for vals in vals_list})
        for offer in offers:
            offer.check_access("write")
        now = fields.Datetime.now()
        for vals in vals_list:
            offer = offers.browse(vals["offer_id"])
            start = fields.Datetime.to_datetime(vals.get("date_start")) or now
            vals.setdefault("valid_until", offer._lp_row_end(start))
        rows = super().create(vals_list)
        rows._lp_check_rows()
        rows.member_id._lp_offer_hint()
        return rows

    def write(self, vals):
        if {"member_id", "offer_id", "group"} & set(vals):
            raise UserError(
                self.env._("An offer made to a customer keeps its customer and offer.")
            )
        result = super().write(vals)
        if {"state", "valid_until", "date_start"} & set(vals):
            self.member_id._lp_offer_hint()
        return result

    def _lp_check_rows(self):
        for row in self:
            if row.member_id.program_id != row.offer_id.program_id:
                raise UserError(
                    self.env._(
                        "%(member)s is not a member of the offer's program.",
                        member=row.member_id.display_name,
                    )
                )

    def action_cancel(self):
        self.offer_id._check_manager()
        self.filtered(lambda r: r.state == "active").write({"state": "cancelled"})
        return True

    # Business methods

    def _lp_is_open(self, now):
        """Whether the row may apply to an order at ``now``."""
        self.ensure_one()
        return (
            self.group == "target"
            and self.state == "active"
            and self.date_start <= now
            and (not self.valid_until or now < self.valid_until)
        )

    @api.model
    def _lp_expire(self, now=None):
        """Rows past their end or whose offer ended: expired; offers past
        their last day: ended (set-based). Returns the rows expired."""
        now = now or fields.Datetime.now()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE lp_offer_member r SET state = 'expired'
                  FROM lp_offer o
                 WHERE o.id = r.offer_id AND r.state = 'active'
                   AND (r.valid_until <= %(now)s OR o.state = 'ended'
                        OR (o.date_to IS NOT NULL AND o.date_to < %(today)s))
                """,
                now=now,
                today=now.date() - timedelta(days=1),
            )
        )
        expired = self.env.cr.rowcount
        # Offers past their last day end.
        self.env.cr.execute(
            SQL(
                "UPDATE lp_offer SET state = 'ended' "
                "WHERE state = 'running' AND date_to < %s",
                now.date() - timedelta(days=1),
            )
        )
        self.invalidate_model(["state"])
        self.env["lp.offer"].invalidate_model(["state"])
        return expired
