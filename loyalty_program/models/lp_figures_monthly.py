from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import figures_monthly

MAX_MONTHS = 36


class LpFigures(models.AbstractModel):
    """The year month by month, for the dashboard's charts: members and
    active members, revenue from members against the rest, points issued,
    spent and expired and the liability in money, tier sizes, and the
    campaigns' and triggers' target groups against their control groups.
    Set-based (:mod:`..tools.figures_monthly`), read-only."""

    _inherit = "lp.figures"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    @api.readonly
    def get_monthly(self, date_to, company_id=None, months=12):
        """The ``months`` calendar months ending with ``date_to``'s (cut at
        ``date_to``) of a company of the user's. Loyalty users only.

        Read-only (``@api.readonly``), like :meth:`get_dashboard`."""
        company = self._check_dashboard_access(company_id)
        try:
            last_day = fields.Date.to_date(date_to)
        except (TypeError, ValueError) as error:
            raise UserError(self.env._("Choose a period with valid dates.")) from error
        if not last_day:
            raise UserError(self.env._("Choose a period with valid dates."))
        if not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
            raise UserError(
                self.env._("Charts cover 1 to %(max)s months.", max=MAX_MONTHS)
            )
        firsts = figures_monthly.months(last_day, months)
        end = last_day + timedelta(days=1)
        series = self._monthly_series(company, firsts[0], end)
        series["months"] = [fields.Date.to_string(first) for first in firsts]
        series["tiers"] = self._monthly_tiers(company, firsts, end)
        series["results"] = self._monthly_results(company, firsts[0], end)
        currency = company.currency_id
        series["currency"] = {
            "symbol": currency.symbol,
            "position": currency.position,
            "digits": currency.decimal_places,
        }
        return series

    @api.model
    def _monthly_series(self, company, first, end):
        """{column: [value per month]} of :data:`figures_monthly.MONTHLY_COLUMNS`
        plus ``members`` (at each month's end); the liability is the money
        value outstanding at each month's end."""
        self.env.flush_all()
        self.env.cr.execute("SET LOCAL jit = off")
        self.env.cr.execute(
            figures_monthly.monthly_sql(
                self._orders_sql(company, end), company.id, first, end
            )
        )
        rows = self.env.cr.fetchall()
        self.env.cr.execute("RESET jit")
        opening, months = rows[0], rows[1:]
        columns = figures_monthly.MONTHLY_COLUMNS
        series = {
            name: [float(row[index + 1]) for row in months]
            for index, name in enumerate(columns)
        }
        opening = dict(zip(columns, opening[1:], strict=True))
        series["members"] = figures_monthly.running(
            series["new_members"], opening["new_members"]
        )
        series["liability"] = figures_monthly.running(
            series["liability"], float(opening["liability"])
        )
        return series

    @api.model
    def _monthly_tiers(self, company, firsts, end):
        """[{name, values}]: each tier's members at each month's end."""
        self.env.cr.execute(figures_monthly.tier_moves_sql(company.id, firsts[0], end))
        moves = {}
        for month, tier_id, change in self.env.cr.fetchall():
            moves.setdefault(tier_id, {})[month] = change
        tiers = (
            self.env["lp.tier"]
            .sudo()
            .browse(moves)
            .sorted(lambda t: (t.program_id.sequence, t.program_id.id, t.threshold))
        )
        several = len(tiers.program_id) > 1
        return [
            {
                "name": f"{tier.name} ({tier.program_id.name})"
                if several
                else tier.name,
                "values": figures_monthly.running(
                    [moves[tier.id].get(first) for first in firsts],
                    moves[tier.id].get(None, 0),
                ),
            }
            for tier in tiers
        ]

    @api.model
    def _monthly_results(self, company, first, end):
        """[{name, kind, target_rate, control_rate, target_revenue,
        control_revenue}] of each campaign and trigger sent in the months:
        the share of the target and control groups who bought within the
        response window (%), and revenue per customer. Meant to be
        extended (personal offers add theirs)."""
        self.env.cr.execute(
            figures_monthly.dispatch_results_sql(company.id, first, end)
        )
        groups = {}
        for (
            campaign_id,
            trigger_id,
            group,
            customers,
            buyers,
            revenue,
        ) in self.env.cr.fetchall():
            key = ("campaign", campaign_id) if campaign_id else ("trigger", trigger_id)
            groups.setdefault(key, {})[group] = (customers, buyers, float(revenue))
        names = {
            kind: dict(
                self.env[f"lp.{kind}"]
                .sudo()
                .browse([i for k, i in groups if k == kind and i])
                .mapped(lambda r: (r.id, r.name))
            )
            for kind in ("campaign", "trigger")
        }
        results = []
        for (kind, record_id), figures in sorted(groups.items()):
            if not record_id or "target" not in figures:
                continue
            row = {"name": names[kind][record_id], "kind": kind}
            for group in ("target", "control"):
                customers, buyers, revenue = figures.get(group, (0, 0, 0.0))
                row[f"{group}_customers"] = customers
                row[f"{group}_rate"] = 100.0 * buyers / customers if customers else None
                row[f"{group}_revenue"] = revenue / customers if customers else None
            results.append(row)
        return results
