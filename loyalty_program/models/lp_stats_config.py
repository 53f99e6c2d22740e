import psycopg2

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, mute_logger

from ..tools import rfm

DIMENSIONS = ("recency", "frequency", "monetary")


class LpStatsConfig(models.Model):
    """How a company scores its customers: the statistics window, the RFM
    method and breakpoints, and the rules of the sleeping and lost groups.
    One record per company, created on first use.

    In quantile mode the nightly job overwrites the breakpoints with the
    quintiles of the company's customers, so the manager sees them; in
    threshold mode the manager sets them. Either way the same breakpoints
    score everyone (see :mod:`..tools.rfm`)."""

    _name = "lp.stats.config"
    _description = "Customer Statistics Settings"
    _rec_name = "company_id"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    window_days = fields.Integer(
        string="Statistics window (days)",
        default=365,
        required=True,
        help="Purchases and revenue are counted over this many days; "
        "frequency and monetary scores use them.",
    )
    rfm_method = fields.Selection(
        [
            ("quantile", "Quintiles of the customers"),
            ("threshold", "Thresholds I set"),
        ],
        string="Scoring",
        default="quantile",
        required=True,
    )
    recency_break_1 = fields.Float(string="Recency 5 up to (days)", default=14)
    recency_break_2 = fields.Float(string="Recency 4 up to (days)", default=30)
    recency_break_3 = fields.Float(string="Recency 3 up to (days)", default=90)
    recency_break_4 = fields.Float(string="Recency 2 up to (days)", default=180)
    frequency_break_1 = fields.Float(string="Frequency 2 above", default=1)
    frequency_break_2 = fields.Float(string="Frequency 3 above", default=2)
    frequency_break_3 = fields.Float(string="Frequency 4 above", default=4)
    frequency_break_4 = fields.Float(string="Frequency 5 above", default=8)
    monetary_break_1 = fields.Float(string="Monetary 2 above", default=1000)
    monetary_break_2 = fields.Float(string="Monetary 3 above", default=5000)
    monetary_break_3 = fields.Float(string="Monetary 4 above", default=15000)
    monetary_break_4 = fields.Float(string="Monetary 5 above", default=50000)
    breaks_date = fields.Datetime(
        string="Quintiles computed on", readonly=True, copy=False
    )
    new_days = fields.Integer(
        string="New for (days)",
        default=30,
        required=True,
        help="A customer whose first purchase is this recent is new.",
    )
    sleeping_factor = fields.Float(
        string="Sleeping after (× usual interval)",
        default=3.0,
        required=True,
        help="A regular customer sleeps when the time since the last purchase "
        "exceeds this multiple of their own average interval.",
    )
    sleeping_min_purchases = fields.Integer(
        string="Purchases for a usual interval",
        default=3,
        required=True,
        help="With fewer purchases, the number of days below decides.",
    )
    sleeping_days = fields.Integer(
        string="Sleeping after (days)",
        default=90,
        required=True,
        help="Sleeping threshold for customers without a usual interval yet.",
    )
    lost_days = fields.Integer(
        string="Lost after (days)",
        default=365,
        required=True,
        help="A customer who has not bought for this long is lost.",
    )
    last_run = fields.Datetime(string="Last nightly run", readonly=True, copy=False)

    _company_unique = models.UniqueIndex("(company_id)")
    _days_positive = models.Constraint(
        "CHECK(window_days > 0 AND new_days >= 0 AND sleeping_days > 0 "
        "AND lost_days > 0 AND sleeping_factor > 0 AND sleeping_min_purchases >= 2)",
        "Windows and thresholds must be positive; a usual interval needs at "
        "least two purchases.",
    )

    @api.constrains(*(f"{d}_break_{i}" for d in DIMENSIONS for i in range(1, 5)))
    def _check_breaks(self):
        for config in self:
            for dimension in DIMENSIONS:
                breaks = config._breaks(dimension)
                if breaks != sorted(breaks):
                    raise ValidationError(
                        self.env._(
                            "The %(dimension)s breakpoints must go up from the "
                            "first to the fourth.",
                            dimension=dimension,
                        )
                    )

    @api.constrains("sleeping_days", "lost_days")
    def _check_lost_after_sleeping(self):
        for config in self:
            if config.lost_days <= config.sleeping_days:
                raise ValidationError(
                    self.env._(
                        "A customer sleeps before being lost: lost after "
                        "more days than sleeping."
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        configs = super().create(vals_list)
        self.env["lp.segment"].sudo()._ensure_rfm_segments(configs.company_id)
        return configs

    # Actions

    @api.model
    def action_open_company_settings(self):
        """Open the current company's settings (created on first use)."""
        self.check_access("write")
        config = self._for_companies(self.env.company)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Statistics Settings"),
            "res_model": self._name,
            "res_id": config.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    # Business methods

    def _breaks(self, dimension):
        self.ensure_one()
        return [self[f"{dimension}_break_{i}"] for i in range(1, 5)]

    def _settings(self):
        """The group rules as a :class:`..tools.rfm.Settings`."""
        self.ensure_one()
        return rfm.Settings(
            self.new_days,
            self.sleeping_factor,
            self.sleeping_min_purchases,
            self.sleeping_days,
            self.lost_days,
        )

    @api.model
    def _for_companies(self, companies=None):
        """The settings of ``companies`` (default: every company), creating
        the missing ones with default values."""
        Config = self.sudo()
        companies = (
            companies
            if companies is not None
            else self.env["res.company"].sudo().search([])
        )
        configs = Config.search([("company_id", "in", companies.ids)])
        missing = companies - configs.company_id
        if missing:
            try:
                with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                    configs |= Config.create([{"company_id": c.id} for c in missing])
            except psycopg2.IntegrityError:
                # Created meanwhile by a concurrent refresh (the first orders
                # of a company paid at the same time on two tills).
                configs = Config.search([("company_id", "in", companies.ids)])
        return configs

    def _update_quantile_breaks(self, today=None):
        """Set the breakpoints of the configs in quantile mode to the
        quintiles of their company's customers (those with a purchase), with
        PostgreSQL's ``percentile_disc`` as :func:`..tools.rfm.quantile_breaks`
        does. A company without customers keeps its breakpoints."""
        today = today or fields.Date.today()
        configs = self.filtered(lambda c: c.rfm_method == "quantile")
        if not configs:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT s.company_id,
                       percentile_disc(%(fractions)s::float8[]) WITHIN GROUP
                           (ORDER BY %(today)s - s.last_purchase_date),
                       percentile_disc(%(fractions)s::float8[]) WITHIN GROUP
                           (ORDER BY s.window_purchase_count),
                       percentile_disc(%(fractions)s::float8[]) WITHIN GROUP
                           (ORDER BY s.window_revenue)
                  FROM lp_customer_stats s
                 WHERE s.company_id IN %(companies)s AND s.purchase_count > 0
                 GROUP BY s.company_id
                """,
                fractions=list(rfm.FRACTIONS),
                today=today,
                companies=tuple(configs.company_id.ids),
            )
        )
        now = fields.Datetime.now()
        for company_id, *breaks in self.env.cr.fetchall():
            config = configs.filtered(lambda c, cid=company_id: c.company_id.id == cid)
            vals = {"breaks_date": now}
            for dimension, values in zip(DIMENSIONS, breaks, strict=True):
                for i, value in enumerate(values, start=1):
                    vals[f"{dimension}_break_{i}"] = float(value)
            config.sudo().write(vals)
