import re
from urllib.parse import urlsplit

from odoo.tests import tagged

from .trigger_common import TriggerCase


@tagged("post_install", "-at_install")
class TestSmsOptOut(TriggerCase):
    """A customer refuses SMS from the SMS in hand: Odoo's opt-out link,
    opened as a visitor, withdraws the loyalty SMS consent (audited, source
    "unsubscribe"); no campaign or trigger SMS reaches them after."""

    def test_refuse_from_the_sms(self):
        campaign = self.make_campaign(channel="sms")
        campaign.action_prepare()
        campaign.action_schedule()
        later = self.make_campaign(name="Already scheduled", channel="sms")
        later.action_prepare()
        later.action_schedule()
        self.send(campaign)
        body = self._new_sms.filtered(lambda s: s.number == "+74012223344").body
        found = re.search(r"STOP SMS: (\S+)", body)
        self.assertTrue(found, body)
        # Clara opens the link of her SMS, not signed in
        path = urlsplit(found.group(1)).path
        response = self.url_open(f"{path}?sms_number=%2B74012223344")
        self.assertEqual(response.status_code, 200)
        self.assertIn("/unsubscribe/", response.url)
        self.assertFalse(self.clara.lp_consent_sms)
        event = self.env["lp.consent.event"].search(
            [("partner_id", "=", self.clara.id), ("channel", "=", "sms")],
            order="id desc",
            limit=1,
        )
        self.assertRecordValues(event, [{"granted": False, "source": "unsubscribe"}])
        # the campaign scheduled before she refused does not reach her
        self.send(later)
        self.assertEqual(self._new_sms.filtered(lambda s: s.state != "canceled").number,
                         "+79123456789")  # fmt: skip
        self.assertRecordValues(
            self.recipient(later, self.clara),
            [{"state": "cancel", "reason": "opted_out"}],
        )
        # nor a new campaign, nor a trigger
        again = self.make_campaign(name="Again", channel="sms")
        again.action_prepare()
        self.assertEqual(self.recipient(again, self.clara).reason, "no_consent")
        trigger = self.trigger("birthday", channel="sms")
        self.clara.lp_birthday = self.today.replace(year=1990)
        run = trigger._run(day=self.today)
        self.assertEqual(self.row(run, self.clara).state, "skipped")
        self.assertEqual(self.row(run, self.clara).reason, "no_consent")
