from odoo.tests import tagged
from odoo.tools import SQL

from .trigger_common import TriggerCase


@tagged("post_install", "-at_install")
class TestTriggerResults(TriggerCase):
    """Results of a trigger on constructed histories: buyers within the
    response window, target against control, revenue, cost, ROI and the
    win-back rate."""

    def test_winback_results_against_control(self):
        trigger = self.trigger(
            "winback",
            winback_rule="days",
            days=100,
            control_percent=50.0,
            gift_points=50.0,
            response_days=14,
        )
        self.config.sms_part_price = 2.0
        crowd = self.env["res.partner"].create(
            [
                {
                    "name": f"Sleeper {i}",
                    "phone": f"+7 916 000 00 {i:02d}",
                    "lp_consent_sms": True,
                }
                for i in range(40)
            ]
        )
        for partner in crowd:
            # joined without the welcome bonus, so the spend below takes the gift
            self.env["lp.member"]._enrol(partner, self.program, welcome=False)
            self.sale(partner, 100, days_ago=105)
        self.run_nightly()
        run = trigger._run(day=self.days(5))
        self.send_run(run)
        # the messages went out five days ago
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE lp_campaign_recipient
                   SET scheduled_date = now() at time zone 'UTC' - interval '5 days'
                 WHERE trigger_run_id = %s
                """,
                run.id,
            )
        )
        self.env.invalidate_all()
        rows = run.recipient_ids
        target = rows.filtered(lambda r: r.group == "target").partner_id
        control = rows.filtered(lambda r: r.group == "control").partner_id
        self.assertTrue(target and control)
        self.assertEqual(len(target | control), 40)
        back_t = target[: max(1, len(target) * 3 // 10)]
        back_c = control[: len(control) // 10]
        for partner in back_t:
            self.sale(partner, 1000, days_ago=2)
        for partner in back_c:
            self.sale(partner, 800, days_ago=3)
        # a purchase before the message is not a response
        self.sale(target[-1], 5000, days_ago=8)
        # one target customer spends 20 of the 50 gift points
        member = self.env["lp.member"].search(
            [("partner_id", "=", back_t[0].id), ("program_id", "=", self.program.id)]
        )
        member._spend(20, source_key="test-spend")
        # the SMS provider reported a price for one SMS and delivered it,
        # another bounced (a wrong number)
        trackers = self.env["sms.tracker"].search(
            [("mailing_trace_id.mass_mailing_id", "in", run.mailing_ids.ids)]
        )
        self.assertEqual(len(trackers), len(target))
        trackers[0].sms_price = 3.0
        trackers[0]._action_update_from_sms_state("sent")
        trackers[1]._action_update_from_provider_error("invalid_destination")

        trigger.with_user(self.manager).action_compute_results()

        rate_t = len(back_t) / len(target)
        rate_c = len(back_c) / len(control)
        revenue_t = 1000.0 * len(back_t)
        revenue_c = 800.0 * len(back_c)
        incremental = (revenue_t / len(target) - revenue_c / len(control)) * len(target)
        # one SMS part each at 2.0, the reported 3.0 for one, + gift spent
        sms_cost = (len(target) - 1) * 2.0 + 3.0
        cost = sms_cost + 20.0
        self.assertRecordValues(
            trigger,
            [
                {
                    "sent_count": len(target),
                    "target_customers": len(target),
                    "target_buyers": len(back_t),
                    "target_revenue": revenue_t,
                    "control_customers": len(control),
                    "control_buyers": len(back_c),
                    "control_revenue": revenue_c,
                    "sms_parts_sent": len(target),
                    "sms_cost_sent": sms_cost,
                    "delivered_count": 1,
                    "failed_count": 1,
                    "gift_spent_value": 20.0,
                    "cost": cost,
                }
            ],
        )
        self.assertAlmostEqual(trigger.target_rate, rate_t * 100, places=4)
        self.assertAlmostEqual(trigger.winback_rate, rate_t * 100, places=4)
        self.assertAlmostEqual(trigger.control_rate, rate_c * 100, places=4)
        self.assertAlmostEqual(trigger.uplift, (rate_t - rate_c) * 100, places=4)
        self.assertAlmostEqual(trigger.incremental_revenue, incremental, places=2)
        self.assertAlmostEqual(trigger.roi, (incremental - cost) / cost * 100, places=2)
        self.assertIn("25", trigger.winback_reported)
        self.assertEqual(rows.filtered("bought").partner_id, back_t | back_c)
        # the results view reads the same rows
        action = trigger.action_view_results()
        groups = dict(
            self.env["lp.campaign.recipient"]._read_group(
                action["domain"], ["group"], ["response_revenue:sum"]
            )
        )
        self.assertEqual(groups, {"target": revenue_t, "control": revenue_c})
        # the dashboard counts the trigger's messages as campaigns' (none here)
        values = self.env["lp.figures"]._compute_figures(
            self.company, self.days(29), self.today
        )
        self.assertAlmostEqual(values["incremental_revenue"], incremental, places=2)
        self.assertAlmostEqual(values["campaign_response"], rate_t * 100, places=4)
        self.assertAlmostEqual(values["sms_cost"], sms_cost, places=2)
        # other triggers show no win-back rate
        expiry = self.trigger("expiry")
        expiry._compute_results()
        self.assertEqual(expiry.winback_rate, 0.0)
