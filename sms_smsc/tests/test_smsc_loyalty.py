"""A loyalty campaign through SMSC, where loyalty_program is installed
beside this addon (the project's test run installs both). This addon does
not depend on loyalty_program: alone, the class is skipped."""

import unittest

from odoo.modules.registry import Registry
from odoo.tests import HttpCase, get_db_name, tagged

from .common import SmscMock

try:
    from odoo.addons.loyalty_program.tests.campaign_common import CampaignCase
except ImportError:  # pragma: no cover - loyalty_program not on the path
    CampaignCase = None


if CampaignCase is not None:

    @tagged("post_install", "-at_install")
    class TestSmscLoyaltyCampaign(SmscMock, CampaignCase, HttpCase):
        @classmethod
        def setUpClass(cls):
            if "lp.campaign" not in Registry(get_db_name()):
                raise unittest.SkipTest("loyalty_program is not installed")
            super().setUpClass()
            cls.company.sudo().write(
                {
                    "sms_provider": "smsc",
                    "sms_smsc_login": "shop",
                    "sms_smsc_password": "secret",
                    "sms_smsc_currency_id": cls.company.currency_id.id,
                }
            )
            cls.token = cls.company._smsc_callback_url().rsplit("/", 1)[1]

        def setUp(self):
            super().setUp()
            self._smsc_reset()

        def send_campaign(self, campaign):
            self.schedule(campaign)
            with self.mock_mail_gateway():
                for mailing in campaign.mailing_ids.sorted("schedule_date"):
                    mailing._action_send_mail()
            self.env["sms.sms"].search([("state", "=", "outgoing")]).send()

        def test_campaign_refused_by_smsc(self):
            """No money on the SMSC account: the traces show the failure
            type, the campaign counts the failures and no SMS cost."""
            self.smsc_set(errors=[3])
            campaign = self.make_campaign(channel="sms", control_percent=0.0)
            self.send_campaign(campaign)
            traces = campaign.mailing_ids.mailing_trace_ids
            self.assertEqual(
                set(traces.mapped(lambda t: (t.trace_status, t.failure_type))),
                {("error", "sms_credit")},
            )
            campaign.action_compute_results()
            self.assertRecordValues(
                campaign,
                [
                    {
                        "sent_count": 0,
                        "delivered_count": 0,
                        "failed_count": 2,
                        "sms_cost_sent": 0.0,
                    }
                ],
            )

        def test_campaign_through_smsc(self):
            """The campaign's SMS go out through SMSC, its delivery reports
            come back through the status handler, and the campaign shows
            sent, delivered and failed, and the cost SMSC reported."""
            campaign = self.make_campaign(channel="sms", control_percent=0.0)
            self.send_campaign(campaign)
            # Anna and Clara, the two SMS customers
            sent = {s["phone"]: s for s in self.smsc_sent}
            self.assertEqual(len(sent), 2)
            anna = self.anna.lp_phone_e164.lstrip("+")
            clara = self.clara.lp_phone_e164.lstrip("+")
            self.assertEqual(set(sent), {anna, clara})
            for phone, status in ((anna, 1), (clara, 22)):
                response = self.url_open(
                    f"/sms_smsc/status/{self.token}",
                    data={"id": sent[phone]["id"], "phone": phone, "status": status},
                )
                self.assertEqual(response.status_code, 200)
            campaign.action_compute_results()
            reported = sum(s["cost"] for s in self.smsc_sent)
            self.assertGreater(reported, 0)
            self.assertRecordValues(
                campaign,
                [
                    {
                        "sent_count": 2,
                        "delivered_count": 1,
                        "failed_count": 1,
                        "sms_cost_sent": reported,
                        "cost": reported,
                    }
                ],
            )
            traces = campaign.mailing_ids.mailing_trace_ids
            self.assertEqual(sorted(traces.mapped("trace_status")), ["bounce", "sent"])
