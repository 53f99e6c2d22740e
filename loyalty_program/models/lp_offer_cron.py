import json
import logging
import time
from datetime import timedelta

from odoo import api, fields, models

from .lp_ledger import commit_progress

_logger = logging.getLogger(__name__)

STATE_KEY = "loyalty_program.offers_nightly_state"
# The pairs of products bought together change slowly: rebuilt when older.
PAIRS_EVERY_DAYS = 7
PHASES = ("expire", "pairs", "generate", "results", "done")


class LpOffer(models.Model):
    """The nightly job of offers: rows past their end expire, audiences of
    running offers are topped up, the pairs of products bought together are
    rebuilt (once a week), the generators make personal rows batch by batch
    (member id ranges), then the results are computed. Each step is committed; the
    position is kept in a system parameter, so a run cut by the cron's time
    budget resumes where it stopped (a new day starts over)."""

    _inherit = "lp.offer"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _lp_programs(self):
        return (
            self.env["lp.program"]
            .sudo()
            .search([("program_type", "=", "bonus"), ("active", "=", True)], order="id")
        )

    @api.model
    def _cron_nightly(self, batch_size=20000):
        self = self.sudo()  # noqa: PLW0642 - the job works for every company
        Param = self.env["ir.config_parameter"].sudo()
        today = fields.Date.today()
        state = json.loads(Param.get_param(STATE_KEY) or "{}")
        if state.get("day") != str(today) or state.get("phase") not in PHASES[:-1]:
            state = {"day": str(today), "phase": "expire", "program": 0, "cursor": 0}
        while state["phase"] != "done":
            started = time.monotonic()
            phase = state["phase"]
            done, remaining = self._lp_nightly_step(state, today, batch_size)
            Param.set_param(STATE_KEY, json.dumps(state))
            _logger.info(
                "Offers: %s step, %s rows in %.1fs",
                phase,
                done,
                time.monotonic() - started,
            )
            commit_progress(self.env, done, remaining=remaining)
            end = self.env.context.get("cron_end_time")
            if state["phase"] != "done" and end and end - time.monotonic() <= 0:
                return False
        return True

    def _lp_nightly_step(self, state, today, batch_size):
        """Run one step, move ``state`` forward, return (rows done, an
        estimate of what remains)."""
        phase = state["phase"]
        now = fields.Datetime.now()
        programs = self._lp_programs()
        if phase == "expire":
            done = self.env["lp.offer.member"]._lp_expire(now)
            programs._lp_offer_generators()
            running = self.search([("state", "=", "running")])
            done += running._lp_fill_audience(now)
            state.update(phase="pairs", program=0, cursor=0)
            return done, 1
        if phase == "pairs":
            done = 0
            companies = set()
            for program in programs:
                goes = program._lp_offer_generators().filtered(
                    lambda o: o.generator == "goes_with"
                )
                company = program.company_id
                if goes and company.id not in companies:
                    companies.add(company.id)
                    if self._lp_pairs_stale(company, now):
                        done += self._lp_build_pairs(program, today)
            state.update(phase="generate", program=0, cursor=0)
            return done, 1
        if phase == "generate":
            program = programs.filtered(lambda p: p.id >= state["program"])[:1]
            if not program:
                state.update(phase="results", program=0, cursor=0)
                return 0, 1
            self.env.cr.execute(
                "SELECT COALESCE(MAX(id), 0) FROM lp_member WHERE program_id = %s",
                [program.id],
            )
            high = self.env.cr.fetchone()[0]
            low = state["cursor"]
            done = self._lp_generate(
                program,
                program._lp_offer_generators(),
                (low, low + batch_size),
                today,
                now,
            )
            if low + batch_size > high:
                state.update(program=program.id + 1, cursor=0)
            else:
                state["cursor"] = low + batch_size
            return done, max(high - low - batch_size, 0) + 1
        # results
        offers = self.search([("state", "in", ("running", "ended"))])
        offers._lp_compute_results(now)
        state.update(phase="done", program=0, cursor=0)
        return len(offers), 0

    @api.model
    def _lp_pairs_stale(self, company, now):
        """Whether the company's pairs are older than ``PAIRS_EVERY_DAYS``
        (or missing): the nightly job rebuilds them then."""
        built = (
            self.env["lp.offer.pair"]
            .search(
                [("company_id", "=", company.id)], order="create_date desc", limit=1
            )
            .create_date
        )
        return not built or built < now - timedelta(days=PAIRS_EVERY_DAYS) + timedelta(
            hours=1
        )

    @api.model
    def _lp_run_all(self, today=None, now=None):
        """Everything the nightly job does, in the current transaction (no
        commit): for tests, shells, the demo and the benchmark."""
        today = today or fields.Date.today()
        now = now or fields.Datetime.now()
        self = self.sudo()  # noqa: PLW0642
        self.env["lp.offer.member"]._lp_expire(now)
        programs = self._lp_programs()
        self.search([("state", "=", "running")])._lp_fill_audience(now)
        made = 0
        for program in programs:
            generators = program._lp_offer_generators()
            if generators.filtered(lambda o: o.generator == "goes_with"):
                self._lp_build_pairs(program, today)
            self.env.cr.execute(
                "SELECT COALESCE(MAX(id), 0) FROM lp_member WHERE program_id = %s",
                [program.id],
            )
            high = self.env.cr.fetchone()[0]
            made += self._lp_generate(program, generators, (0, high + 1), today, now)
        return made
