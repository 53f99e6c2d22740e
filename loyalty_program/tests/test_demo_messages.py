import doctest
import heapq
import random
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from ..tools import demo_messages
from .trigger_common import TriggerCase

DELIVERED = {"sent", "open", "bounce", "error"}


@tagged("post_install", "-at_install")
class TestDemoMessages(TriggerCase):
    """The demo's messages go through the real machinery with the clock
    moved back: a campaign prepared, scheduled and sent on its day weeks
    ago, the trigger job run on a past day, emails through Odoo's sending
    path to no server, SMS through the demo's gateway, and the target
    group's answers added to the story."""

    def setUp(self):
        super().setUp()
        self.env["ir.model.data"].create(
            {
                "module": "loyalty_program",
                "name": "test_demo_segment",
                "model": "lp.segment",
                "res_id": self.segment.id,
            }
        )
        admin = self.env.ref("base.user_admin")
        admin.email = admin.email or "shop@example.com"  # mailings' sender
        self.demo = self.env["lp.demo"].with_user(admin)
        self.clock = fields.Datetime.now()
        self.state = {
            "program": self.program,
            "rng": random.Random(3),
            "clock": self.clock,
            "queue": [],
            "seq": 0,
        }

    def plan(self, campaigns):
        with patch.object(demo_messages, "CAMPAIGNS", campaigns):
            self.demo._demo_plan(self.state)

    def test_doctests(self):
        result = doctest.testmod(demo_messages)
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)

    def test_campaign_sent_weeks_ago(self):
        spec = dict(
            demo_messages.CAMPAIGNS[0],
            days_ago=20,
            segment="loyalty_program.test_demo_segment",
            control_percent=0.0,
            answer=1.0,
        )
        with patch.object(demo_messages, "CAMPAIGNS", [spec]):
            self.plan([spec])
            when, _order, _seq, kind, payload = heapq.heappop(self.state["queue"])
            self.assertEqual(kind, "campaign")
            self.demo._demo_campaign(self.state, when, *payload)
        campaign = self.env["lp.campaign"].search([("name", "=", spec["name"])])
        self.assertEqual(campaign.state, "scheduled")
        self.assertEqual(campaign.send_date, when.date())
        mailings = campaign.mailing_ids
        self.assertTrue(mailings)
        for mailing in mailings:
            self.assertLess(mailing.schedule_date, self.clock - timedelta(days=19))

        self.demo._demo_send_queue(self.state, when + timedelta(days=1))
        traces = mailings.mailing_trace_ids
        self.assertTrue(traces)
        self.assertLessEqual(set(traces.mapped("trace_status")), DELIVERED)
        for trace in traces.filtered("sent_datetime"):
            self.assertLess(trace.sent_datetime, self.clock - timedelta(days=18))
        self.assertFalse(
            self.env["mail.mail"].search(
                [("mailing_id", "in", mailings.ids), ("state", "=", "outgoing")]
            )
        )
        self.assertEqual(set(mailings.mapped("state")), {"done"})
        sent = campaign.recipient_ids.filtered(lambda r: r.state == "sent")
        self.assertTrue(sent)
        # the gift is credited on the day it was sent
        gifts = self.env["lp.ledger"].search([("kind", "=", "campaign")])
        self.assertEqual(len(gifts), len(sent.filtered("member_id")))
        for gift in gifts:
            self.assertLess(gift.date, self.clock - timedelta(days=18))
        # every target customer answers (answer 1.0): a visit in the window
        visits = [e for e in self.state["queue"] if e[3] == "pos"]
        self.assertEqual(
            {e[4][0] for e in visits},
            set(sent.filtered(lambda r: r.group == "target").partner_id),
        )
        for visit in visits:
            self.assertTrue(when < visit[0] < when + timedelta(days=spec["days_ago"]))

    def test_trigger_job_on_a_past_day(self):
        self.plan([])
        triggers = self.state["triggers"]
        self.assertEqual(len(triggers), len(self.triggers))
        self.assertEqual(set(triggers.mapped("program_id")), {self.program})
        self.assertEqual(set(triggers.mapped("catch_up_days")), {7})
        # the welcome's control group would hold Boris out on some days
        triggers.filtered(lambda t: t.kind == "welcome").control_percent = 0.0
        every = demo_messages.TRIGGER_EVERY_DAYS
        day = self.clock.date() - timedelta(days=3)
        day -= timedelta(days=day.toordinal() % every)
        # Boris joined two days before the job's day: he is welcomed
        boris = self.members[self.boris.id]
        self.env.cr.execute(
            "UPDATE lp_member SET join_date = %s WHERE id = %s",
            [day - timedelta(days=2), boris.id],
        )
        boris.invalidate_recordset()
        self.demo._demo_messages_day(self.state, day)
        runs = self.env["lp.trigger.run"].search([("trigger_id", "in", triggers.ids)])
        self.assertEqual(runs.trigger_id, triggers)
        self.assertEqual(set(runs.mapped("day")), {day})
        moment = self.demo._demo_local(self.state, day, 6)
        self.assertEqual(set(runs.mapped("date")), {moment})
        welcome = runs.filtered(lambda r: r.trigger_id.kind == "welcome")
        self.assertEqual(welcome.recipient_ids.partner_id, self.boris)
        self.assertEqual(welcome.mailing_ids.mapped("schedule_date")[0].date(), day)
        self.demo._demo_messages_day(self.state, day + timedelta(days=1))
        self.assertEqual(welcome.recipient_ids.state, "sent")
        # a trigger day that is today is left to the real job
        today = self.clock.date()
        if today.toordinal() % every == 0:
            self.demo._demo_messages_day(self.state, today)
            self.assertFalse(self.env["lp.trigger.run"].search([("day", "=", today)]))

    def test_campaign_that_did_not_pay(self):
        """The story's campaign that did not pay: its customers stay away
        over its response window (no till order is made for them), then
        come back."""
        spec = dict(
            demo_messages.CAMPAIGNS[-1],
            days_ago=20,
            segment="loyalty_program.test_demo_segment",
        )
        self.assertTrue(spec["stay_away"])
        self.assertEqual(spec["answer"], 0.0)
        with patch.object(demo_messages, "CAMPAIGNS", [spec]):
            self.plan([spec])
            when, _order, _seq, _kind, payload = heapq.heappop(self.state["queue"])
            self.demo._demo_campaign(self.state, when, *payload)
        campaign = self.env["lp.campaign"].search([("name", "=", spec["name"])])
        window = timedelta(days=campaign.response_days)
        for partner in campaign.recipient_ids.partner_id:
            self.assertTrue(self.demo._demo_away(self.state, partner, when + window))
            self.assertFalse(
                self.demo._demo_away(self.state, partner, when + 2 * window)
            )
        stranger = self.env["res.partner"].create({"name": "Not in the segment"})
        self.assertFalse(self.demo._demo_away(self.state, stranger, when))
