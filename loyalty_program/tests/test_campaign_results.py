from odoo.tests import tagged
from odoo.tools import SQL

from .campaign_common import CampaignCase


@tagged("post_install", "-at_install")
class TestCampaignResults(CampaignCase):
    """Response of the target against the control group, on constructed
    order histories: share of buyers, revenue, ticket, uplift, cost, ROI."""

    def test_results_against_control(self):
        crowd = self.env["res.partner"].create(
            [
                {
                    "name": f"Buyer {i}",
                    "email": f"buyer{i}@example.com",
                    "lp_consent_email": True,
                }
                for i in range(40)
            ]
        )
        for partner in crowd:
            self.env["lp.member"]._enrol(partner, self.program, welcome=False)
        campaign = self.make_campaign(
            segment_id=False,
            domain=repr([("id", "in", crowd.ids)]),
            control_percent=50.0,
            response_days=14,
        )
        self.schedule(campaign)
        self.send(campaign)
        # the campaign went out five days ago
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE lp_campaign_recipient
                   SET scheduled_date = now() at time zone 'UTC' - interval '5 days'
                 WHERE campaign_id = %s
                """,
                campaign.id,
            )
        )
        self.env.invalidate_all()
        rows = campaign.recipient_ids
        target = rows.filtered(lambda r: r.group == "target").partner_id
        control = rows.filtered(lambda r: r.group == "control").partner_id
        self.assertTrue(target and control)
        buyers_t = target[: len(target) // 2]
        buyers_c = control[: len(control) // 4]
        for partner in buyers_t:
            self.sale(partner, 1000, days_ago=2)
            self.sale(partner, 500, days_ago=1)
        for partner in buyers_c:
            self.sale(partner, 600, days_ago=2)
        # before the message: not a response
        self.sale(target[-1], 5000, days_ago=10)
        # a target customer spends 30 of the 50 gift points
        member = self.env["lp.member"].search(
            [("partner_id", "=", buyers_t[0].id), ("program_id", "=", self.program.id)]
        )
        self.assertEqual(member.balance, 50.0)
        member._spend(30, source_key="test-spend")

        campaign.with_user(self.manager).action_compute_results()

        rate_t = len(buyers_t) / len(target)
        rate_c = len(buyers_c) / len(control)
        revenue_t = 1500.0 * len(buyers_t)
        revenue_c = 600.0 * len(buyers_c)
        incremental = (revenue_t / len(target) - revenue_c / len(control)) * len(target)
        self.assertRecordValues(
            campaign,
            [
                {
                    "target_customers": len(target),
                    "target_buyers": len(buyers_t),
                    "target_revenue": revenue_t,
                    "target_ticket": 750.0,
                    "control_customers": len(control),
                    "control_buyers": len(buyers_c),
                    "control_revenue": revenue_c,
                    "control_ticket": 600.0 if buyers_c else 0.0,
                    "sms_parts_sent": 0,
                    "gift_spent_value": 30.0,
                    "cost": 30.0,
                    "sent_count": len(target),
                }
            ],
        )
        self.assertAlmostEqual(campaign.target_rate, rate_t * 100, places=4)
        self.assertAlmostEqual(campaign.control_rate, rate_c * 100, places=4)
        self.assertAlmostEqual(campaign.uplift, (rate_t - rate_c) * 100, places=4)
        self.assertAlmostEqual(campaign.incremental_revenue, incremental, places=2)
        self.assertAlmostEqual(
            campaign.roi, (incremental - 30.0) / 30.0 * 100, places=2
        )
        bought = rows.filtered("bought").partner_id
        self.assertEqual(bought, buyers_t | buyers_c)
        # the pivot's figures come from the same rows
        groups = dict(
            self.env["lp.campaign.recipient"]._read_group(
                [("campaign_id", "=", campaign.id)], ["group"], ["response_revenue:sum"]
            )
        )
        self.assertEqual(groups["target"], revenue_t)
        self.assertEqual(groups["control"], revenue_c)

    def test_sms_cost(self):
        campaign = self.make_campaign(channel="sms", control_percent=0.0)
        self.schedule(campaign)
        self.send(campaign)
        campaign.action_compute_results()
        # Anna and Clara, one GSM-7 part each, at 2.5
        self.assertRecordValues(
            campaign, [{"sms_parts_sent": 2, "cost": 5.0, "target_customers": 2}]
        )

    def test_sms_cost_reported_by_provider(self):
        """An SMS provider that reports each SMS's price (on its tracker,
        ``sms_price``, company currency) is counted at that price, an SMS
        without one at the flat price per part; its delivery reports give
        the delivered and failed counts."""
        campaign = self.make_campaign(channel="sms", control_percent=0.0)
        self.schedule(campaign)
        self.send(campaign)
        trackers = self.env["sms.tracker"].search(
            [("mailing_trace_id.mass_mailing_id", "in", campaign.mailing_ids.ids)]
        )
        by_row = {tracker.mailing_trace_id.res_id: tracker for tracker in trackers}
        anna = by_row[self.recipient(campaign, self.anna).id]
        clara = by_row[self.recipient(campaign, self.clara).id]
        anna.sms_price = 3.9
        anna._action_update_from_sms_state("sent")
        clara._action_update_from_provider_error("invalid_destination")
        campaign.action_compute_results()
        # Anna at the price her provider reported, Clara (no price) at 2.5
        self.assertRecordValues(
            campaign,
            [
                {
                    "sms_parts_sent": 2,
                    "sms_cost_sent": 6.4,
                    "cost": 6.4,
                    "delivered_count": 1,
                    "failed_count": 1,
                }
            ],
        )
