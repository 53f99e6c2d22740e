from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

DELIVERED = ("sent", "open", "reply", "pending", "process")


class LpCampaign(models.Model):
    """Results of a campaign: who bought within the response window, target
    against control, what it cost and what it brought."""

    _inherit = "lp.campaign"  # pylint: disable=consider-merging-classes-inherited

    response_days = fields.Integer(
        string="Response window (days)",
        default=lambda self: (
            self.env["lp.campaign.config"]._for_company().response_days
        ),
    )
    results_date = fields.Datetime(string="Results as of", readonly=True, copy=False)
    target_customers = fields.Integer(readonly=True, copy=False)
    target_buyers = fields.Integer(readonly=True, copy=False)
    target_rate = fields.Float(string="Target: bought (%)", readonly=True, copy=False)
    target_revenue = fields.Monetary(readonly=True, copy=False)
    target_ticket = fields.Monetary(
        string="Target: average ticket", readonly=True, copy=False
    )
    control_customers = fields.Integer(readonly=True, copy=False)
    control_buyers = fields.Integer(readonly=True, copy=False)
    control_rate = fields.Float(string="Control: bought (%)", readonly=True, copy=False)
    control_revenue = fields.Monetary(readonly=True, copy=False)
    control_ticket = fields.Monetary(
        string="Control: average ticket", readonly=True, copy=False
    )
    uplift = fields.Float(
        string="Uplift (points of %)",
        readonly=True,
        copy=False,
        help="Share of buyers in the target minus the share in the control group.",
    )
    incremental_revenue = fields.Monetary(
        readonly=True,
        copy=False,
        help="(Revenue per target customer - revenue per control customer) "
        "x target customers: what the campaign brought.",
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
    roi = fields.Float(
        string="ROI (%)",
        readonly=True,
        copy=False,
        help="(Incremental revenue - cost) / cost.",
    )
    sent_count = fields.Integer(
        string="Sent",
        readonly=True,
        copy=False,
        help="Messages handed to the mail server or the SMS provider, "
        "delivered or not.",
    )
    opened_count = fields.Integer(string="Opened", readonly=True, copy=False)
    clicked_count = fields.Integer(string="Clicked", readonly=True, copy=False)
    bounced_count = fields.Integer(string="Bounced", readonly=True, copy=False)

    def action_compute_results(self):
        self._check_manager()
        for campaign in self:
            campaign._check_state("sending", "done")
        self._compute_results()
        return True

    @api.readonly
    def action_view_results(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_program.action_lp_campaign_results"
        )
        action["domain"] = [
            ("campaign_id", "in", self.ids),
            ("group", "in", ("target", "control")),
        ]
        return action

    @api.readonly
    def get_response_curve(self):
        """The form's results chart: target against control, day by day over
        the response window (:meth:`lp.message.dispatch._response_curve`).
        Loyalty users who may read the campaign; read-only."""
        self.ensure_one()
        if not self.env.user.has_group("loyalty_program.group_lp_user"):
            raise AccessError(self.env._("Only loyalty users read campaign results."))
        self.check_access("read")
        return self.env["lp.message.dispatch"]._response_curve(
            self._result_rows(), self.company_id, self.response_days
        )

    @api.model
    def _cron_results(self):
        """Daily: results of the campaigns whose response window is still
        open (or closed since the last run)."""
        since = fields.Datetime.now() - timedelta(days=1)
        campaigns = self.sudo().search([("state", "in", ("sending", "done"))])
        campaigns.filtered(
            lambda c: (
                not c.results_date
                or not c.last_send
                or c.last_send + timedelta(days=c.response_days) >= since
            )
        )._compute_results()

    def _result_rows(self):
        """The rows the results count (an SQL condition for
        :meth:`lp.message.dispatch._write_responses`): the campaign's."""
        self.ensure_one()
        return SQL("campaign_id = %s", self.id)

    def _compute_results(self):
        """Response per row, then the campaign's figures. Set-based."""
        self.env.flush_all()
        dispatch = self.env["lp.message.dispatch"]
        for campaign in self:
            rows = campaign._result_rows()
            dispatch._write_responses(rows, campaign.company_id, campaign.response_days)
            figures = dispatch._group_figures(rows)
            campaign.sudo().write(campaign._results_values(figures))
        self.env["lp.campaign.recipient"].invalidate_model()

    def _results_values(self, figures):
        self.ensure_one()
        dispatch = self.env["lp.message.dispatch"]
        config = self.env["lp.campaign.config"]._for_company(self.company_id)
        gift_spent = dispatch._gift_spent_points(
            SQL("c.res_model = 'lp.campaign' AND c.res_id = %s", self.id)
        ) * (self.program_id.point_value or 0.0)
        values = dispatch._results_values(figures, config.sms_part_price, gift_spent)
        values["results_date"] = fields.Datetime.now()
        values.update(self._delivery_figures())
        return values

    def _delivery_figures(self):
        """Odoo's own delivery figures of the campaign's mailings."""
        self.ensure_one()
        mailings = self.sudo().mailing_ids
        if not mailings:
            return {
                "sent_count": 0,
                "opened_count": 0,
                "clicked_count": 0,
                "bounced_count": 0,
            }
        self.env.cr.execute(
            SQL(
                """
                SELECT COUNT(*) FILTER (WHERE trace_status IN %s
                                           OR sent_datetime IS NOT NULL),
                       COUNT(*) FILTER (WHERE trace_status IN ('open', 'reply')),
                       COUNT(*) FILTER (WHERE links_click_datetime IS NOT NULL),
                       COUNT(*) FILTER (WHERE trace_status = 'bounce')
                  FROM mailing_trace WHERE mass_mailing_id IN %s
                """,
                DELIVERED,
                tuple(mailings.ids),
            )
        )
        sent, opened, clicked, bounced = self.env.cr.fetchone()
        return {
            "sent_count": sent,
            "opened_count": opened,
            "clicked_count": clicked,
            "bounced_count": bounced,
        }
