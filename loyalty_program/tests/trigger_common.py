from datetime import datetime, timedelta

import pytz

from odoo import fields

from .campaign_common import CampaignCase


class TriggerCase(CampaignCase):
    """The campaign fixtures (six customers on their channels, Moscow
    settings 10:00-21:00, cap 3 per 7 days) and the shipped triggers, all
    on the test program, no control group, off until a test switches one
    on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.triggers = cls.env["lp.trigger"].search(
            [("company_id", "=", cls.company.id)]
        )
        cls.triggers.write(
            {"program_id": cls.program.id, "control_percent": 0.0, "enabled": False}
        )

    @classmethod
    def trigger(cls, kind, **values):
        trigger = cls.triggers.filtered(lambda t: t.kind == kind)
        trigger.write({"enabled": True, **values})
        return trigger

    def run_trigger(self, trigger, day=None, now=None):
        return trigger._run(day=day, now=now)

    def occasions(self, trigger):
        return self.env["lp.trigger.message"].search(
            [("trigger_id", "=", trigger.id)], order="id"
        )

    def row(self, run, partner):
        return run.recipient_ids.filtered(lambda r: r.partner_id == partner)

    def send_run(self, run):
        """Send the run's mailings as the queue would, through the mocked
        gateways."""
        with self.mock_mail_gateway(), self.mockSMSGateway():
            for mailing in run.mailing_ids.sorted("schedule_date"):
                mailing._action_send_mail()

    def local(self, moment, tz):
        """``moment`` (naive UTC) in zone ``tz``, naive."""
        return (
            pytz.utc.localize(moment).astimezone(pytz.timezone(tz)).replace(tzinfo=None)
        )

    def assertDaytime(self, row):
        local = self.local(row.scheduled_date, row.tz)
        hour = local.hour + local.minute / 60
        self.assertTrue(10 <= hour < 21, f"{row.partner_id.name} at {local}")
        self.assertGreaterEqual(
            row.scheduled_date, fields.Datetime.now() - timedelta(minutes=1)
        )

    @staticmethod
    def utc(*args):
        return datetime(*args)
