from odoo import api, fields, models
from odoo.tools import SQL

from .lp_ledger import commit_progress
from .lp_message_dispatch import no_jit
from .lp_trigger_due import DUE_COLUMNS


class LpTriggerRun(models.Model):
    """One run of one trigger: the occasions it claimed and the recipient
    rows it prepared through the campaign machinery (their owner is the
    run), with the counts of the preview."""

    _name = "lp.trigger.run"
    _description = "Trigger Run"
    _order = "id desc"
    _rec_name = "day"

    trigger_id = fields.Many2one(
        "lp.trigger", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="trigger_id.company_id", store=True)
    day = fields.Date(readonly=True, required=True)
    date = fields.Datetime(string="Run at", readonly=True, required=True)
    due_count = fields.Integer(string="Due", readonly=True)
    target_count = fields.Integer(string="To send", readonly=True)
    control_count = fields.Integer(string="Control group", readonly=True)
    skipped_count = fields.Integer(string="Skipped", readonly=True)
    mailing_ids = fields.One2many("mailing.mailing", "lp_trigger_run_id")
    recipient_ids = fields.One2many("lp.campaign.recipient", "trigger_run_id")


class LpTrigger(models.Model):
    """The daily job and one trigger's run."""

    _inherit = "lp.trigger"  # pylint: disable=consider-merging-classes-inherited

    utm_campaign_id = fields.Many2one("utm.campaign", readonly=True, copy=False)

    @api.model
    def _cron_run(self):
        """Daily: every switched-on trigger of every company, one committed
        step each (with the scheduler's progress), then the results of all
        triggers. What a step claimed stays claimed: a rerun the same day
        sends only to customers who became due since."""
        triggers = self.sudo().search([("enabled", "=", True)])
        for index, trigger in enumerate(triggers):
            trigger.with_company(trigger.company_id)._run()
            commit_progress(self.env, 1, remaining=len(triggers) - index)
        self._cron_results()

    def _local_day(self, now):
        tz = self._config().tz or "UTC"
        return fields.Datetime.context_timestamp(self.with_context(tz=tz), now).date()

    def _run(self, day=None, now=None):
        """Find who is due on ``day`` (default: today in the company's time
        zone), claim each occasion once, and send through the campaign
        machinery. Returns the run (or nothing without a program)."""
        self.ensure_one()
        program = self._program()
        if not program:
            return self.env["lp.trigger.run"]
        now = now or fields.Datetime.now()
        day = day or self._local_day(now)
        run = self.env["lp.trigger.run"].create(
            {"trigger_id": self.id, "day": day, "date": now}
        )
        self._before_claim(program, day, now)
        due = self._claim(run, program, day, now)
        values = {"due_count": due}
        if due:
            dispatch = self.env["lp.message.dispatch"]
            spec = self._dispatch_spec(run, program, day, now)
            counts = dispatch._prepare(spec)
            self._link_recipients(run)
            if not self.utm_campaign_id:
                self.utm_campaign_id = (
                    self.env["utm.campaign"].sudo().create({"name": self.name})
                )
            dispatch._create_mailings(
                spec["owner"],
                lambda channel, moment: self._mailing_values(run, channel, moment),
            )
            # counted once the mailings exist: the SMS as they will be sent
            self._count_trigger_sms_parts(run)
            for (state, _reason, _channel), (count, _parts) in counts.items():
                key = {"target": "target_count", "control": "control_count"}.get(
                    state, "skipped_count"
                )
                values[key] = values.get(key, 0) + count
        run.write(values)
        self.last_run_date = now
        return run

    def _before_claim(self, program, day, now):
        """Post what the messages of ``day`` tell before the customers due
        are found and their figures frozen into the rows: the birthday
        greeting states the balance after the birthday bonus, so the bonus
        of the day is credited first (once a year per member, whichever job
        runs first). Meant to be overridden (call super)."""
        if self.kind == "birthday":
            self.env["lp.member"].sudo()._cron_birthday_bonus(
                today=day, catch_up_days=max(self.catch_up_days, 1), programs=program
            )

    def _claim(self, run, program, day, now):
        """Insert the occasions due (one per customer, the earliest not yet
        claimed); what another run claimed already is skipped by the unique
        index. Returns the number claimed."""
        self.env.flush_all()
        with no_jit(self.env.cr):
            return self._claim_sql(run, program, day, now)

    def _claim_sql(self, run, program, day, now):
        self.env.cr.execute(
            SQL(
                """
                WITH due(%(columns)s) AS (%(due)s),
                one AS (
                    SELECT DISTINCT ON (d.partner_id) d.*
                      FROM due d
                     WHERE d.partner_id IS NOT NULL
                       AND NOT EXISTS (
                           SELECT 1 FROM lp_trigger_message x
                            WHERE x.trigger_id = %(trigger)s
                              AND x.partner_id = d.partner_id
                              AND x.occasion = d.occasion)
                     ORDER BY d.partner_id, d.occasion_date, d.occasion
                )
                INSERT INTO lp_trigger_message (
                    trigger_id, run_id, company_id, partner_id, member_id,
                    occasion, day, occasion_date, points, amount, tier_id,
                    create_uid, create_date, write_uid, write_date)
                SELECT %(trigger)s, %(run)s, %(company)s, partner_id, member_id,
                       occasion, %(day)s, occasion_date, points, amount, tier_id,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM one
                ON CONFLICT DO NOTHING
                """,
                columns=SQL(", ").join(SQL.identifier(c) for c in DUE_COLUMNS),
                due=self._due_sql(program, day, now),
                trigger=self.id,
                run=run.id,
                company=self.company_id.id,
                day=day,
                uid=self.env.uid,
                now=fields.Datetime.now(),
            )
        )
        return self.env.cr.rowcount

    def _dispatch_spec(self, run, program, day, now):
        """What :meth:`lp.message.dispatch._prepare` needs. Meant to be
        overridden."""
        self.ensure_one()
        return {
            "owner": {"trigger_run_id": run.id},
            "audience": SQL(
                "SELECT partner_id FROM lp_trigger_message WHERE run_id = %s", run.id
            ),
            "company": self.company_id,
            "program": program,
            "config": self._config(),
            "caps": self._caps(),
            "channel": self.channel,
            "control_percent": self.control_percent,
            "seed": f"lp.trigger:{self.id}:{day}",
            "day": day,
            "not_before": now,
            "gift_points": self.gift_points,
            "gift_lifetime_days": self.gift_lifetime_days,
            "gift_key": None,
        }

    def _link_recipients(self, run):
        """Tie the run's recipient rows and occasions together; a gift's key
        is its occasion, so a gift is credited once per occasion."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                UPDATE lp_campaign_recipient r
                   SET trigger_id = %(trigger)s, trigger_message_id = x.id,
                       gift_key = CASE WHEN r.gift_points > 0
                                       THEN 'trigger:' || %(trigger)s || ':'
                                            || x.occasion END
                  FROM lp_trigger_message x
                 WHERE r.trigger_run_id = %(run)s AND x.run_id = %(run)s
                   AND x.partner_id = r.partner_id
                """,
                trigger=self.id,
                run=run.id,
            )
        )
        self.env["lp.campaign.recipient"].invalidate_model()
        self.env["lp.trigger.message"].invalidate_model()

    def _mailing_values(self, run, channel, moment):
        """Values of the mailing of one channel and send moment of ``run``.
        Meant to be overridden."""
        self.ensure_one()
        return dict(
            self.env["lp.message.dispatch"]._mailing_values(
                self.name,
                channel,
                moment,
                [("trigger_run_id", "=", run.id)],
                self.utm_campaign_id.id,
                self.env.uid,
            ),
            lp_trigger_run_id=run.id,
        )
