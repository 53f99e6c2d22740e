from datetime import datetime, time, timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..tools import sms_parts
from .campaign_common import CampaignCase


@tagged("post_install", "-at_install")
class TestCampaign(CampaignCase):
    """Who gets what, on which channel, when; control, consent, cap, gift."""

    def utc(self, hour):
        return datetime.combine(self.send_day, time(hour))

    def test_channel_per_customer_and_reasons(self):
        campaign = self.make_campaign()
        campaign.with_user(self.manager).action_prepare()
        expected = {
            self.anna: ("target", "sms", False),  # prefers SMS
            self.boris: ("target", "email", False),  # email consent only
            self.clara: ("target", "sms", False),  # SMS consent only
            self.dima: ("skipped", False, "no_consent"),
            self.eva: ("skipped", False, "no_address"),
            self.fedor: ("skipped", False, "blacklisted"),
        }
        for partner, (state, channel, reason) in expected.items():
            recipient = self.recipient(campaign, partner)
            self.assertRecordValues(
                recipient,
                [{"state": state, "channel": channel, "reason": reason}],
            )
        self.assertRecordValues(
            campaign,
            [
                {
                    "audience_count": 6,
                    "email_count": 1,
                    "sms_count": 2,
                    "control_count": 0,
                    "no_consent_count": 1,
                    "no_address_count": 1,
                    "blacklisted_count": 1,
                    "capped_count": 0,
                    "bucket_count": 3,
                    "gift_total": 150.0,
                }
            ],
        )
        # a channel forced to email reaches only the email consents
        email_only = self.make_campaign(channel="email")
        email_only.action_prepare()
        self.assertEqual(
            email_only.recipient_ids.filtered(lambda r: r.state == "target").partner_id,
            self.anna | self.boris,
        )
        self.assertEqual(self.recipient(email_only, self.clara).reason, "no_consent")

    def test_local_daytime_buckets(self):
        campaign = self.make_campaign()
        # a loyalty manager schedules without being an Email Marketing user
        campaign.with_user(self.manager).action_prepare()
        campaign.with_user(self.manager).action_schedule()
        # each at 10:00 of their own zone on the send day
        self.assertEqual(
            self.recipient(campaign, self.boris).scheduled_date, self.utc(0)
        )
        self.assertEqual(
            self.recipient(campaign, self.anna).scheduled_date, self.utc(7)
        )
        self.assertEqual(
            self.recipient(campaign, self.clara).scheduled_date, self.utc(8)
        )
        mailings = campaign.mailing_ids.sorted("schedule_date")
        self.assertEqual(
            [(m.mailing_type, m.schedule_date, m.state) for m in mailings],
            [
                ("mail", self.utc(0), "in_queue"),
                ("sms", self.utc(7), "in_queue"),
                ("sms", self.utc(8), "in_queue"),
            ],
        )
        self.assertEqual(len(mailings.campaign_id), 1, "one UTM campaign")
        self.assertEqual(mailings.campaign_id, campaign.utm_campaign_id)
        self.assertEqual(campaign.state, "scheduled")
        # each mailing sends exactly its stored rows
        self.assertEqual(
            mailings[1]._get_recipients(), self.recipient(campaign, self.anna).ids
        )

    def test_window_already_open_or_over(self):
        """Scheduled today: a customer whose window is open gets it now, one
        whose window is over gets it tomorrow at 10:00; never at night."""
        campaign = self.make_campaign(send_date=self.today)
        campaign.action_prepare()
        now = datetime.now()
        for recipient in campaign.recipient_ids.filtered("scheduled_date"):
            moment = recipient.scheduled_date
            self.assertGreaterEqual(moment, now.replace(second=0, microsecond=0))
            self.assertLess(moment, now + timedelta(days=1, hours=1))
            local = (
                moment
                + {
                    "Europe/Moscow": timedelta(hours=3),
                    "Asia/Vladivostok": timedelta(hours=10),
                    "Europe/Kaliningrad": timedelta(hours=2),
                }[recipient.tz]
            )
            self.assertTrue(10 <= local.hour < 21, f"{recipient.tz}: {local}")

    def test_send_who_got_what(self):
        campaign = self.make_campaign()
        self.schedule(campaign)
        self.send(campaign)
        sms = self.first_lines(self._new_sms)
        self.assertEqual(
            sms,
            {
                "+79123456789": "Anna, +50 points! Card *"
                + self.members[self.anna.id].card_number[-4:],
                "+74012223344": "Clara, +50 points! Card *"
                + self.members[self.clara.id].card_number[-4:],
            },
        )
        self.assertEqual(len(self._new_mails), 1)
        mail = self._new_mails
        self.assertEqual(mail.recipient_ids, self.boris)
        self.assertEqual(mail.subject, "Boris, a gift for you")
        self.assertIn("Hello Boris Petrov, 50 points are yours.", mail.body_html)
        self.assertIn("unsubscribe", mail.body_html)
        for partner in (self.anna, self.boris, self.clara):
            self.assertEqual(self.recipient(campaign, partner).state, "sent")
        for partner in (self.dima, self.eva, self.fedor):
            self.assertEqual(self.recipient(campaign, partner).state, "skipped")
        # the gift, credited once through the ledger
        gifts = self.env["lp.ledger"].search(
            [("kind", "=", "campaign"), ("source_key", "=", f"campaign:{campaign.id}")]
        )
        self.assertEqual(gifts.partner_id, self.anna | self.boris | self.clara)
        self.assertEqual(gifts.mapped("amount"), [50.0] * 3)
        self.assertEqual(
            set(gifts.mapped("expiry_date")), {self.today + timedelta(days=30)}
        )
        self.env["lp.message.dispatch"]._post_gifts(campaign.recipient_ids)
        self.assertEqual(
            self.env["lp.ledger"].search_count([("kind", "=", "campaign")]), 3
        )
        self.assertEqual(self.members[self.boris.id].balance, 50.0)
        self.assertConsistent()
        # never twice: the mailings have nobody left, the campaign is past draft
        with self.assertRaises(UserError):
            campaign.mailing_ids[:1]._action_send_mail()
        with self.assertRaises(UserError):
            campaign.action_schedule()
        self.assertEqual(set(campaign.mailing_ids.mapped("state")), {"done"})
        self.assertEqual(campaign.state, "done")

    def test_control_group_gets_nothing(self):
        Partner = self.env["res.partner"]
        crowd = Partner.create(
            [
                {
                    "name": f"Crowd {i}",
                    "email": f"crowd{i}@example.com",
                    "lp_consent_email": True,
                }
                for i in range(60)
            ]
        )
        for partner in crowd:
            self.env["lp.member"]._enrol(partner, self.program, welcome=False)
        campaign = self.make_campaign(
            segment_id=False,
            domain=repr([("id", "in", crowd.ids)]),
            control_percent=25.0,
        )
        campaign.action_prepare()
        control = campaign.recipient_ids.filtered("is_control")
        self.assertTrue(5 <= len(control) <= 30, len(control))
        self.assertEqual(campaign.control_count, len(control))
        self.assertEqual(set(control.mapped("state")), {"control"})
        self.assertEqual(set(control.mapped("gift_points")), {0.0})
        control_partners = control.partner_id
        # reproducible: preparing again holds out the same customers
        campaign.action_prepare()
        self.assertEqual(
            campaign.recipient_ids.filtered("is_control").partner_id,
            control_partners,
        )
        campaign.action_schedule()
        self.send(campaign)
        mailed = self._new_mails.recipient_ids
        self.assertEqual(len(mailed), 60 - len(control_partners))
        self.assertFalse(mailed & control_partners)
        self.assertFalse(
            self.env["lp.ledger"].search(
                [("kind", "=", "campaign"), ("partner_id", "in", control_partners.ids)]
            )
        )

    def test_unsubscribe_withdraws_consent(self):
        self.env["mail.blacklist"]._add("Boris@Example.com")
        self.env["phone.blacklist"]._add(["+74012223344"])
        self.assertFalse(self.boris.lp_consent_email)
        self.assertFalse(self.clara.lp_consent_sms)
        events = self.env["lp.consent.event"].search(
            [
                ("partner_id", "in", (self.boris | self.clara).ids),
                ("granted", "=", False),
            ]
        )
        self.assertEqual(
            sorted((e.partner_id.name, e.channel, e.source) for e in events),
            [
                ("Boris Petrov", "email", "unsubscribe"),
                ("Clara Sidorova", "sms", "unsubscribe"),
            ],
        )
        campaign = self.make_campaign()
        campaign.action_prepare()
        self.assertEqual(self.recipient(campaign, self.boris).reason, "no_consent")
        self.assertEqual(self.recipient(campaign, self.clara).reason, "no_consent")
        # a mailing-list opt-out withdraws the email consent too
        contact = self.env["mailing.contact"].create(
            {"name": "Anna", "email": "anna@example.com"}
        )
        mailing_list = self.env["mailing.list"].create({"name": "News"})
        subscription = self.env["mailing.subscription"].create(
            {"contact_id": contact.id, "list_id": mailing_list.id}
        )
        self.assertTrue(self.anna.lp_consent_email)
        subscription.opt_out = True
        self.assertFalse(self.anna.lp_consent_email)
        self.assertTrue(self.anna.lp_consent_sms, "the other channel stays")

    def test_opt_out_after_scheduling(self):
        """A customer who unsubscribes between scheduling and sending gets
        nothing and no gift."""
        campaign = self.make_campaign()
        self.schedule(campaign)
        self.env["phone.blacklist"]._add(["+79123456789"])
        self.send(campaign)
        self.assertNotIn(
            "+79123456789", [s.number for s in self._new_sms if s.state != "canceled"]
        )
        self.assertRecordValues(
            self.recipient(campaign, self.anna),
            [{"state": "cancel", "reason": "opted_out"}],
        )
        self.assertEqual(self.members[self.anna.id].balance, 0.0)
        self.assertEqual(self.members[self.clara.id].balance, 50.0)

    def test_frequency_cap(self):
        self.config.cap_messages = 1
        first = self.make_campaign()
        self.schedule(first)
        second = self.make_campaign(name="Second offer")
        second.action_prepare()
        for partner in (self.anna, self.boris, self.clara):
            self.assertRecordValues(
                self.recipient(second, partner),
                [{"state": "skipped", "reason": "capped"}],
            )
        self.assertEqual(second.capped_count, 3)
        # after cancelling the first, nobody is capped any more
        first.action_cancel()
        second.action_prepare()
        self.assertEqual(second.capped_count, 0)
        self.assertEqual(second.email_count + second.sms_count, 3)

    def test_cancel_and_states(self):
        campaign = self.make_campaign()
        self.schedule(campaign)
        mailings = campaign.mailing_ids
        campaign.action_cancel()
        self.assertEqual(campaign.state, "cancel")
        self.assertFalse(mailings.exists())
        self.assertEqual(
            set(campaign.recipient_ids.mapped("state")), {"cancel", "skipped"}
        )
        campaign.action_reset_draft()
        self.assertEqual(campaign.state, "draft")
        self.schedule(campaign)
        self.send(campaign)
        with self.assertRaises(UserError):
            campaign.action_cancel()

    def test_texts_are_required(self):
        campaign = self.make_campaign(sms_body=False)
        campaign.action_prepare()
        with self.assertRaises(UserError):
            campaign.action_schedule()
        self.assertEqual(campaign.state, "draft")

    def test_access(self):
        campaign = self.make_campaign()
        with self.assertRaises(AccessError):
            campaign.with_user(self.user).action_prepare()
        with self.assertRaises(AccessError):
            campaign.with_user(self.user).action_schedule()
        self.assertEqual(campaign.with_user(self.user).name, "Spring offer")
        other = self.env["res.company"].create({"name": "Campaign Co B"})
        manager_b = new_test_user(
            self.env,
            login="lp_manager_b",
            groups="base.group_user,loyalty_program.group_lp_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        self.assertFalse(
            self.env["lp.campaign"]
            .with_user(manager_b)
            .search([("id", "=", campaign.id)])
        )
        with self.assertRaises(AccessError):
            campaign.with_user(manager_b).action_schedule()

    def test_sms_parts_in_customer_language(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        self.anna.lang = "ru_RU"
        campaign = self.make_campaign()
        campaign.update_field_translations(
            "sms_body",
            {
                "ru_RU": "{first_name}, вам начислено {gift_points} подарочных "
                "бонусов! Потратьте их до конца месяца. Карта *{card_ending}"
            },
        )
        campaign.action_prepare()
        ending = self.members[self.anna.id].card_number[-4:]
        russian = (
            "Anna, вам начислено 50 подарочных бонусов! Потратьте их до конца "
            f"месяца. Карта *{ending}"
        )
        # counted as sent: Odoo's opt-out line in her language added
        longest = campaign.sms_longest
        self.assertTrue(longest.startswith(russian + "\nСТОП SMS: http"), longest)
        self.assertEqual(sms_parts.count(longest).parts, 2)
        self.assertEqual(self.recipient(campaign, self.anna).sms_parts, 2)
        self.assertEqual(self.recipient(campaign, self.clara).sms_parts, 1)
        self.assertRecordValues(
            campaign,
            [{"sms_longest_parts": 2, "sms_total_parts": 3, "sms_cost": 7.5}],
        )
        self.assertIn("2 part(s) (Unicode)", campaign.sms_info)
        self.assertEqual(self.recipient(campaign, self.anna).sms_text, russian)
        # a new English text: previewed again, Clara now needs two parts
        campaign.sms_body = "x" * 150 + " {first_name} {card_ending}"
        campaign.action_prepare()
        self.assertEqual(self.recipient(campaign, self.clara).sms_parts, 2)
        self.assertEqual(campaign.sms_total_parts, 4)
        # before preparing, the editor counts the text with long sample
        # values, and the opt-out line: 155 characters, and two parts
        draft = self.make_campaign(sms_body="x" * 150 + " {card_ending}")
        self.assertIn("1 part(s)", self.make_campaign(sms_body="x" * 100).sms_info)
        self.assertIn("2 part(s) (GSM-7)", draft.sms_info)
