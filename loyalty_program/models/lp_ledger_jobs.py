import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .lp_ledger import commit_progress, member_filter

_logger = logging.getLogger(__name__)
MAX_ACTIVITIES = 50


class LpLedger(models.Model):
    _inherit = "lp.ledger"  # pylint: disable=consider-merging-classes-inherited

    # Nightly jobs, set-based

    def _lock_due(self, query):
        """Run ``query`` (selecting ``member_id, id`` of due credits), lock
        their members as a posting would, and return the credit ids."""
        self.env.flush_all()
        self.env.cr.execute(query)
        rows = self.env.cr.fetchall()
        if rows:
            self.env["lp.member"].browse({r[0] for r in rows})._lock_for_posting()
        return tuple(r[1] for r in rows)

    @api.model
    def _release_held(self, limit=50000, now=None):
        """Make held credits whose hold has ended spendable. Returns the number
        of credits released in this batch."""
        now = now or fields.Datetime.now()
        ids = self._lock_due(
            SQL(
                """
                SELECT member_id, id FROM lp_ledger
                 WHERE held AND available_from <= %s
                 ORDER BY id LIMIT %s
                """,
                now,
                limit,
            )
        )
        if not ids:
            return 0
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                WITH released AS (
                    UPDATE lp_ledger SET held = FALSE
                     WHERE id IN %s AND held
                 RETURNING member_id, remaining
                ), per_member AS (
                    SELECT member_id, SUM(remaining) AS points
                      FROM released GROUP BY member_id
                )
                UPDATE lp_member m
                   SET balance = m.balance + p.points,
                       pending = m.pending - p.points
                  FROM per_member p
                 WHERE m.id = p.member_id
                """,
                ids,
            )
        )
        self.env.invalidate_all()
        return len(ids)

    @api.model
    def _expire_due(self, limit=50000, today=None):
        """Post an ``expire`` entry for what is left of each credit past its
        expiry date, consuming exactly that credit. Returns the number of
        credits expired in this batch."""
        today = today or fields.Date.context_today(self)
        ids = self._lock_due(
            SQL(
                """
                SELECT member_id, id FROM lp_ledger
                 WHERE remaining > 0 AND NOT held AND expiry_date < %s
                 ORDER BY id LIMIT %s
                """,
                today,
                limit,
            )
        )
        if not ids:
            return 0
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                WITH due AS (
                    SELECT id, member_id, program_id, partner_id, company_id,
                           remaining
                      FROM lp_ledger
                     WHERE id IN %(ids)s AND remaining > 0 AND NOT held
                ), expired AS (
                    INSERT INTO lp_ledger (
                        member_id, program_id, partner_id, company_id, kind,
                        amount, shortfall, base_amount, date, held, remaining,
                        res_model, res_id, source_key, user_id,
                        create_uid, create_date, write_uid, write_date)
                    SELECT member_id, program_id, partner_id, company_id, 'expire',
                           -remaining, 0, 0, %(now)s, FALSE, 0,
                           'lp.ledger', id, 'expire:' || id, %(uid)s,
                           %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM due
                    ON CONFLICT DO NOTHING
                 RETURNING id, res_id, -amount AS points, member_id
                ), allocated AS (
                    INSERT INTO lp_ledger_allocation (
                        debit_id, credit_id, amount,
                        create_uid, create_date, write_uid, write_date)
                    SELECT id, res_id, points, %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM expired
                ), consumed AS (
                    UPDATE lp_ledger l SET remaining = 0
                      FROM expired e WHERE l.id = e.res_id
                ), per_member AS (
                    SELECT member_id, SUM(points) AS points
                      FROM expired GROUP BY member_id
                )
                UPDATE lp_member m SET balance = m.balance - p.points
                  FROM per_member p WHERE m.id = p.member_id
                """,
                ids=ids,
                now=fields.Datetime.now(),
                uid=self.env.uid,
            )
        )
        self.env.invalidate_all()
        return len(ids)

    @api.model
    def _cron_release_and_expire(self, batch_size=50000):
        """Scheduled job: release held points, then expire overdue ones, in
        committed batches that report progress."""
        for step in (self._release_held, self._expire_due):
            while True:
                done = step(limit=batch_size)
                commit_progress(self.env, done)
                if done < batch_size:
                    break

    @api.model
    def _expiring_soon(self, member_ids, days=30, today=None):
        """{member_id: (points, first_date)} of points expiring within
        ``days``: what the cashier and the portal show."""
        today = today or fields.Date.context_today(self)
        if not member_ids:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT member_id, SUM(remaining), MIN(expiry_date)
                  FROM lp_ledger
                 WHERE member_id IN %s AND remaining > 0 AND NOT held
                   AND expiry_date >= %s AND expiry_date <= %s
                 GROUP BY member_id
                """,
                tuple(member_ids),
                today,
                today + timedelta(days=days),
            )
        )
        return {row[0]: (row[1], row[2]) for row in self.env.cr.fetchall()}

    @api.model
    def _check_consistency(self, member_ids=None):
        """Members whose stored balance or pending differs from the ledger:
        [(member_id, balance, ledger_balance, pending, ledger_pending)].
        An empty list means the invariants hold."""
        where = member_filter(member_ids)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT m.id, m.balance, COALESCE(l.avail, 0), m.pending,
                       COALESCE(l.held, 0)
                  FROM lp_member m
                  LEFT JOIN (
                      SELECT member_id,
                             SUM(remaining) FILTER (WHERE NOT held) AS avail,
                             SUM(remaining) FILTER (WHERE held) AS held,
                             SUM(amount) AS total
                        FROM lp_ledger GROUP BY member_id
                  ) l ON l.member_id = m.id
                 WHERE %s
                   AND (m.balance <> COALESCE(l.avail, 0)
                        OR m.pending <> COALESCE(l.held, 0)
                        OR m.balance + m.pending <> COALESCE(l.total, 0))
                """,
                where,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _cron_check_consistency(self):
        """Nightly: compare every stored balance with the ledger. It should
        never find anything; when it does, the loyalty manager gets a to-do
        on each member concerned, the same day. Returns the discrepancies."""
        problems = self._check_consistency()
        if problems:
            _logger.warning(
                "Loyalty ledger check: %s member(s) whose stored balance differs "
                "from the ledger: %s",
                len(problems),
                [row[0] for row in problems[:MAX_ACTIVITIES]],
            )
            self._report_discrepancies(problems)
        return problems

    @api.model
    def _report_discrepancies(self, problems):
        """A to-do activity per member (the first ``MAX_ACTIVITIES``) for the
        first loyalty manager of its company; none added twice. Meant to be
        overridden (e.g. to mail an administrator)."""
        managers = self.env.ref("loyalty_program.group_lp_manager").user_ids.filtered(
            lambda u: u.active and not u.share
        )
        summary = self.env._("Loyalty balance differs from the ledger")
        Member = self.env["lp.member"].sudo()
        for member_id, balance, avail, pending, held in problems[:MAX_ACTIVITIES]:
            member = Member.browse(member_id)
            user = managers.filtered(lambda u, m=member: m.company_id in u.company_ids)
            user = user.sorted("id")[:1] or self.env.ref("base.user_admin")
            if member.activity_ids.filtered(
                lambda a, u=user: a.summary == summary and a.user_id == u
            ):
                continue
            member.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=self.env._(
                    "The nightly check found %(member)s with %(balance)s points "
                    "available and %(pending)s pending, but the ledger says "
                    "%(avail)s and %(held)s (%(count)s member(s) in all). "
                    "Nothing should ever cause this: please report it.",
                    member=member.display_name,
                    balance=balance,
                    pending=pending,
                    avail=avail,
                    held=held,
                    count=len(problems),
                ),
                user_id=user.id,
            )
