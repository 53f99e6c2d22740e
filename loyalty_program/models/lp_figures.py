from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..tools import figures


class LpFigures(models.AbstractModel):
    """The program's figures for a company and a period, with the period
    before for comparison: what the Loyalty dashboard shows.

    Each figure is defined once in :mod:`..tools.figures` (SQL over orders,
    members and the ledger); this model supplies the parameters and the
    hooks below, checks who asks, and runs the statement once per period.
    Nothing is stored."""

    _name = "lp.figures"
    _description = "Loyalty Figures"

    # Hooks, meant to be overridden

    @api.model
    def _orders_sql(self, company, end):
        """The purchases and refunds the figures read, up to ``end``
        (exclusive): ``partner_id`` (NULL for an anonymous sale), ``day``,
        ``amount`` (company currency, taxes included, negative for a
        refund), ``refund``. The same sources as the customer statistics
        (paid POS orders, confirmed sales orders, their posted credit notes)
        plus the till's anonymous sales. Meant to be overridden to add a
        source; keep the columns."""
        return SQL(
            """
            SELECT o.partner_id, o.date_order::date AS day,
                   o.amount_total / COALESCE(NULLIF(o.currency_rate, 0), 1) AS amount,
                   (o.is_refund OR o.amount_total < 0) AS refund
              FROM pos_order o
             WHERE o.state IN ('paid', 'done') AND o.company_id = %(company)s
               AND o.date_order < %(end)s
            UNION ALL
            SELECT s.partner_id, s.date_order::date,
                   s.amount_total / COALESCE(NULLIF(s.currency_rate, 0), 1), FALSE
              FROM sale_order s
             WHERE s.state = 'sale' AND s.company_id = %(company)s
               AND s.date_order < %(end)s
            UNION ALL
            (SELECT DISTINCT ON (m.id) s.partner_id, m.invoice_date,
                    m.amount_total_signed, TRUE
               FROM sale_order s
               JOIN sale_order_line sl ON sl.order_id = s.id
               JOIN sale_order_line_invoice_rel r ON r.order_line_id = sl.id
               JOIN account_move_line l ON l.id = r.invoice_line_id
               JOIN account_move m ON m.id = l.move_id
              WHERE s.state = 'sale' AND m.move_type = 'out_refund'
                AND m.state = 'posted' AND m.company_id = %(company)s
                AND m.invoice_date < %(end)s
              ORDER BY m.id, s.id)
            """,
            company=company.id,
            end=end,
        )

    @api.model
    def _campaigns_of(self, company, date_from, date_to):
        """Campaigns of ``company`` sent in the period (``lp.campaign`` when
        installed, else None)."""
        Campaign = self.env.get("lp.campaign")
        if Campaign is None or not {"send_date", "state"} <= set(Campaign._fields):
            return None
        return Campaign.sudo().search(
            [
                ("company_id", "=", company.id),
                ("state", "in", ("sending", "done")),
                ("send_date", ">=", date_from),
                ("send_date", "<=", date_to),
            ]
        )

    @api.model
    def _campaign_results(self, company, date_from, date_to):
        """Campaigns sent in the period: ``{"recipients", "responders",
        "incremental_revenue"}``, from the campaigns' own results (target
        customers, those who bought within the response window, revenue of
        the target above what the control group's revenue per customer
        predicts). ``lp.campaign._lp_figures(company, date_from, date_to)``
        replaces this when defined; zeros without campaigns. Meant to be
        overridden (triggers add theirs with ``super()``)."""
        results = {"recipients": 0, "responders": 0, "incremental_revenue": 0.0}
        Campaign = self.env.get("lp.campaign")
        if Campaign is not None and hasattr(Campaign, "_lp_figures"):
            results.update(Campaign.sudo()._lp_figures(company, date_from, date_to))
            return results
        campaigns = self._campaigns_of(company, date_from, date_to)
        needed = {"target_customers", "target_buyers", "incremental_revenue"}
        if campaigns and needed <= set(campaigns._fields):
            results["recipients"] = sum(campaigns.mapped("target_customers"))
            results["responders"] = sum(campaigns.mapped("target_buyers"))
            results["incremental_revenue"] = sum(
                campaigns.mapped("incremental_revenue")
            )
        return results

    @api.model
    def _sms_cost(self, company, date_from, date_to):
        """Money spent on SMS in the period: the SMS cost of the campaigns
        sent in the period (the prices the SMS provider reported, or the
        parts × the campaign settings' price per part); without campaigns,
        SMS traces of the period at the price their provider reported
        (``sms.tracker.sms_price``), else at the system parameter
        ``loyalty_program.sms_price``. Meant to be overridden (triggers'
        SMS, real IAP invoices)."""
        campaigns = self._campaigns_of(company, date_from, date_to)
        if campaigns is not None and "sms_cost_sent" in campaigns._fields:
            return sum(campaigns.mapped("sms_cost_sent"))
        price = float(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("loyalty_program.sms_price", "0")
            or 0
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(SUM(COALESCE(k.sms_price, %s)), 0)
                  FROM mailing_trace t
                  LEFT JOIN sms_tracker k ON k.mailing_trace_id = t.id
                 WHERE t.trace_type = 'sms'
                   AND t.trace_status NOT IN ('error', 'cancel')
                   AND t.create_date >= %s AND t.create_date < %s
                """,
                price,
                date_from,
                date_to + timedelta(days=1),
            )
        )
        return self.env.cr.fetchone()[0]

    # Computation

    @api.model
    def _sleeping_days(self, company):
        config = (
            self.env["lp.stats.config"]
            .sudo()
            .search([("company_id", "=", company.id)], limit=1)
        )
        return config.sleeping_days or 90

    @api.model
    def _compute_figures(self, company, date_from, date_to):
        """{figure name: value} of ``company`` over ``date_from`` ..
        ``date_to`` (both included). None where a ratio has nothing to divide
        by. No access check: callers check (see :meth:`get_dashboard`)."""
        start = date_from
        end = date_to + timedelta(days=1)
        campaigns = self._campaign_results(company, date_from, date_to)
        params = {
            "company": company.id,
            "start": start,
            "end": end,
            "prev_start": start - (end - start),
            "date_to": date_to,
            "date_before": start - timedelta(days=1),
            "sleeping_days": self._sleeping_days(company),
            "sms_cost": float(self._sms_cost(company, date_from, date_to)),
            "incremental_revenue": float(campaigns["incremental_revenue"]),
            "campaign_recipients": int(campaigns["recipients"]),
            "campaign_responders": int(campaigns["responders"]),
        }
        params["orders"] = self._orders_sql(company, end)
        self.env.flush_all()
        # One large statement of many expressions: compiling it (JIT) takes
        # longer than running it.
        self.env.cr.execute("SET LOCAL jit = off")
        self.env.cr.execute(figures.dashboard_sql(params))
        row = self.env.cr.dictfetchone()
        self.env.cr.execute("RESET jit")
        return {name: (float(v) if v is not None else None) for name, v in row.items()}

    @api.model
    def _tier_distribution(self, company, date_to):
        """[(tier, members)] on ``date_to``, tiers in threshold order."""
        self.env.flush_all()
        self.env.cr.execute(
            figures.tier_distribution_sql(company.id, date_to + timedelta(days=1))
        )
        counts = dict(self.env.cr.fetchall())
        tiers = (
            self.env["lp.tier"]
            .sudo()
            .browse(counts)
            .sorted(lambda t: (t.program_id.sequence, t.program_id.id, t.threshold))
        )
        return [(tier, counts[tier.id]) for tier in tiers]

    @api.model
    def _check_dashboard_access(self, company_id):
        if not self.env.user.has_group("loyalty_program.group_lp_user"):
            raise AccessError(self.env._("Only loyalty users can read the figures."))
        company = (
            self.env["res.company"].browse(company_id)
            if company_id
            else self.env.company
        )
        if company not in self.env.user.company_ids:
            raise AccessError(
                self.env._("You cannot read the figures of another company.")
            )
        return company.sudo()

    @api.model
    @api.readonly
    def get_dashboard(self, date_from, date_to, company_id=None, compare=None):
        """What the dashboard shows: every figure of the period and of the
        period it is compared with (``compare``: see :meth:`_periods`), the
        change in %, the tier distribution at both ends. The figures before
        are left out (None) when that period started before the company's
        first member joined: half a period is no comparison. Loyalty users
        only, for a company of theirs.

        Read-only (``@api.readonly``): over RPC it runs on a read-only
        cursor, on the replica when Odoo has one (``db_replica_host``), so
        it must never write, nor anything it calls (overrides included)."""
        company = self._check_dashboard_access(company_id)
        (cur_from, cur_to), (prev_from, prev_to) = self._periods(
            date_from, date_to, compare
        )
        current = self._compute_figures(company, cur_from, cur_to)
        start = self._program_start(company)
        comparable = not start or start <= prev_from
        if comparable:
            previous = self._compute_figures(company, prev_from, prev_to)
        else:
            previous = dict.fromkeys(current)
        lang = self.env.lang
        sections = []
        for key, label in figures.SECTIONS.items():
            rows = [
                {
                    "name": f.name,
                    "label": f.label._translate(lang),
                    "help": f.doc._translate(lang),
                    "unit": f.unit,
                    "better": f.better,
                    "value": current[f.name],
                    "previous": previous[f.name],
                    "delta": figures.delta(current[f.name], previous[f.name]),
                }
                for f in figures.FIGURES
                if f.section == key
            ]
            sections.append(
                {"key": key, "label": label._translate(lang), "figures": rows}
            )
        before = dict(self._tier_distribution(company, prev_to)) if comparable else {}
        tiers = [
            {
                "name": f"{tier.name} ({tier.program_id.name})",
                "members": count,
                "previous": before.pop(tier, 0) if comparable else None,
            }
            for tier, count in self._tier_distribution(company, cur_to)
        ]
        tiers += [
            {"name": f"{t.name} ({t.program_id.name})", "members": 0, "previous": c}
            for t, c in before.items()
        ]
        currency = company.currency_id
        return {
            "company": company.name,
            "currency": {
                "symbol": currency.symbol,
                "position": currency.position,
                "digits": currency.decimal_places,
            },
            "period": [fields.Date.to_string(cur_from), fields.Date.to_string(cur_to)],
            "previous_period": [
                fields.Date.to_string(prev_from),
                fields.Date.to_string(prev_to),
            ],
            "comparable": comparable,
            "program_start": fields.Date.to_string(start) if start else False,
            "sections": sections,
            "tiers": tiers,
        }
