from datetime import datetime, time, timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.lp_campaign_results import DELIVERED
from .bot_common import BotSetupMixin, TelegramMock
from .trigger_common import TriggerCase


@tagged("post_install", "-at_install")
class TestBotChannel(TelegramMock, BotSetupMixin, TriggerCase):
    """The bot as the third channel of campaigns and triggers: chosen per
    customer from consent and preference, in the customer's daytime, within
    the cap, with the control group held out, results at zero cost; a
    customer who blocked the bot loses the consent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bot = cls._lp_setup_bot(cls.program)
        Chat = cls.env["lp.bot.chat"].sudo()
        cls.chats = {}
        # Anna prefers SMS; Boris (email) and Dima (nothing else) joined the
        # bot; Clara has a chat but said no to offers in it; Eva consented
        # to the bot but has no chat.
        for ref, partner, consent in (
            (8001, cls.anna, True),
            (8002, cls.boris, True),
            (8003, cls.clara, False),
            (8004, cls.dima, True),
        ):
            partner.lp_consent_bot = consent
            cls.chats[partner] = Chat.create(
                {
                    "bot_id": cls.bot.id,
                    "chat_ref": ref,
                    "step": "done",
                    "partner_id": partner.id,
                    "member_id": cls.members[partner.id].id,
                    "lang": "en_US",
                }
            )
        cls.eva.lp_consent_bot = True

    def at(self, hour):
        return datetime.combine(self.send_day, time(hour))

    def bot_messages(self, rows):
        return self.env["lp.bot.message"].search([("recipient_id", "in", rows.ids)])

    def due_now(self):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE lp_bot_message SET not_before = not_before - interval '30 days'"
        )
        self.env.invalidate_all()

    def test_channel_daytime_and_sending(self):
        campaign = self.make_campaign(
            bot_body="{first_name}, +{gift_points} points in the chat"
        )
        self.schedule(campaign)
        expected = {
            self.anna: ("scheduled", "sms", False),  # her preference
            self.boris: ("scheduled", "bot", False),  # free before email
            self.clara: ("scheduled", "sms", False),  # no bot consent
            self.dima: ("scheduled", "bot", False),  # only the bot
            self.eva: ("skipped", False, "no_address"),  # no chat
            self.fedor: ("skipped", False, "blacklisted"),
        }
        for partner, (state, channel, reason) in expected.items():
            self.assertRecordValues(
                self.recipient(campaign, partner),
                [{"state": state, "channel": channel, "reason": reason}],
            )
        self.assertEqual(campaign.bot_count, 2)
        # 10:00 in each one's zone: Vladivostok (Boris), Moscow (Dima, the default)
        boris, dima = (
            self.recipient(campaign, self.boris),
            self.recipient(campaign, self.dima),
        )
        self.assertEqual(boris.scheduled_date, self.at(0))
        self.assertEqual(dima.scheduled_date, self.at(7))
        messages = self.bot_messages(boris | dima)
        self.assertEqual(
            sorted((m.chat_id.chat_ref, m.not_before, m.kind) for m in messages),
            [(8002, self.at(0), "campaign"), (8004, self.at(7), "campaign")],
        )
        self.assertEqual(set(campaign.mailing_ids.mapped("mailing_type")), {"sms"})
        # Not before their moment.
        self.assertFalse(self.send_queue())
        self.due_now()
        calls = self.send_queue()
        texts = {c["params"]["chat_id"]: c["params"]["text"] for c in calls}
        self.assertEqual(
            texts,
            {
                8002: "Boris, +50 points in the chat",
                8004: "Dima, +50 points in the chat",
            },
        )
        self.assertEqual((boris.state, dima.state), ("sent", "sent"))
        self.assertEqual(self.members[self.dima.id].balance, 50.0)
        self.assertEqual(campaign.state, "sending")
        self.send(campaign)
        self.assertEqual(campaign.state, "done")
        campaign.action_compute_results()
        self.assertEqual(campaign.bot_sent_count, 2)
        delivered = self.env["mailing.trace"].search_count(
            [
                ("mass_mailing_id", "in", campaign.mailing_ids.ids),
                ("trace_status", "in", DELIVERED),
            ]
        )
        self.assertEqual(campaign.sent_count, 2 + delivered)
        self.assertEqual(campaign.sms_parts_sent, 2)
        self.assertEqual(campaign.cost, 5.0)  # the two SMS only

    def test_bot_only_campaign_costs_nothing_with_control(self):
        crowd = self.env["res.partner"].create(
            [{"name": f"Chatter {i}", "lp_consent_bot": True} for i in range(30)]
        )
        Chat = self.env["lp.bot.chat"].sudo()
        for index, partner in enumerate(crowd):
            member = self.env["lp.member"]._enrol(partner, self.program, welcome=False)
            Chat.create(
                {
                    "bot_id": self.bot.id,
                    "chat_ref": 9100 + index,
                    "step": "done",
                    "partner_id": partner.id,
                    "member_id": member.id,
                }
            )
        campaign = self.make_campaign(
            segment_id=False,
            domain=repr([("id", "in", crowd.ids)]),
            channel="bot",
            control_percent=50.0,
            gift_points=0.0,
        )
        self.schedule(campaign)
        rows = campaign.recipient_ids
        target = rows.filtered(lambda r: r.group == "target")
        control = rows.filtered(lambda r: r.group == "control")
        self.assertTrue(target and control)
        self.assertEqual(set(target.mapped("channel")), {"bot"})
        self.assertFalse(self.bot_messages(control))
        self.assertEqual(len(self.bot_messages(target)), len(target))
        self.assertFalse(campaign.mailing_ids)
        self.due_now()
        self.assertEqual(len(self.send_queue()), len(target))
        self.assertEqual(campaign.state, "done")
        # it went out five days ago; three of the target bought since
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE lp_campaign_recipient SET scheduled_date = "
                "now() at time zone 'UTC' - interval '5 days' WHERE campaign_id = %s",
                campaign.id,
            )
        )
        self.env.invalidate_all()
        for partner in target[:3].partner_id:
            self.sale(partner, 400, days_ago=2)
        campaign.action_compute_results()
        self.assertRecordValues(
            campaign,
            [
                {
                    "target_customers": len(target),
                    "target_buyers": 3,
                    "control_customers": len(control),
                    "sms_parts_sent": 0,
                    "cost": 0.0,
                    "roi": 0.0,
                    "sent_count": len(target),
                }
            ],
        )
        self.assertAlmostEqual(campaign.incremental_revenue, 1200.0, places=2)

    def test_cap_counts_bot_messages(self):
        self.config.cap_messages = 1
        first = self.make_campaign(channel="bot")
        self.schedule(first)
        second = self.make_campaign(name="Second offer")
        second.action_prepare()
        for partner in (self.boris, self.dima):
            self.assertRecordValues(
                self.recipient(second, partner),
                [{"state": "skipped", "reason": "capped"}],
            )

    def test_blocked_bot_fails_row_and_withdraws_consent(self):
        campaign = self.make_campaign(channel="bot")
        self.schedule(campaign)
        self.due_now()
        type(self).telegram_errors = {
            8002: [(403, "Forbidden: bot was blocked by the user", None)]
        }
        self.send_queue()
        boris = self.recipient(campaign, self.boris)
        self.assertEqual(boris.state, "failed")
        self.assertEqual(self.members[self.boris.id].balance, 0.0)  # no gift
        self.assertFalse(self.boris.lp_consent_bot)
        event = self.boris.lp_consent_event_ids.filtered(lambda e: e.channel == "bot")[
            :1
        ]
        self.assertEqual((event.granted, event.source), (False, "bot"))
        self.assertTrue(self.chats[self.boris].blocked)
        # The next campaign reaches him by email again.
        second = self.make_campaign(name="Second offer")
        second.action_prepare()
        self.assertEqual(self.recipient(second, self.boris).channel, "email")

    def test_stop_before_sending_cancels_the_message(self):
        campaign = self.make_campaign(channel="bot")
        self.schedule(campaign)
        self.dima.with_context(lp_consent_source="bot").lp_consent_bot = False
        self.due_now()
        calls = self.send_queue()
        self.assertEqual(sorted(c["params"]["chat_id"] for c in calls), [8001, 8002])
        self.assertRecordValues(
            self.recipient(campaign, self.dima),
            [{"state": "cancel", "reason": "opted_out"}],
        )
        self.assertEqual(self.members[self.dima.id].balance, 0.0)

    def test_cancelled_campaign_sends_nothing(self):
        campaign = self.make_campaign(channel="bot")
        self.schedule(campaign)
        campaign.action_cancel()
        self.due_now()
        self.assertFalse(self.send_queue())
        self.assertEqual(
            set(self.bot_messages(campaign.recipient_ids).mapped("state")), {"cancel"}
        )

    def test_trigger_on_the_bot(self):
        trigger = self.trigger("birthday", channel="bot")
        self.dima.lp_birthday = self.today.replace(year=1990)
        run = trigger._run(day=self.today)
        row = self.row(run, self.dima)
        self.assertRecordValues(row, [{"state": "scheduled", "channel": "bot"}])
        self.assertDaytime(row)
        self.due_now()
        (call,) = self.send_queue()
        self.assertEqual(call["params"]["chat_id"], 8004)
        self.assertIn("Happy birthday, Dima!", call["params"]["text"])
        self.assertEqual(row.state, "sent")
        trigger._compute_results()
        self.assertRecordValues(trigger, [{"sent_count": 1, "cost": 0.0}])
        # never twice
        self.assertEqual(trigger._run(day=self.today).due_count, 0)

    def test_window_respected_when_scheduled_late(self):
        """Scheduled for today after the window: the chat gets it tomorrow
        morning, never at night."""
        campaign = self.make_campaign(channel="bot", send_date=self.today)
        self.schedule(campaign)
        for row in campaign.recipient_ids.filtered(lambda r: r.state == "scheduled"):
            self.assertDaytime(row)
            (message,) = self.bot_messages(row)
            self.assertEqual(message.not_before, row.scheduled_date)
        self.env.cr.execute(
            SQL(
                "SELECT COUNT(*) FROM ir_cron_trigger WHERE cron_id = %s",
                self.env.ref("loyalty_program.ir_cron_lp_bot_send").id,
            )
        )
        self.assertGreater(self.env.cr.fetchone()[0], 0)
        self.assertGreaterEqual(
            min(
                campaign.recipient_ids.filtered("scheduled_date").mapped(
                    "scheduled_date"
                )
            ),
            fields.Datetime.now() - timedelta(minutes=1),
        )

    def test_figures_changed_since_preview_queue_nothing(self):
        """Another campaign scheduled between this one's preview and its
        scheduling caps its customers: it is not scheduled, and no bot
        message stays queued."""
        self.config.cap_messages = 1
        campaign = self.make_campaign(channel="bot")
        campaign.action_prepare()
        self.assertEqual(campaign.bot_count, 3)  # Anna, Boris, Dima
        self.schedule(self.make_campaign(name="Earlier offer", channel="bot"))
        warning = campaign._schedule()
        self.assertTrue(warning)
        self.assertEqual(campaign.state, "draft")
        self.assertFalse(self.bot_messages(campaign.recipient_ids))
        self.assertNotIn("scheduled", campaign.recipient_ids.mapped("state"))
        self.assertEqual(campaign.capped_count, 3)

    def test_cap_at_send_time(self):
        """A trigger that queued a message after a campaign's bot message
        was queued yields at send time (the cap is checked again)."""
        self.config.cap_messages = 1
        campaign = self.make_campaign(channel="bot", send_date=self.today)
        self.schedule(campaign)
        dima = self.recipient(campaign, self.dima)
        self.assertEqual(dima.state, "scheduled")
        # an SMS to Dima queued and sent meanwhile by another path
        self.env["lp.campaign.recipient"].create(
            {
                "partner_id": self.dima.id,
                "company_id": self.company.id,
                "state": "sent",
                "group": "target",
                "scheduled_date": dima.scheduled_date,
            }
        )
        self.due_now()
        calls = self.send_queue()
        self.assertNotIn(8004, [c["params"]["chat_id"] for c in calls])
        self.assertRecordValues(dima, [{"state": "skipped", "reason": "capped"}])
        (message,) = self.bot_messages(dima)
        self.assertEqual(message.state, "cancel")
