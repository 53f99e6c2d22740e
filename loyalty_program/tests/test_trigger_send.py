from datetime import date, datetime, timedelta

from freezegun import freeze_time
from psycopg2.errors import UniqueViolation

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL, mute_logger

from .trigger_common import TriggerCase


@tagged("post_install", "-at_install")
class TestTriggerSend(TriggerCase):
    """Through the campaign machinery: channel and consent, local daytime,
    cap, control group, gift, and never twice."""

    def birthday_today(self, *partners):
        for partner in partners:
            partner.lp_birthday = self.today.replace(year=1990)

    def test_birthday_sent_on_each_channel_with_consent(self):
        trigger = self.trigger("birthday")
        self.birthday_today(*self.customers)
        run = trigger._run(day=self.today)
        self.assertEqual(run.due_count, 6)
        expected = {
            self.anna: ("scheduled", "sms", False),
            self.boris: ("scheduled", "email", False),
            self.clara: ("scheduled", "sms", False),
            self.dima: ("skipped", False, "no_consent"),
            self.eva: ("skipped", False, "no_address"),
            self.fedor: ("skipped", False, "blacklisted"),
        }
        for partner, (state, channel, reason) in expected.items():
            self.assertRecordValues(
                self.row(run, partner),
                [
                    {
                        "state": state,
                        "channel": channel,
                        "reason": reason,
                        "trigger_id": trigger.id,
                    }
                ],
            )
        self.assertRecordValues(
            run, [{"target_count": 3, "control_count": 0, "skipped_count": 3}]
        )
        for partner in (self.anna, self.boris, self.clara):
            self.assertDaytime(self.row(run, partner))
        self.send_run(run)
        # the bonus of the day was credited before the greeting was written
        self.assertEqual(
            self.first_lines(self._new_sms),
            {
                "+79123456789": "Happy birthday, Anna! Our gift: 200 bonus points. "
                "Balance: 200.",
                "+74012223344": "Happy birthday, Clara! Our gift: 200 bonus points. "
                "Balance: 200.",
            },
        )
        mail = self._new_mails
        self.assertEqual(mail.recipient_ids, self.boris)
        self.assertEqual(mail.subject, "Happy birthday, Boris!")
        self.assertIn("Our gift to you: 200 bonus points.", mail.body_html)
        self.assertEqual(
            run.recipient_ids.filtered(lambda r: r.state == "sent").partner_id,
            self.anna | self.boris | self.clara,
        )
        # the SMS parts are counted from the trigger's own texts
        self.assertEqual(self.row(run, self.anna).sms_parts, 1)
        # never twice: a rerun, the next day's catch-up, the cron
        self.assertEqual(trigger._run(day=self.today).due_count, 0)
        self.assertEqual(trigger._run(day=self.today + timedelta(days=1)).due_count, 0)
        self.env["lp.trigger"]._cron_run()
        self.assertEqual(len(self.occasions(trigger)), 6)
        self.assertEqual(
            self.env["lp.campaign.recipient"].search_count(
                [("trigger_id", "=", trigger.id), ("state", "=", "sent")]
            ),
            3,
        )

    def test_unique_occasion_index(self):
        trigger = self.trigger("birthday")
        self.birthday_today(self.anna)
        trigger._run(day=self.today)
        occasion = self.occasions(trigger)
        self.env.flush_all()
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(UniqueViolation),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO lp_trigger_message
                        (trigger_id, company_id, partner_id, occasion)
                    VALUES (%s, %s, %s, %s)
                    """,
                    trigger.id,
                    self.company.id,
                    self.anna.id,
                    occasion.occasion,
                )
            )

    def test_quiet_hours(self):
        trigger = self.trigger("birthday")
        day = date(2027, 3, 2)
        for partner in (self.anna, self.boris, self.clara):
            partner.lp_birthday = "1990-03-02"
        # 22:30 in Moscow, 05:30 the next day in Vladivostok
        with freeze_time("2027-03-02 19:30:00"):
            run = trigger._run(day=day)
        self.assertEqual(
            {
                p.name: self.row(run, p).scheduled_date
                for p in run.recipient_ids.partner_id
            },
            {
                # the next morning at 10:00 local time, for everyone
                self.anna.name: datetime(2027, 3, 3, 7, 0),
                self.boris.name: datetime(2027, 3, 3, 0, 0),
                self.clara.name: datetime(2027, 3, 3, 8, 0),
            },
        )
        # a trigger with its own window: from 12:00
        trigger.write({"hour_from": 12.0, "hour_to": 20.0})
        self.clara.lp_birthday = False
        self.dima.write({"lp_birthday": "1990-03-05", "lp_consent_email": True})
        with freeze_time("2027-03-05 05:00:00"):  # 08:00 in Moscow
            run = trigger._run(day=date(2027, 3, 5))
        self.assertEqual(
            self.row(run, self.dima).scheduled_date, datetime(2027, 3, 5, 9)
        )

    def test_cap_across_triggers_and_campaigns(self):
        birthday = self.trigger("birthday", cap_messages=1, cap_days=7)
        welcome = self.trigger("welcome", cap_messages=2, cap_days=7)
        self.birthday_today(self.anna, self.boris)
        birthday._run(day=self.today)
        # everybody joined today: the welcome is due for all six; Anna and
        # Boris had a message already, which the cap of 2 still allows
        run = welcome._run(day=self.today)
        self.assertEqual(self.row(run, self.anna).state, "scheduled")
        # a third trigger with a cap of 2 skips them now
        expiry = self.trigger("expiry", days=14, cap_messages=2)
        self.credit(self.members[self.anna.id], 10, expiry_days=14)
        self.credit(self.members[self.clara.id], 10, expiry_days=14)
        run = expiry._run(day=self.today)
        self.assertRecordValues(
            self.row(run, self.anna), [{"state": "skipped", "reason": "capped"}]
        )
        self.assertEqual(self.row(run, self.clara).state, "scheduled")
        # capped is consumed: the occasion is not sent the next day either
        self.assertEqual(expiry._run(day=self.today).due_count, 0)

    def test_control_group_gets_nothing(self):
        trigger = self.trigger("winback", winback_rule="days", days=30,
                               control_percent=50.0, gift_points=80.0)  # fmt: skip
        crowd = self.env["res.partner"].create(
            [
                {
                    "name": f"Sleeper {i}",
                    "email": f"sleeper{i}@example.com",
                    "lp_consent_email": True,
                }
                for i in range(30)
            ]
        )
        for partner in crowd:
            self.env["lp.member"].create(
                {"partner_id": partner.id, "program_id": self.program.id}
            )
            self.sale(partner, 100, days_ago=30)
        self.run_nightly()
        run = trigger._run(day=self.today)
        control = run.recipient_ids.filtered(lambda r: r.group == "control")
        target = run.recipient_ids.filtered(lambda r: r.group == "target")
        self.assertTrue(control and target)
        self.assertEqual(len(control) + len(target), 30)
        self.assertFalse(control.mailing_id)
        self.assertEqual(set(control.mapped("gift_points")), {0.0})
        self.assertEqual(set(control.mapped("state")), {"control"})
        self.send_run(run)
        self.assertEqual(self._new_mails.recipient_ids, target.partner_id)
        gifts = self.env["lp.ledger"].search(
            [
                ("kind", "=", "campaign"),
                ("source_key", "like", f"trigger:{trigger.id}:"),
            ]
        )
        self.assertEqual(gifts.partner_id, target.partner_id)
        self.assertEqual(set(gifts.mapped("amount")), {80.0})
        self.assertEqual(
            set(gifts.mapped("expiry_date")), {self.today + timedelta(days=30)}
        )
        # the gift is credited once per occasion, whatever is retried
        self.env["lp.message.dispatch"]._post_gifts(run.recipient_ids)
        self.assertEqual(
            self.env["lp.ledger"].search_count([("kind", "=", "campaign")]),
            len(target),
        )
        self.assertConsistent()

    def test_sms_text_with_expiry_and_downgrade_figures(self):
        expiry = self.trigger("expiry", days=14)
        self.credit(self.members[self.clara.id], 1250, expiry_days=14)
        run = expiry._run(day=self.today)
        self.send_run(run)
        when = self.today + timedelta(days=14)
        self.assertEqual(
            self.first_lines(self._new_sms)["+74012223344"],
            f"Clara, 1,250 of your points expire on {when:%m/%d/%Y}. "
            "Spend them before then!",
        )

    def test_access(self):
        trigger = self.trigger("birthday")
        with self.assertRaises(AccessError):
            trigger.with_user(self.user).action_run_now()
        with self.assertRaises(AccessError):
            trigger.with_user(self.user).write({"enabled": False})
        cashier = new_test_user(
            self.env, login="trigger_cashier", groups="point_of_sale.group_pos_user"
        )
        with self.assertRaises(AccessError):
            trigger.with_user(cashier).read(["name"])
        other = self.env["res.company"].create({"name": "Company B"})
        manager_b = new_test_user(
            self.env,
            login="manager_b",
            groups="base.group_user,loyalty_program.group_lp_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        self.assertFalse(
            self.env["lp.trigger"]
            .with_user(manager_b)
            .search([("id", "=", trigger.id)])
        )
        trigger.with_user(self.manager).action_run_now()
        self.assertTrue(trigger.run_ids)
