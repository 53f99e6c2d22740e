import logging

import psycopg2
from psycopg2 import errors

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import transactions
from .lp_ledger import commit_progress

_logger = logging.getLogger(__name__)

POSTCOMMIT_KEY = "loyalty_program.stats_queue"


class LpCustomerStatsQueue(models.Model):
    """Customers whose statistics must be refreshed: a paid POS order or a
    confirmed or cancelled sales order adds a row here, in the order's own
    transaction (an INSERT without unique key: it never conflicts with
    another till serving the same customer). The refresh itself runs in a
    transaction of its own, so it sees the order's points posted and holds
    no lock of the order: for a sales order right after its commit
    (:meth:`_enqueue` registers a post-commit hook), for the tills in the
    job that runs every minute (:meth:`_cron_process`), set-based for every
    customer queued meanwhile; the job also catches whatever the hooks left
    (a crash, a customer busy in another refresh).

    Why no row lock wait and no serialization failure: a refresh claims a
    customer by locking their statistics row with ``SKIP LOCKED``, deletes
    the queue rows of the customers it claimed, then computes their figures
    with a snapshot taken after the claim. A customer being refreshed by
    someone else is skipped: their queue rows stay for the next refresh, which
    then sees every order behind them."""

    _name = "lp.customer.stats.queue"
    _description = "Customer Statistics Refresh Queue"
    _log_access = False

    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")

    @api.model
    def _enqueue(self, partners, company, after_commit=True):
        """Queue ``partners`` (their statistics in ``company``). With
        ``after_commit``, refresh them once the current transaction has
        committed; else the job refreshes them within a minute, with
        everything else queued meanwhile (the tills: a paid order costs one
        INSERT, not a refresh per order)."""
        partner_ids = [pid for pid in set(partners.ids) if pid]
        if not partner_ids:
            return
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO lp_customer_stats_queue (partner_id, company_id)
                SELECT unnest(%s::int[]), %s
                """,
                partner_ids,
                company.id,
            )
        )
        if not after_commit:
            return
        postcommit = self.env.cr.postcommit
        if POSTCOMMIT_KEY not in postcommit.data:
            postcommit.data[POSTCOMMIT_KEY] = set()
            postcommit.add(self._process_after_commit)
        postcommit.data[POSTCOMMIT_KEY].update(partner_ids)

    def _process_after_commit(self):
        partner_ids = self.env.cr.postcommit.data.get(POSTCOMMIT_KEY)
        if not partner_ids:
            return
        try:
            with transactions.read_committed(self.env(su=True)) as env:
                self.with_env(env)._process(sorted(partner_ids))
        except psycopg2.Error as error:
            # The queue keeps them: the job refreshes them shortly.
            _logger.info("Customer statistics refresh left to the job: %s", error)

    @api.model
    def _process(self, partner_ids=None, limit=1000):
        """Refresh queued customers (those of ``partner_ids``, or the first
        ``limit``) that nobody else is refreshing, in the current
        transaction. Returns (customers refreshed, queued customers left
        aside because another refresh holds them)."""
        cr = self.env.cr
        where = (
            SQL("partner_id = ANY(%s)", list(partner_ids))
            if partner_ids is not None
            else SQL("TRUE")
        )
        cr.execute(
            SQL(
                """
                SELECT DISTINCT partner_id, company_id FROM lp_customer_stats_queue
                 WHERE %s ORDER BY partner_id, company_id LIMIT %s
                """,
                where,
                limit,
            )
        )
        pairs = cr.fetchall()
        if not pairs:
            return 0, 0
        partners, companies = [p for p, _c in pairs], [c for _p, c in pairs]
        now = fields.Datetime.now()
        # A row to lock for customers seen for the first time (filled below,
        # in this transaction, or deleted if they have nothing to show).
        cr.execute(
            SQL(
                """
                INSERT INTO lp_customer_stats (partner_id, company_id,
                            create_uid, create_date, write_uid, write_date)
                SELECT p, c, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(partners)s::int[], %(companies)s::int[]) AS q(p, c)
                    ON CONFLICT (partner_id, company_id) DO NOTHING
                """,
                partners=partners,
                companies=companies,
                uid=self.env.uid,
                now=now,
            )
        )
        cr.execute(
            SQL(
                """
                SELECT s.partner_id, s.company_id FROM lp_customer_stats s
                  JOIN unnest(%s::int[], %s::int[]) AS q(p, c)
                    ON s.partner_id = q.p AND s.company_id = q.c
                 ORDER BY s.id FOR UPDATE OF s SKIP LOCKED
                """,
                partners,
                companies,
            )
        )
        claimed = cr.fetchall()
        if claimed:
            cr.execute(
                SQL(
                    """
                    DELETE FROM lp_customer_stats_queue q
                     USING unnest(%s::int[], %s::int[]) AS c(p, c)
                     WHERE q.partner_id = c.p AND q.company_id = c.c
                    """,
                    [p for p, _c in claimed],
                    [c for _p, c in claimed],
                )
            )
            self.env["lp.customer.stats"]._compute_figures(
                partner_ids=sorted({p for p, _c in claimed})
            )
        return len(claimed), len(pairs) - len(claimed)

    @api.model
    def _cron_process(self, batch_size=1000):
        """Refresh everything queued, batch by batch, each committed. A batch
        that meets a concurrent refresh of the same customers is left for the
        next run."""
        while True:
            try:
                with self.env.cr.savepoint():
                    done, busy = self._process(limit=batch_size)
            except (errors.SerializationFailure, errors.LockNotAvailable) as error:
                _logger.info("Customer statistics queue: %s; next run.", error)
                return False
            commit_progress(self.env, done)
            if not done or done + busy < batch_size:
                return True
