from datetime import date, datetime

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..tools import sms_parts
from .campaign_common import CampaignCase

DAY = date(2027, 3, 2)


@tagged("post_install", "-at_install")
class TestCampaignPromises(CampaignCase):
    """What the manager previewed is what goes out, when it goes out:
    send times fixed at scheduling, the frequency cap over everything
    queued, a preview that a change invalidates, SMS parts of the SMS as
    the operator gets it."""

    def due_now(self, campaign):
        """The campaign's mailings the queue would send now."""
        return self.env["mailing.mailing"].search(
            [
                ("lp_campaign_id", "=", campaign.id),
                ("state", "in", ("in_queue", "sending")),
                ("schedule_date", "<", fields.Datetime.now()),
            ]
        )

    # Never at night, whenever the manager clicks

    def test_previewed_at_noon_scheduled_at_night(self):
        campaign = self.make_campaign(send_date=DAY)
        with freeze_time("2027-03-02 09:00:00"):  # 12:00 in Moscow
            campaign.with_user(self.manager).action_prepare()
        # at the preview, Moscow's window was open: at once
        self.assertEqual(
            self.recipient(campaign, self.anna).scheduled_date,
            datetime(2027, 3, 2, 9, 0),
        )
        with freeze_time("2027-03-02 20:00:00"):  # 23:00 in Moscow
            campaign.with_user(self.manager).action_schedule()
            self.assertEqual(campaign.state, "scheduled")
            self.assertFalse(self.due_now(campaign), "nothing goes out at night")
        # everybody the next morning at 10:00 of their own zone
        expected = {
            self.anna: datetime(2027, 3, 3, 7, 0),  # Moscow
            self.boris: datetime(2027, 3, 3, 0, 0),  # Vladivostok
            self.clara: datetime(2027, 3, 3, 8, 0),  # Kaliningrad
        }
        for partner, moment in expected.items():
            row = self.recipient(campaign, partner)
            self.assertEqual(row.scheduled_date, moment, partner.name)
            self.assertEqual(row.mailing_id.schedule_date, moment, partner.name)
        self.assertEqual(campaign.first_send, datetime(2027, 3, 3, 0, 0))

    def test_send_on_moved_after_preview(self):
        campaign = self.make_campaign()
        campaign.action_prepare()
        campaign.with_user(self.manager).send_date = DAY
        self.assertFalse(campaign.prepared_date)
        self.assertIn("Send on", campaign.preview_warning)
        with self.assertRaises(UserError) as refused:
            campaign.with_user(self.manager).action_schedule()
        self.assertIn("Send on", str(refused.exception))
        with freeze_time("2027-03-02 20:00:00"):  # 23:00 in Moscow
            campaign.with_user(self.manager).action_prepare()
            self.assertFalse(campaign.preview_warning)
            campaign.with_user(self.manager).action_schedule()
            self.assertFalse(self.due_now(campaign))
        self.assertEqual(
            self.recipient(campaign, self.anna).scheduled_date,
            datetime(2027, 3, 3, 7, 0),
        )
        # once scheduled, the day no longer moves: cancel first
        with self.assertRaises(UserError):
            campaign.with_user(self.manager).send_date = date(2027, 3, 9)
        self.assertEqual(campaign.send_date, DAY)

    # The frequency cap holds across everything queued

    def test_cap_two_campaigns_previewed_before_either_scheduled(self):
        self.config.cap_messages = 1
        first = self.make_campaign()
        second = self.make_campaign(name="Second offer")
        first.action_prepare()
        second.action_prepare()
        self.assertEqual(second.capped_count, 0, "nothing queued yet")
        first.with_user(self.manager).action_schedule()
        second.with_user(self.manager).action_schedule()
        # not scheduled: its figures changed, the manager sees them first
        self.assertEqual(second.state, "draft")
        self.assertFalse(second.mailing_ids)
        self.assertEqual(second.capped_count, 3)
        self.assertIn("Frequency cap: 0 → 3", second.preview_warning)
        for partner in (self.anna, self.boris, self.clara):
            self.assertRecordValues(
                self.recipient(second, partner),
                [{"state": "skipped", "reason": "capped", "gift_points": 0.0}],
            )
        with self.assertRaises(UserError):  # nobody left to reach
            second.with_user(self.manager).action_schedule()
        self.send(first)
        self.assertEqual(len(self._new_sms) + len(self._new_mails), 3)

    def test_cap_counts_queued_and_sent_not_previews(self):
        self.config.cap_messages = 1
        sent = self.make_campaign(channel="email")  # Anna and Boris
        sent.action_prepare()
        sent.action_schedule()
        self.send(sent)
        previewed = self.make_campaign(name="Only previewed", channel="sms")
        previewed.action_prepare()  # Anna and Clara, never scheduled
        third = self.make_campaign(name="Third")
        third.action_prepare()
        self.assertRecordValues(
            self.recipient(third, self.anna) | self.recipient(third, self.clara),
            [
                {"state": "skipped", "reason": "capped"},  # got the email
                {"state": "target", "reason": False},  # a preview is no message
            ],
        )

    # What is sent is what was previewed

    def test_change_after_preview_invalidates_it(self):
        other = self.env["lp.segment"].create(
            {"name": "Other", "domain": repr([("id", "=", self.anna.id)])}
        )
        changes = {
            "segment_id": other.id,
            "domain": repr([("id", "=", self.boris.id)]),
            "program_id": self.env["lp.program"].create({"name": "Other Club"}).id,
            "channel": "sms",
            "send_date": DAY,
            "control_percent": 20.0,
            "gift_points": 70.0,
            "gift_lifetime_days": 10,
            "email_subject": "Another subject",
            "email_body": "<p>Another text</p>",
            "sms_body": "Another SMS",
        }
        campaign = self.make_campaign()
        for field, value in changes.items():
            campaign.action_prepare()
            self.assertTrue(campaign.prepared_date)
            campaign.with_user(self.manager).write({field: value})
            label = campaign._fields[field].get_description(self.env)["string"]
            self.assertFalse(campaign.prepared_date, field)
            self.assertIn(label, campaign.preview_warning, field)
            with self.assertRaises(UserError, msg=field):
                campaign.with_user(self.manager).action_schedule()
        # a translation changed after the preview invalidates it too
        self.env["res.lang"]._activate_lang("ru_RU")
        campaign.write({"channel": "auto", "segment_id": self.segment.id})
        campaign.action_prepare()
        campaign.with_user(self.manager).update_field_translations(
            "sms_body", {"ru_RU": "Другой текст"}
        )
        self.assertFalse(campaign.prepared_date)
        self.assertIn("SMS text", campaign.preview_warning)
        # the name or the responsible do not change what is sent
        campaign.action_prepare()
        campaign.write({"name": "Renamed", "user_id": self.user.id})
        self.assertTrue(campaign.prepared_date)

    def test_change_after_scheduling_refused(self):
        campaign = self.make_campaign()
        campaign.action_prepare()
        campaign.action_schedule()
        manager = campaign.with_user(self.manager)
        for values in (
            {"gift_points": 500.0},
            {"sms_body": "Another SMS"},
            {"control_percent": 0.5},
            {"segment_id": False},
        ):
            with self.assertRaises(UserError, msg=values):
                manager.write(values)
        with self.assertRaises(UserError):
            manager.update_field_translations("sms_body", {"en_US": "Another SMS"})
        self.assertEqual(campaign.gift_points, 50.0)
        # Odoo's mailing of the campaign is not edited behind its back either
        mailing = campaign.mailing_ids.filtered(lambda m: m.mailing_type == "sms")[:1]
        for values in (
            {"body_plaintext": "Something else"},
            {"schedule_date": datetime(2027, 1, 1, 3, 0)},
        ):
            with self.assertRaises(UserError, msg=values):
                mailing.write(values)
        # cancelled, back to draft: editable, previewed again
        campaign.action_cancel()
        campaign.action_reset_draft()
        manager.write({"gift_points": 500.0})
        self.assertEqual(campaign.gift_points, 500.0)

    def test_schedule_needs_a_preview(self):
        campaign = self.make_campaign()
        with self.assertRaises(UserError):
            campaign.with_user(self.manager).action_schedule()
        self.assertEqual(campaign.state, "draft")
        self.assertFalse(campaign.mailing_ids)
        # previewed yesterday for yesterday: its day has passed
        with freeze_time("2027-03-02 12:00:00"):
            campaign.send_date = DAY
            campaign.action_prepare()
        with freeze_time("2027-03-03 12:00:00"), self.assertRaises(UserError):
            campaign.with_user(self.manager).action_schedule()
        self.assertFalse(campaign.mailing_ids)

    # SMS parts and cost of the SMS actually sent

    def test_sms_parts_and_cost_of_the_sms_sent(self):
        # 162 characters as written (two GSM-7 parts), about 135 once Odoo
        # shortened the link (one part), about 180 with the opt-out line
        # Odoo adds (two parts): the operator bills the last
        campaign = self.make_campaign(
            channel="sms",
            sms_body="{first_name}, +{gift_points} points until Sunday, see "
            "https://shop.example.com/spring-offer-for-our-best-customers "
            "Card *{card_ending}. Thank you for shopping with us all year, see "
            "you soon!",
        )
        campaign.action_prepare()
        preview = campaign.sms_total_parts
        self.assertEqual(campaign.sms_cost, preview * 2.5)
        campaign.action_schedule()
        self.assertEqual(campaign.sms_total_parts, preview)
        with self.mock_mail_gateway(), self.mockSMSGateway():
            for mailing in campaign.mailing_ids:
                mailing._action_send_mail()
            self.env["sms.sms"].sudo().search([("state", "=", "outgoing")])._send()
        billed = {sms["number"]: sms["body"] for sms in self._sms}
        self.assertEqual(set(billed), {"+79123456789", "+74012223344"})
        total = sum(sms_parts.count(body).parts for body in billed.values())
        self.assertEqual(preview, total, "the preview counted what was billed")
        self.assertEqual(total, 4, "two parts each, as the operator bills")
        for number, body in billed.items():
            self.assertIn("/r/", body, "the link is shortened")
            self.assertIn("STOP SMS: ", body, "the opt-out line is added")
            row = campaign.recipient_ids.filtered(lambda r, n=number: r.phone == n)
            self.assertEqual(row.sms_parts, sms_parts.count(body).parts, number)
        campaign.action_compute_results()
        self.assertRecordValues(
            campaign, [{"sms_parts_sent": total, "cost": total * 2.5}]
        )

    def test_opt_out_line_in_customer_language(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        self.clara.lang = "ru_RU"
        campaign = self.make_campaign(channel="sms", sms_body="Hello {first_name}")
        campaign.update_field_translations(
            "sms_body", {"ru_RU": "Привет, {first_name}"}
        )
        campaign.action_prepare()
        campaign.action_schedule()
        self.send(campaign)
        bodies = {sms.number: sms.body for sms in self._new_sms}
        self.assertTrue(bodies["+79123456789"].startswith("Hello Anna\nSTOP SMS: "))
        self.assertTrue(
            bodies["+74012223344"].startswith("Привет, Clara\nСТОП SMS: http")
        )
        for number, body in bodies.items():
            row = campaign.recipient_ids.filtered(lambda r, n=number: r.phone == n)
            self.assertEqual(row.sms_parts, sms_parts.count(body).parts, number)
