import random
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from unittest.mock import patch

import freezegun
import pytz

from odoo import models

from ..tools import demo_messages
from ..tools.demo_gateways import DemoSmsApi, DemoSmtp


class LpDemo(models.AbstractModel):
    """The demo's messages, through the real machinery with the clock
    moved: campaigns prepared and scheduled on their day, the trigger job
    run through the year, the mass mailing queue sent when the mailings are
    due, the results computed at the end. Email leaves nowhere (Odoo sends
    none while a module installs, and the demo makes sure of it), SMS go
    through the demo's gateway (:class:`..tools.demo_gateways.DemoSmsApi`). What
    happens after delivery is the story's: a few bounce, some are opened, a
    few customers opt out, and some of the target group come to buy within
    the response window (the control group only has the story's visits):
    that difference is what the results measure. Demo data only."""

    _inherit = "lp.demo"  # pylint: disable=consider-merging-classes-inherited

    # The plan

    def _demo_plan(self, state):
        result = super()._demo_plan(state)
        program = state["program"]
        company = program.company_id
        state["sms"] = DemoSmsApi(self.env)
        last_mail = self.env["mail.mail"].search([], order="id desc", limit=1)
        state["mail_mark"] = last_mail.id or 0
        state["answers"] = {}
        config = self.env["lp.campaign.config"]._for_company(company)
        config.write(demo_messages.CONFIG)
        state["tz"] = pytz.timezone(config.tz or "UTC")
        triggers = self.env["lp.trigger"].search([("company_id", "=", company.id)])
        for trigger in triggers:
            trigger.write(
                dict(demo_messages.TRIGGER_DEFAULTS, program_id=program.id)
                | demo_messages.TRIGGERS.get(trigger.kind, {})
            )
        state["triggers"] = triggers.filtered("enabled")
        today = state["clock"].date()
        for index, campaign in enumerate(demo_messages.CAMPAIGNS):
            day = today - timedelta(days=campaign["days_ago"])
            self._demo_push(
                state, self._demo_local(state, day, 9), 0, "campaign", (index,)
            )
        return result

    def _demo_local(self, state, day, hour):
        """``hour`` o'clock on ``day`` in the shop's time zone, naive UTC."""
        local = state["tz"].localize(datetime.combine(day, time(hour)))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    @contextmanager
    def _demo_clock(self, state, moment):
        """Odoo's clock (Python's and the transaction's) at ``moment``; no
        commit (mass mailing commits between batches outside tests: the
        install's transaction is the demo's); emails go through Odoo's
        whole sending path to an SMTP session without a server
        (:class:`..tools.demo_gateways.DemoSmtp`; during an install Odoo
        would otherwise leave them unsent)."""
        cr = self.env.cr
        mail_server = type(self.env["ir.mail_server"])
        smtp = state.setdefault("smtp", DemoSmtp())
        with (
            freezegun.freeze_time(moment),
            patch.object(cr, "now", lambda: moment),
            patch.object(cr, "commit", self.env.flush_all),
            patch.object(mail_server, "_disable_send", classmethod(lambda cls: False)),
            patch.object(mail_server, "_connect__", lambda *args, **kwargs: smtp),
        ):
            yield

    # The steps

    def _demo_campaign(self, state, when, index):
        """A campaign prepared and scheduled on its day, as a manager would."""
        spec = dict(demo_messages.CAMPAIGNS[index])
        answer = spec.pop("answer")
        away = spec.pop("stay_away", False)
        spec.pop("days_ago")
        segment = spec.pop("segment")
        values = dict(
            spec,
            program_id=state["program"].id,
            company_id=state["program"].company_id.id,
            send_date=when.date(),
            segment_id=self.env.ref(segment).id,
        )
        with self._demo_clock(state, when):
            campaign = self.env["lp.campaign"].create(values)
            campaign.action_prepare()
            if not campaign.email_count + campaign.sms_count:
                campaign.unlink()  # a small shop: nobody in the segment yet
                return
            campaign.action_schedule()
        state["answers"][("campaign", campaign.id)] = answer
        if away:
            # the story's turn: these customers stay away over the window
            until = when + timedelta(days=campaign.response_days + 1)
            for partner in campaign.recipient_ids.partner_id:
                state.setdefault("away", {})[partner.id] = until

    def _demo_away(self, state, partner, when):
        return when < state.get("away", {}).get(partner.id, when)

    def _demo_pos(self, state, when, partner, key, spend):
        if self._demo_away(state, partner, when):
            return None
        return super()._demo_pos(state, when, partner, key, spend)

    def _demo_sale(self, state, when, partner, key, spend):
        if self._demo_away(state, partner, when):
            return None
        return super()._demo_sale(state, when, partner, key, spend)

    def _demo_new_day(self, state, day):
        result = super()._demo_new_day(state, day)
        if "sms" in state:
            self._demo_messages_day(state, day)
        return result

    def _demo_messages_day(self, state, day):
        """The mailings due by the start of ``day`` go out; on the trigger
        job's days, the job runs at 06:00. Today's messages would still
        wait for their time when the demo server starts, without a mail
        server or SMS account: the job does not run today."""
        self._demo_send_queue(state, self._demo_local(state, day, 0))
        if (
            day < state["clock"].date()
            and day.toordinal() % demo_messages.TRIGGER_EVERY_DAYS == 0
        ):
            moment = self._demo_local(state, day, 6)
            with self._demo_clock(state, moment):
                for trigger in state["triggers"]:
                    trigger.sudo()._run(day=day, now=moment)

    def _demo_send_queue(self, state, moment):
        """What the mass mailing queue sends by ``moment``, delivered at
        once (emails nowhere, SMS through the demo's gateway); then what the
        customers do with it."""
        Mailing = self.env["mailing.mailing"].with_context(lp_demo_sms_api=state["sms"])
        mailings = Mailing.search(
            [("state", "in", ("in_queue", "sending")), ("schedule_date", "<", moment)]
        )
        if not mailings:
            return
        with self._demo_clock(state, moment):
            for mailing in mailings:
                if mailing._get_remaining_recipients():
                    mailing.state = "sending"
                    mailing._action_send_mail()
                else:
                    mailing.write({"state": "done", "sent_date": moment})
            self.env["mail.mail"].search(
                [("state", "=", "outgoing"), ("mailing_id", "in", mailings.ids)]
            ).send()
            self.env["sms.sms"].with_context(lp_demo_sms_api=state["sms"]).search(
                [("state", "=", "outgoing"), ("mailing_id", "in", mailings.ids)]
            ).send()
            self._demo_after_delivery(state, mailings, moment)

    def _demo_after_delivery(self, state, mailings, moment):
        rng = state["rng"]
        traces = self.env["mailing.trace"].search(
            [("mass_mailing_id", "in", mailings.ids)]
        )
        for trace in traces.filtered(lambda t: t.trace_status == "sent"):
            outcome = demo_messages.outcome(rng.random(), trace.trace_type)
            if outcome == "bounce":
                trace.set_bounced()
            elif outcome == "open":
                trace.set_opened()
            elif outcome == "opt_out" and trace.trace_type == "mail":
                self.env["mail.blacklist"].sudo()._add(
                    trace.email, message=self.env._("Unsubscribed from a mailing.")
                )
            elif outcome == "opt_out":
                self.env["phone.blacklist"].sudo()._add(
                    [trace.sms_number], message=self.env._("Answered STOP.")
                )
        self._demo_answers(state, mailings, moment)

    def _demo_answers(self, state, mailings, moment):
        """Some of the target group come to buy within the response window
        (a till order through the real path, spending part of their points:
        a gift is spent); lost customers do not come back, whatever they
        are sent. Who answers is drawn per message (owner, customer, day),
        so that a message's answers do not depend on the day the demo is
        built."""
        rows = self.env["lp.campaign.recipient"].search(
            [
                ("mailing_id", "in", mailings.ids),
                ("state", "=", "sent"),
                ("group", "=", "target"),
            ]
        )
        days_ago = (state["clock"] - moment).days
        for row in rows:
            partner = row.partner_id
            if state.get("personas", {}).get(partner.id) == "lost":
                continue
            if row.campaign_id:
                campaign = row.campaign_id
                key, days = ("campaign", campaign.id), campaign.response_days
                chance = state["answers"].get(key, 0.0)
            else:
                trigger = row.trigger_id
                key, days = ("trigger", trigger.kind), trigger.response_days
                chance = demo_messages.ANSWERS.get(trigger.kind, 0.0)
            rng = random.Random(f"{key}:{partner.id}:{days_ago}")
            if rng.random() >= chance:
                continue
            when = moment + timedelta(
                days=rng.randint(0, max(days - 2, 0)), hours=rng.randint(11, 19)
            )
            self._demo_push(
                state, when, 1, "pos", (partner, (partner.id, f"answer:{row.id}"), 0.9)
            )

    def _demo_finish(self, state, story, partners):
        """The results as of today; the emails the story queued besides
        the mailings (portal invitations) delivered, so that none waits for
        a mail server."""
        super()._demo_finish(state, story, partners)
        if "sms" not in state:
            return
        self._demo_send_queue(state, state["clock"])
        with self._demo_clock(state, state["clock"]):
            self.env["mail.mail"].search(
                [("state", "=", "outgoing"), ("id", ">", state["mail_mark"])]
            ).send()
        campaigns = self.env["lp.campaign"].search(
            [("state", "in", ("sending", "done"))]
        )
        campaigns._sync_state()
        campaigns._compute_results()
        triggers = self.env["lp.trigger"].search([("last_run_date", "!=", False)])
        triggers._compute_results()
