from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .lp_ledger import commit_progress

# What practitioners report trigger campaigns bring back of sleeping customers.
WINBACK_REPORTED = (25.0, 35.0)


class LpTrigger(models.Model):
    """Results of a trigger over its last ``results_days`` days: who bought
    within the response window after their message, target against the
    control group, what it cost and what it brought; for the win-back
    trigger, the share of sleeping customers it brought back."""

    _inherit = "lp.trigger"  # pylint: disable=consider-merging-classes-inherited

    results_days = fields.Integer(
        string="Results over (days)",
        default=90,
        help="The results count the messages of this many last days.",
    )
    results_date = fields.Datetime(string="Results as of", readonly=True, copy=False)
    sent_count = fields.Integer(string="Messages sent", readonly=True, copy=False)
    target_customers = fields.Integer(readonly=True, copy=False)
    target_buyers = fields.Integer(readonly=True, copy=False)
    target_rate = fields.Float(string="Target: bought (%)", readonly=True, copy=False)
    target_revenue = fields.Monetary(readonly=True, copy=False)
    control_customers = fields.Integer(readonly=True, copy=False)
    control_buyers = fields.Integer(readonly=True, copy=False)
    control_rate = fields.Float(string="Control: bought (%)", readonly=True, copy=False)
    control_revenue = fields.Monetary(readonly=True, copy=False)
    uplift = fields.Float(string="Uplift (points of %)", readonly=True, copy=False)
    incremental_revenue = fields.Monetary(
        readonly=True,
        copy=False,
        help="(Revenue per target customer - revenue per control customer) "
        "x target customers.",
    )
    sms_parts_sent = fields.Integer(readonly=True, copy=False)
    sms_cost_sent = fields.Monetary(
        string="SMS cost",
        readonly=True,
        copy=False,
        help="The price the SMS provider reported for each SMS sent, or the "
        "parts sent x the price per part where it reports none.",
    )
    delivered_count = fields.Integer(
        string="SMS delivered",
        readonly=True,
        copy=False,
        help="SMS with the operator's delivery report.",
    )
    failed_count = fields.Integer(
        string="Failed",
        readonly=True,
        copy=False,
        help="Messages that failed at sending or at delivery.",
    )
    gift_spent_value = fields.Monetary(
        string="Gift points spent (value)", readonly=True, copy=False
    )
    cost = fields.Monetary(
        readonly=True,
        copy=False,
        help="SMS cost + value of the gift points spent.",
    )
    roi = fields.Float(string="ROI (%)", readonly=True, copy=False)
    winback_rate = fields.Float(
        string="Win-back rate (%)",
        readonly=True,
        copy=False,
        help="Share of the sleeping customers messaged who bought within the "
        "response window.",
    )
    winback_reported = fields.Char(
        string="Practitioners report", compute="_compute_winback_reported"
    )

    _results_days_positive = models.Constraint(
        "CHECK(results_days > 0)", "The results cover at least one day."
    )

    def _compute_winback_reported(self):
        low, high = WINBACK_REPORTED
        for trigger in self:
            trigger.winback_reported = self.env._(
                "%(low)s-%(high)s%% of sleeping customers",
                low=int(low),
                high=int(high),
            )

    def action_compute_results(self):
        self._check_manager()
        self.sudo()._compute_results()
        return True

    @api.readonly
    def action_view_results(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_program.action_lp_trigger_results"
        )
        action["domain"] = [
            ("trigger_id", "in", self.ids),
            ("group", "in", ("target", "control")),
        ]
        return action

    @api.readonly
    def get_response_curve(self):
        """The form's results chart: target against control, day by day over
        the response window, for the messages its results count. Loyalty
        users who may read the trigger; read-only."""
        self.ensure_one()
        if not self.env.user.has_group("loyalty_program.group_lp_user"):
            raise AccessError(self.env._("Only loyalty users read trigger results."))
        self.check_access("read")
        rows = self._result_rows(self._period_start(fields.Datetime.now()))
        return self.env["lp.message.dispatch"]._response_curve(
            rows, self.company_id, self.response_days
        )

    @api.model
    def _cron_results(self):
        triggers = self.sudo().search([("last_run_date", "!=", False)])
        triggers._compute_results()
        commit_progress(self.env, len(triggers))

    def _period_start(self, now):
        return now - timedelta(days=self.results_days)

    def _result_rows(self, since):
        """The rows the results count (an SQL condition for
        :meth:`lp.message.dispatch._write_responses`): the trigger's,
        scheduled since ``since``."""
        self.ensure_one()
        return SQL("trigger_id = %s AND scheduled_date >= %s", self.id, since)

    def _compute_results(self, now=None):
        """Response per row, then the trigger's figures. Set-based."""
        now = now or fields.Datetime.now()
        self.env.flush_all()
        dispatch = self.env["lp.message.dispatch"]
        for trigger in self:
            rows = trigger._result_rows(trigger._period_start(now))
            dispatch._write_responses(rows, trigger.company_id, trigger.response_days)
            figures = dispatch._group_figures(rows)
            trigger.write(trigger._results_values(figures, now))
        self.env["lp.campaign.recipient"].invalidate_model()

    def _results_values(self, figures, now):
        self.ensure_one()
        dispatch = self.env["lp.message.dispatch"]
        gift_spent = dispatch._gift_spent_points(
            SQL("c.source_key LIKE %s", f"trigger:{self.id}:%")
        ) * (self._program().point_value or 0.0)
        values = dispatch._results_values(
            figures, self._config().sms_part_price, gift_spent
        )
        values = {name: value for name, value in values.items() if name in self._fields}
        values["results_date"] = now
        values["sent_count"] = figures.get("target", {}).get("sent", 0)
        values["winback_rate"] = (
            values["target_rate"] if self.kind == "winback" else 0.0
        )
        return values
