import json
import logging
import time

from odoo import api, fields, models

from .lp_ledger import commit_progress

_logger = logging.getLogger(__name__)

STATE_KEY = "loyalty_program.stats_nightly_state"
PHASES = ("figures", "breaks", "scores", "segments", "done")


class LpCustomerStats(models.Model):
    """The nightly job: statistics of every customer, RFM quintiles and
    scores, then the membership of every segment, set-based.

    It runs in steps committed one by one (partner id ranges, then one
    segment at a time) and keeps its position in a system parameter, so a
    run cut by the cron's time budget resumes where it stopped when the
    scheduler calls it again; a new day (or a finished run) starts over."""

    _inherit = "lp.customer.stats"

    @api.model
    def _cron_nightly(self, batch_size=50000):
        Param = self.env["ir.config_parameter"].sudo()
        today = fields.Date.today()
        state = json.loads(Param.get_param(STATE_KEY) or "{}")
        if state.get("day") != str(today) or state.get("phase") not in PHASES[:-1]:
            state = {"day": str(today), "phase": "figures", "cursor": 0}
        while state["phase"] != "done":
            started = time.monotonic()
            phase = state["phase"]
            done, remaining = self._nightly_step(state, today, batch_size)
            Param.set_param(STATE_KEY, json.dumps(state))
            _logger.info(
                "Customer statistics: %s step, %s rows in %.1fs",
                phase,
                done,
                time.monotonic() - started,
            )
            commit_progress(self.env, done, remaining=remaining)
            if state["phase"] != "done" and self._cron_time_left() <= 0:
                return False
        return True

    def _cron_time_left(self):
        end = self.env.context.get("cron_end_time")
        return end - time.monotonic() if end else float("inf")

    def _nightly_step(self, state, today, batch_size):
        """Run one step of the nightly job, move ``state`` forward and
        return (rows done, an estimate of what remains)."""
        cr = self.env.cr
        phase = state["phase"]
        if phase in ("figures", "scores"):
            cr.execute("SELECT COALESCE(MAX(id), 0) FROM res_partner")
            high = cr.fetchone()[0]
            low = state["cursor"]
            id_range = (low, low + batch_size)
            if phase == "figures":
                done = self._compute_figures(id_range=id_range, today=today)
            else:
                done = self._rescore(id_range=id_range, today=today)
            state["cursor"] = id_range[1]
            if id_range[1] > high:
                state.update(
                    phase="breaks" if phase == "figures" else "segments", cursor=0
                )
            return done, max(high - id_range[1], 0) + 1
        if phase == "breaks":
            configs = self.env["lp.stats.config"]._for_companies()
            configs._update_quantile_breaks(today=today)
            state.update(phase="scores", cursor=0)
            return len(configs), 1
        # segments
        segments = self.env["lp.segment"]._refresh_scheduled(after_id=state["cursor"])
        if segments:
            state["cursor"] = segments[-1].id
            return len(segments), 1
        self.env["lp.stats.config"]._for_companies().write(
            {"last_run": fields.Datetime.now()}
        )
        state.update(phase="done", cursor=0)
        return 0, 0

    @api.model
    def _run_all(self, today=None):
        """Everything the nightly job does, in the current transaction (no
        commit): for tests, shells and the benchmark."""
        today = today or fields.Date.today()
        self._compute_figures(today=today)
        self.env["lp.stats.config"]._for_companies()._update_quantile_breaks(
            today=today
        )
        self._rescore(today=today)
        segments = self.env["lp.segment"].sudo().search([("auto_refresh", "=", True)])
        segments._refresh()
