from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from ..models.lp_trigger import KINDS
from .trigger_common import TriggerCase


@tagged("post_install", "-at_install")
class TestTriggerPromises(TriggerCase):
    """The birthday greeting tells the balance after the bonus, one cap for
    campaigns and triggers, triggers for every company."""

    # The birthday greeting states the balance after the birthday bonus

    def test_birthday_greeting_states_balance_after_bonus(self):
        trigger = self.trigger("birthday")
        for partner in (self.anna, self.boris):
            partner.lp_birthday = self.today.replace(year=1990)
        # the daily trigger job, before (or without) the bonus job
        self.env["lp.trigger"]._cron_run()
        run = trigger.run_ids[:1]
        self.send_run(run)
        self.assertEqual(
            self._new_sms.body.split("\n")[0],
            "Happy birthday, Anna! Our gift: 200 bonus points. Balance: 200.",
        )
        self.assertIn("Your balance is 200 points.", self._new_mails.body_html)
        # the bonus job then finds the bonus credited: not twice
        self.env["lp.member"]._cron_birthday_bonus()
        self.assertEqual(self.members[self.anna.id].balance, 200.0)
        self.assertEqual(
            self.env["lp.ledger"].search_count(
                [("kind", "=", "birthday"), ("partner_id", "=", self.anna.id)]
            ),
            1,
        )
        self.assertConsistent()

    # One cap for campaigns and triggers together

    def test_company_cap_applies_to_triggers(self):
        self.config.write({"cap_messages": 1, "cap_days": 7})
        campaign = self.make_campaign(send_date=self.today)
        campaign.action_prepare()
        campaign.action_schedule()
        # the trigger's own cap (3 per 7 days) is looser: the company's holds
        expiry = self.trigger("expiry", days=14, cap_messages=3, cap_days=7)
        self.credit(self.members[self.anna.id], 10, expiry_days=14)
        run = expiry._run(day=self.today)
        self.assertRecordValues(
            self.row(run, self.anna), [{"state": "skipped", "reason": "capped"}]
        )

    def test_trigger_cap_may_be_stricter(self):
        self.config.write({"cap_messages": 5, "cap_days": 7})
        birthday = self.trigger("birthday")
        self.birthday_today(self.anna)
        birthday._run(day=self.today)
        expiry = self.trigger("expiry", days=14, cap_messages=1, cap_days=7)
        self.credit(self.members[self.anna.id], 10, expiry_days=14)
        self.credit(self.members[self.clara.id], 10, expiry_days=14)
        run = expiry._run(day=self.today)
        self.assertEqual(self.row(run, self.anna).reason, "capped")
        self.assertEqual(self.row(run, self.clara).state, "scheduled")

    def test_cap_at_send_time_for_what_a_trigger_queued_meanwhile(self):
        """A trigger run in a transaction that did not see the campaign
        being scheduled (concurrent snapshots) queues a message beyond the
        cap: at send time the message queued later is skipped."""
        self.config.write({"cap_messages": 1, "cap_days": 7})
        campaign = self.make_campaign(send_date=self.today)
        campaign.action_prepare()
        campaign.action_schedule()
        rows = campaign.recipient_ids.filtered(lambda r: r.state == "scheduled")
        # the trigger's snapshot: the campaign's rows not yet queued
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE lp_campaign_recipient SET state = 'target' WHERE id IN %s",
                tuple(rows.ids),
            )
        )
        self.env.invalidate_all()
        trigger = self.trigger("birthday")
        self.birthday_today(self.anna)
        run = trigger._run(day=self.today)
        self.assertEqual(self.row(run, self.anna).state, "scheduled")
        self.env.cr.execute(
            SQL(
                "UPDATE lp_campaign_recipient SET state = 'scheduled' WHERE id IN %s",
                tuple(rows.ids),
            )
        )
        self.env.invalidate_all()
        # the trigger's mailing goes first: Anna's was queued after the campaign
        self.send_run(run)
        self.assertFalse(self._new_sms)
        self.assertRecordValues(
            self.row(run, self.anna), [{"state": "skipped", "reason": "capped"}]
        )
        self.send(campaign)
        self.assertEqual(
            self._new_sms.filtered(lambda s: s.number == "+79123456789").body.split(
                "\n"
            )[0],
            "Anna, +50 points! Card *" + self.members[self.anna.id].card_number[-4:],
        )
        self.assertEqual(
            self.env["lp.campaign.recipient"].search_count(
                [("partner_id", "=", self.anna.id), ("state", "=", "sent")]
            ),
            1,
        )

    # Every company has its triggers

    def test_new_company_gets_ready_triggers(self):
        company = self.env["res.company"].create({"name": "Shop B"})
        triggers = self.env["lp.trigger"].search([("company_id", "=", company.id)])
        self.assertEqual(sorted(triggers.mapped("kind")), sorted(k for k, _l in KINDS))
        self.assertEqual(set(triggers.mapped("enabled")), {False})
        birthday = triggers.filtered(lambda t: t.kind == "birthday")
        self.assertEqual(
            birthday.sms_body,
            "Happy birthday, {first_name}! Our gift: {points} bonus points. "
            "Balance: {balance}.",
        )
        self.assertFalse(birthday.program_id)
        # a company that lost its triggers gets them back at the update
        triggers.sudo().unlink()
        self.env["lp.trigger"]._lp_ensure_company_triggers()
        self.assertEqual(
            self.env["lp.trigger"].search_count([("company_id", "=", company.id)]),
            len(KINDS),
        )

    def test_manager_creates_and_duplicates_for_own_companies(self):
        company_b = self.env["res.company"].create({"name": "Shop B"})
        program_b = self.env["lp.program"].create(
            {"name": "Club B", "company_id": company_b.id}
        )
        manager_b = new_test_user(
            self.env,
            login="trigger_manager_b",
            groups="base.group_user,loyalty_program.group_lp_manager",
            company_id=company_b.id,
            company_ids=[(6, 0, company_b.ids)],
        )
        Trigger = self.env["lp.trigger"].with_user(manager_b)
        created = Trigger.create(
            {
                "name": "Second birthday greeting",
                "kind": "birthday",
                "program_id": program_b.id,
                "sms_body": "Happy birthday, {first_name}!",
            }
        )
        self.assertEqual(created.company_id, company_b)
        own = Trigger.search([("kind", "=", "winback")])
        self.assertEqual(own.company_id, company_b)
        copy = own.copy()
        self.assertEqual(copy.company_id, company_b)
        self.assertFalse(copy.enabled)
        own.action_enable()
        self.assertFalse(own.copy().enabled, "a duplicate starts switched off")
        # not for another company, nor by a Loyalty User
        with self.assertRaises(AccessError):
            Trigger.create(
                {"name": "Intruder", "kind": "birthday", "company_id": self.company.id}
            )
        with self.assertRaises(AccessError):
            self.triggers.filtered(lambda t: t.kind == "winback").with_user(
                manager_b
            ).copy()
        with self.assertRaises(AccessError):
            self.env["lp.trigger"].with_user(self.user).create(
                {"name": "User's trigger", "kind": "birthday"}
            )
        # the kind is set once: occasions are claimed per kind
        self.birthday_today(self.anna)
        birthday = self.trigger("birthday")
        birthday._run(day=self.today)
        with self.assertRaises(UserError):
            birthday.with_user(self.manager).kind = "welcome"

    def birthday_today(self, *partners):
        for partner in partners:
            partner.lp_birthday = self.today.replace(year=1990)
