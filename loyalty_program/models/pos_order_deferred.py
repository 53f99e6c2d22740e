import logging

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import transactions
from .lp_ledger import commit_progress

_logger = logging.getLogger(__name__)

POSTCOMMIT_KEY = "loyalty_program.pos_deferred"


class PosOrder(models.Model):
    """Posting a paid order whose member is busy at another till.

    A paid order's request runs at REPEATABLE READ with a snapshot taken
    when the request began. When another till served the same member since
    (the family card at every till on a Saturday), locking the member fails
    to serialize, and Odoo would replay the whole request after sleeping,
    up to five times. Instead the order is saved without its points
    (``lp_post_pending``, written on the order's own new row: no conflict)
    and posted right after its commit, in a transaction of its own at READ
    COMMITTED: there, waiting on the member's lock ends with the member's
    current figures. The till's request returns after that posting (Odoo
    runs post-commit hooks before answering). A frequent job posts whatever
    a crash between the two left behind."""

    _inherit = "pos.order"  # pylint: disable=consider-merging-classes-inherited

    lp_post_pending = fields.Boolean(
        string="Loyalty posting pending",
        readonly=True,
        copy=False,
        help="The order was paid while its member was busy at another till: "
        "its points are posted right after it was saved.",
    )

    _lp_post_pending_idx = models.Index("(id) WHERE lp_post_pending")

    def _get_open_order(self, order):
        """A till that got no answer sends a paid order again; core ignores
        an order it already has ("sync ignored for existing order"). When
        the server died between that order's commit and its posting, its
        points are still pending: post them right after this request's
        commit rather than wait for the job. No statement more: core reads
        the order's state (and so the flag) right after."""
        existing = super()._get_open_order(order)
        if existing.state not in (False, "draft") and existing.lp_post_pending:
            _logger.info(
                "POS order %s sent again: pending points posted", existing.name
            )
            existing._lp_post_after_commit()
        return existing

    def _lp_defer_posting(self):
        """Mark the order for posting after the current transaction commits."""
        self.ensure_one()
        self.env.cr.execute(
            SQL("UPDATE pos_order SET lp_post_pending = TRUE WHERE id = %s", self.id)
        )
        self.invalidate_recordset(["lp_post_pending"])
        _logger.info("POS order %s: member busy, points posted after commit", self.name)
        self._lp_post_after_commit()

    def _lp_post_after_commit(self):
        """Post the (marked) order right after the current transaction
        commits, in a transaction of its own at READ COMMITTED."""
        self.ensure_one()
        postcommit = self.env.cr.postcommit
        if POSTCOMMIT_KEY not in postcommit.data:
            postcommit.data[POSTCOMMIT_KEY] = set()
            postcommit.add(self._lp_post_deferred_after_commit)
        postcommit.data[POSTCOMMIT_KEY].add(self.id)

    def _lp_post_deferred_after_commit(self):
        order_ids = self.env.cr.postcommit.data.pop(POSTCOMMIT_KEY, None)
        if not order_ids:
            return
        try:
            with transactions.read_committed(self.env) as env:
                self.with_env(env)._lp_post_pending(sorted(order_ids))
        except Exception as error:  # noqa: BLE001 - the order is saved already
            # The orders stay marked: the job posts them shortly.
            _logger.warning("Deferred loyalty posting left to the job: %s", error)

    @api.model
    def _lp_post_pending(self, order_ids=None, limit=500):
        """Post the marked orders (those of ``order_ids``, or the first
        ``limit``) nobody else is posting, in the current transaction.
        Returns how many were posted."""
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM pos_order
                 WHERE lp_post_pending AND %s
                 ORDER BY id LIMIT %s
                   FOR UPDATE SKIP LOCKED
                """,
                SQL("id = ANY(%s)", list(order_ids)) if order_ids else SQL("TRUE"),
                limit,
            )
        )
        orders = self.browse([row[0] for row in self.env.cr.fetchall()])
        queue = self.env["lp.customer.stats.queue"].sudo()
        for order in orders.with_context(lp_posting_deferred=True):
            order._lp_post_safely()
            # The statistics refreshed after the order's commit did not see
            # these points: refresh them again after this commit.
            if order.partner_id:
                queue._enqueue(order.partner_id, order.company_id)
        if orders:
            self.env.cr.execute(
                SQL(
                    "UPDATE pos_order SET lp_post_pending = FALSE WHERE id = ANY(%s)",
                    orders.ids,
                )
            )
            orders.invalidate_recordset(["lp_post_pending"])
        return len(orders)

    @api.model
    def _cron_post_pending(self, batch_size=500):
        """Post the till orders a crash left unposted, batch by batch."""
        while True:
            done = self.sudo()._lp_post_pending(limit=batch_size)
            commit_progress(self.env, done)
            if done < batch_size:
                return True
