from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .lp_ledger import commit_progress, member_filter


class LpMember(models.Model):
    _inherit = "lp.member"  # pylint: disable=consider-merging-classes-inherited

    # Scheduled jobs, set-based

    @api.model
    def _recompute_window_spend(self, member_ids=None, now=None):
        """Recompute every member's tier-period spend from the ledger."""
        now = now or fields.Datetime.now()
        where = member_filter(member_ids)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH spend AS (
                    SELECT l.member_id, SUM(l.base_amount) AS total
                      FROM lp_ledger l
                      JOIN lp_member m ON m.id = l.member_id
                      JOIN lp_program p ON p.id = m.program_id
                     WHERE l.base_amount <> 0
                       AND l.date >= %(now)s - make_interval(days => p.tier_window_days)
                       AND %(where)s
                     GROUP BY l.member_id
                )
                UPDATE lp_member m
                   SET window_spend = COALESCE(s.total, 0)
                  FROM lp_member m2
                  LEFT JOIN spend s ON s.member_id = m2.id
                 WHERE m.id = m2.id AND %(where)s
                   AND m.window_spend IS DISTINCT FROM COALESCE(s.total, 0)
                """,
                now=now,
                where=where,
            )
        )
        count = self.env.cr.rowcount
        self.env.invalidate_all()
        return count

    @api.model
    def _reevaluate_tiers(self, member_ids=None):
        """Move every member to the tier its spend reaches (upgrades and
        downgrades), logging the history. Returns the number of changes."""
        where = member_filter(member_ids)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH target AS (
                    SELECT m.id, m.tier_id AS old_tier, m.window_spend,
                           COALESCE(
                               (SELECT t.id FROM lp_tier t
                                 WHERE t.program_id = m.program_id
                                   AND t.threshold <= m.window_spend
                                 ORDER BY t.threshold DESC LIMIT 1),
                               (SELECT t.id FROM lp_tier t
                                 WHERE t.program_id = m.program_id
                                 ORDER BY t.threshold LIMIT 1)) AS new_tier
                      FROM lp_member m
                     WHERE m.state <> 'closed' AND %(where)s
                ), changed AS (
                    UPDATE lp_member m SET tier_id = t.new_tier
                      FROM target t
                     WHERE m.id = t.id AND t.new_tier IS NOT NULL
                       AND m.tier_id IS DISTINCT FROM t.new_tier
                 RETURNING m.id, t.old_tier, t.new_tier, t.window_spend
                )
                INSERT INTO lp_tier_history (
                    member_id, old_tier_id, new_tier_id, reason, window_spend, date,
                    create_uid, create_date, write_uid, write_date)
                SELECT c.id, c.old_tier, c.new_tier,
                       CASE WHEN c.old_tier IS NULL THEN 'initial'
                            WHEN nt.threshold > ot.threshold THEN 'upgrade'
                            ELSE 'downgrade' END,
                       c.window_spend, %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM changed c
                  JOIN lp_tier nt ON nt.id = c.new_tier
                  LEFT JOIN lp_tier ot ON ot.id = c.old_tier
                """,
                where=where,
                now=fields.Datetime.now(),
                uid=self.env.uid,
            )
        )
        count = self.env.cr.rowcount
        self.env.invalidate_all()
        return count

    @api.model
    def _cron_reevaluate_tiers(self, batch_size=100000, now=None):
        """Nightly: tier-period spend and tiers for all members. The tier
        window of the ledger is read once (one range scan on ``date``, into
        a temporary table), then applied in member-id ranges committed one
        by one with progress, each adding what was posted since the scan."""
        now = now or fields.Datetime.now()
        cr = self.env.cr
        last_entry = self._scan_tier_window(now)
        cr.execute("SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM lp_member")
        low, high = cr.fetchone()
        start = low
        while start and start <= high:
            cr.execute(
                "SELECT id FROM lp_member WHERE id >= %s AND id < %s",
                [start, start + batch_size],
            )
            ids = [r[0] for r in cr.fetchall()]
            if ids:
                self._apply_tier_window(start, start + batch_size, last_entry, now)
                self._reevaluate_tiers(ids)
            start += batch_size
            commit_progress(self.env, len(ids), remaining=max(0, high - start + 1))
        cr.execute("DROP TABLE IF EXISTS lp_tier_window")

    @api.model
    def _scan_tier_window(self, now):
        """Sum every member's spend of its program's tier window into the
        session's temporary table ``lp_tier_window`` (kept across the job's
        commits). Returns the last ledger entry id the scan saw."""
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("DROP TABLE IF EXISTS lp_tier_window")
        cr.execute("SELECT COALESCE(MAX(id), 0) FROM lp_ledger")
        last_entry = cr.fetchone()[0]
        cr.execute(
            SQL(
                """
                CREATE TEMP TABLE lp_tier_window ON COMMIT PRESERVE ROWS AS
                SELECT l.member_id, SUM(l.base_amount) AS total
                  FROM lp_ledger l
                  JOIN lp_program p ON p.id = l.program_id
                 WHERE l.base_amount <> 0 AND l.id <= %(last)s
                   AND l.date >= %(now)s - make_interval(days => p.tier_window_days)
                 GROUP BY l.member_id
                """,
                last=last_entry,
                now=now,
            )
        )
        cr.execute("CREATE UNIQUE INDEX ON lp_tier_window (member_id)")
        cr.execute("ANALYZE lp_tier_window")
        return last_entry

    @api.model
    def _apply_tier_window(self, low, high, last_entry, now):
        """Set the tier-period spend of members with ids in [low, high) from
        the scan, plus their entries posted after it (``id > last_entry``,
        found by primary key). Returns the number of members changed."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH late AS (
                    SELECT l.member_id, SUM(l.base_amount) AS total
                      FROM lp_ledger l
                      JOIN lp_program p ON p.id = l.program_id
                     WHERE l.id > %(last)s AND l.base_amount <> 0
                       AND l.member_id >= %(low)s AND l.member_id < %(high)s
                       AND l.date >= %(now)s - make_interval(days => p.tier_window_days)
                     GROUP BY l.member_id
                ), spend AS (
                    SELECT m.id,
                           COALESCE(w.total, 0) + COALESCE(late.total, 0) AS total
                      FROM lp_member m
                      LEFT JOIN lp_tier_window w ON w.member_id = m.id
                      LEFT JOIN late ON late.member_id = m.id
                     WHERE m.id >= %(low)s AND m.id < %(high)s
                )
                UPDATE lp_member m SET window_spend = s.total
                  FROM spend s
                 WHERE m.id = s.id AND m.window_spend IS DISTINCT FROM s.total
                """,
                last=last_entry,
                low=low,
                high=high,
                now=now,
            )
        )
        count = self.env.cr.rowcount
        self.invalidate_model(["window_spend"])
        return count

    @api.model
    def _cron_birthday_bonus(self, today=None, catch_up_days=1, programs=None):
        """Credit the birthday bonus to active members of bonus programs (of
        ``programs`` when given) whose birthday is kept on this day (29
        February on 28 February in other years) or was at most
        ``catch_up_days`` ago (a day the job did not run), once a year:
        set-based, one ledger entry per member keyed ``birthday:<year>``
        (the ledger's unique source key makes a second run a no-op). The
        birthday trigger runs it for its program before greeting
        (``lp.trigger._before_claim``). Returns the members credited."""
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                WITH b AS (
                    SELECT m.id, y.year,
                           make_date(y.year, rp.lp_birthday_month,
                                     CASE WHEN rp.lp_birthday_month = 2
                                           AND rp.lp_birthday_day = 29
                                           AND NOT (y.year %% 4 = 0
                                                    AND (y.year %% 100 <> 0
                                                         OR y.year %% 400 = 0))
                                          THEN 28 ELSE rp.lp_birthday_day END
                           ) AS kept
                      FROM lp_member m
                      JOIN lp_program p ON p.id = m.program_id
                      JOIN res_partner rp ON rp.id = m.partner_id
                     CROSS JOIN (VALUES (%(year)s - 1), (%(year)s)) AS y(year)
                     WHERE m.state = 'active' AND p.program_type = 'bonus'
                       AND p.birthday_points > 0 AND %(programs)s
                       AND rp.lp_birthday_month > 0 AND rp.lp_birthday_day > 0
                )
                SELECT b.id, 'birthday:' || b.year FROM b
                 WHERE b.kept BETWEEN %(from)s AND %(today)s
                   AND NOT EXISTS (
                       SELECT 1 FROM lp_ledger l
                        WHERE l.member_id = b.id AND l.kind = 'birthday'
                          AND l.source_key = 'birthday:' || b.year)
                """,
                year=today.year,
                today=today,
                programs=SQL("p.id IN %s", tuple(programs.ids))
                if programs
                else SQL("TRUE"),
                **{"from": today - timedelta(days=catch_up_days)},
            )
        )
        due = cr.fetchall()
        if not due:
            return self.browse()
        members = self.browse(sorted({row[0] for row in due}))
        members._lock_for_posting()
        now = fields.Datetime.now()
        cr.execute(
            SQL(
                """
                WITH due AS (
                    SELECT d.member_id, d.source_key
                      FROM unnest(%(ids)s::int[], %(keys)s::varchar[])
                           AS d(member_id, source_key)
                ), posted AS (
                    INSERT INTO lp_ledger (
                        member_id, program_id, partner_id, company_id, kind,
                        amount, shortfall, base_amount, date, available_from,
                        expiry_date, held, remaining, source_key, user_id,
                        create_uid, create_date, write_uid, write_date)
                    SELECT m.id, m.program_id, m.partner_id, m.company_id,
                           'birthday', p.birthday_points, 0, 0, %(now)s, %(now)s,
                           CASE WHEN p.birthday_lifetime_days > 0
                                THEN %(today)s + p.birthday_lifetime_days END,
                           FALSE, p.birthday_points, d.source_key, %(uid)s,
                           %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM due d
                      JOIN lp_member m ON m.id = d.member_id AND m.state = 'active'
                      JOIN lp_program p ON p.id = m.program_id
                    ON CONFLICT DO NOTHING
                 RETURNING member_id, amount
                ), per_member AS (
                    SELECT member_id, SUM(amount) AS amount
                      FROM posted GROUP BY member_id
                )
                UPDATE lp_member m SET balance = COALESCE(m.balance, 0) + p.amount
                  FROM per_member p WHERE m.id = p.member_id
             RETURNING m.id
                """,
                ids=[row[0] for row in due],
                keys=[row[1] for row in due],
                now=now,
                today=today,
                uid=self.env.uid,
            )
        )
        credited = self.browse([row[0] for row in cr.fetchall()])
        self.env.invalidate_all()
        return credited
