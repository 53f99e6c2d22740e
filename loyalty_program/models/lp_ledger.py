from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_is_zero, float_round

from ..tools import fifo


def commit_progress(env, done, remaining=None):
    """Commit a batch and report progress when running as a scheduled job;
    outside a job (tests, a shell) the caller's transaction stays open."""
    if env.context.get("cron_id"):
        env["ir.cron"]._commit_progress(done, remaining=remaining)


def member_filter(member_ids, alias="m"):
    """SQL condition restricting a set-based job to ``member_ids`` (None: all)."""
    if member_ids is None:
        return SQL("TRUE")
    return SQL("%s IN %s", SQL.identifier(alias, "id"), tuple(member_ids) or (0,))


# Only code holding this object may create ledger entries or touch their
# bookkeeping columns: a context value that no RPC call can forge.
POSTING = object()

PRECISION = 0.01
KINDS = [
    ("earn", "Earned"),
    ("spend", "Spent"),
    ("expire", "Expired"),
    ("welcome", "Welcome bonus"),
    ("birthday", "Birthday bonus"),
    ("gift", "Gift"),
    ("campaign", "Campaign bonus"),
    ("adjustment", "Manual adjustment"),
    ("reversal", "Refund reversal"),
]


class LpLedger(models.Model):
    """One change of a member's points. Append-only: entries are created by
    :meth:`_post` only and never written or deleted; a mistake is corrected
    with a reversing entry (:meth:`_reverse`).

    ``remaining`` and ``held`` are the engine's bookkeeping on credits (how
    much of the credit is still unconsumed, whether it is still on hold);
    the allocations (``lp.ledger.allocation``) say which debit consumed what.
    """

    _name = "lp.ledger"
    _description = "Loyalty Ledger Entry"
    _order = "date desc, id desc"
    _rec_name = "kind"

    member_id = fields.Many2one(
        "lp.member", required=True, index=True, ondelete="restrict", readonly=True
    )
    # Precomputed: set in the INSERT, not by an UPDATE of the new row after it
    # (which would write every index of the ledger twice per entry).
    program_id = fields.Many2one(
        related="member_id.program_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(
        related="member_id.partner_id", store=True, index=True, precompute=True
    )
    company_id = fields.Many2one(
        related="member_id.company_id", store=True, precompute=True
    )
    currency_id = fields.Many2one(related="program_id.currency_id")
    kind = fields.Selection(KINDS, required=True, readonly=True, index=True)
    amount = fields.Float(string="Points", digits=(16, 2), required=True, readonly=True)
    shortfall = fields.Float(
        digits=(16, 2),
        readonly=True,
        help="Points a reversal should have taken back but the member no "
        "longer had: recorded, never posted below zero.",
    )
    base_amount = fields.Monetary(
        string="Purchase amount",
        readonly=True,
        help="The purchase behind this entry (negative for a refund); counts "
        "toward the member's tier.",
    )
    date = fields.Datetime(
        default=fields.Datetime.now, required=True, readonly=True, index=True
    )
    available_from = fields.Datetime(
        readonly=True, help="Held points become spendable at this time."
    )
    expiry_date = fields.Date(
        readonly=True, help="Unspent points expire after this day."
    )
    held = fields.Boolean(readonly=True)
    remaining = fields.Float(
        digits=(16, 2),
        readonly=True,
        help="Part of this credit not yet spent or expired.",
    )
    res_model = fields.Char(string="Source model", readonly=True, index=True)
    res_id = fields.Many2oneReference(
        string="Source ID", model_field="res_model", readonly=True
    )
    source_key = fields.Char(
        readonly=True,
        help="Identifies the event that posted this entry; the same event "
        "posts once per member and kind.",
    )
    source_display = fields.Char(string="Source", compute="_compute_source_display")
    reason = fields.Text(readonly=True)
    user_id = fields.Many2one(
        "res.users", default=lambda self: self.env.uid, readonly=True, index=True
    )
    reversed_entry_id = fields.Many2one(
        "lp.ledger", string="Reverses", readonly=True, index="btree_not_null"
    )
    reversal_ids = fields.One2many("lp.ledger", "reversed_entry_id", readonly=True)
    allocation_ids = fields.One2many(
        "lp.ledger.allocation", "debit_id", string="Consumed credits", readonly=True
    )
    consumed_by_ids = fields.One2many(
        "lp.ledger.allocation", "credit_id", string="Consumed by", readonly=True
    )

    _source_unique = models.UniqueIndex(
        "(member_id, kind, source_key) WHERE source_key IS NOT NULL"
    )
    _open_credits = models.Index("(member_id, expiry_date, id) WHERE remaining > 0")
    _expiry_due = models.Index("(expiry_date) WHERE remaining > 0 AND NOT held")
    _hold_due = models.Index("(available_from) WHERE held")
    _remaining_valid = models.Constraint(
        "CHECK(remaining >= 0 AND (amount > 0 OR remaining = 0))",
        "A credit's remaining points stay between zero and its amount.",
    )
    _source_index = models.Index("(res_model, res_id) WHERE res_model IS NOT NULL")

    @api.depends("res_model", "res_id")
    def _compute_source_display(self):
        for entry in self:
            record = entry._source_record()
            entry.source_display = record.display_name if record else False

    @api.depends("kind", "amount")
    def _compute_display_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for entry in self:
            entry.display_name = f"{labels.get(entry.kind, '')} {entry.amount:+g}"

    # CRUD: the ledger is append-only

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get("lp_posting") is not POSTING:
            raise UserError(
                self.env._(
                    "Ledger entries are posted by loyalty operations (orders, "
                    "adjustments, bonuses), never created by hand."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        bookkeeping = {"remaining", "held"}
        if self.env.context.get("lp_posting") is not POSTING or set(vals) - bookkeeping:
            raise UserError(
                self.env._(
                    "Ledger entries cannot be changed. Post a correcting "
                    "entry (a manual adjustment or a reversal) instead."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._(
                "Ledger entries cannot be deleted. Post a correcting entry instead."
            )
        )

    # Helpers

    def _source_record(self):
        self.ensure_one()
        if self.res_model and self.res_id and self.res_model in self.env:
            record = self.env[self.res_model].browse(self.res_id).exists()
            return record.sudo(False) if record else record
        return False

    def _is_credit(self):
        return self.amount > 0

    # The posting engine

    @api.model
    def _post(self, vals_list):
        """Post ledger entries: the one way points change.

        Each dict holds ``member_id``, ``kind`` and a signed ``amount`` (points),
        and optionally ``source`` (a record), ``source_key``, ``reason``,
        ``base_amount``, ``available_from``, ``expiry_date``, ``date``,
        ``reversed_entry_id``, ``prefer_credit_ids`` (credits a debit consumes
        first, held or not) and ``allow_partial`` (a debit takes what is there
        and records the rest as ``shortfall`` instead of failing).

        Members are locked first, in id order, so two transactions spending
        the same points serialize; an event already posted (same member, kind
        and ``source_key``) returns the existing entry. A debit above the
        available points raises :class:`UserError` and posts nothing.

        Returns the entries, in the order of ``vals_list``.
        """
        if not vals_list:
            return self.browse()
        # Access was checked by the caller (the order, the wizard); the
        # engine itself writes as superuser, keeping the real user on entries.
        ledger = self.sudo()
        members = ledger.env["lp.member"].browse(
            sorted({vals["member_id"] for vals in vals_list})
        )
        members._lock_for_posting()
        entries = [ledger._post_one(dict(vals)) for vals in vals_list]
        members._after_posting()
        return self.browse([entry.id for entry in entries])

    def _post_one(self, vals):
        member = self.env["lp.member"].browse(vals.pop("member_id"))
        source = vals.pop("source", None)
        reservation_key = vals.pop("reservation_key", None)
        prefer = vals.pop("prefer_credit_ids", [])
        allow_partial = vals.pop("allow_partial", False)
        if source:
            vals.setdefault("res_model", source._name)
            vals.setdefault("res_id", source.id)
        vals["amount"] = float_round(
            vals.get("amount", 0.0), precision_rounding=PRECISION
        )
        if vals.get("source_key"):
            existing = self.search(
                [
                    ("member_id", "=", member.id),
                    ("kind", "=", vals["kind"]),
                    ("source_key", "=", vals["source_key"]),
                ],
                limit=1,
            )
            if existing:
                return existing
        if member.state not in ("active", "blocked") and vals["kind"] not in (
            "expire",
            "reversal",
            "adjustment",
        ):
            raise UserError(
                self.env._(
                    "%(member)s is closed: no points can be posted.",
                    member=member.display_name,
                )
            )
        if vals["kind"] == "spend":
            self._check_reservations(member, -vals["amount"], reservation_key)
        if vals["amount"] >= 0:
            return self._post_credit(member, vals)
        return self._post_debit(member, vals, prefer, allow_partial)

    def _check_reservations(self, member, points, reservation_key):
        """A spend may not eat into points other open orders reserved."""
        reserved = self.env["lp.reservation"]._reserved_points(
            member, exclude_key=reservation_key
        )
        free = float_round(member.balance - reserved, precision_rounding=PRECISION)
        if reserved and points > free:
            raise UserError(
                self.env._(
                    "%(member)s has %(free)s points free to spend: %(reserved)s "
                    "are reserved by another open order.",
                    member=member.display_name,
                    free=max(free, 0.0),
                    reserved=reserved,
                )
            )

    def _post_credit(self, member, vals):
        now = fields.Datetime.now()
        available_from = vals.get("available_from") or now
        held = available_from > now and vals["amount"] > 0
        vals.update(
            member_id=member.id,
            available_from=available_from,
            held=held,
            remaining=vals["amount"],
        )
        entry = self.with_context(lp_posting=POSTING).create(vals)
        member._apply_delta(
            balance=0.0 if held else entry.amount,
            pending=entry.amount if held else 0.0,
            window_spend=vals.get("base_amount", 0.0),
        )
        return entry

    def _post_debit(self, member, vals, prefer, allow_partial):
        wanted = -vals["amount"]
        credits = self.search(
            [("member_id", "=", member.id), ("remaining", ">", 0)]
        ).filtered(lambda c: not c.held or c.id in prefer)
        preferred = credits.filtered(lambda c: c.id in prefer)
        others = credits - preferred
        first = [
            fifo.Credit(c.id, c.remaining, None, i) for i, c in enumerate(preferred)
        ]
        rest = [
            fifo.Credit(c.id, c.remaining, c.expiry_date or None, c.id) for c in others
        ]
        parts = []
        left = wanted
        for group in (first, rest):
            take = min(left, sum(c.remaining for c in group))
            take = float_round(take, precision_rounding=PRECISION)
            if take > 0:
                parts += fifo.allocate(group, take)
                left = float_round(left - take, precision_rounding=PRECISION)
        if not float_is_zero(left, precision_rounding=PRECISION) and not allow_partial:
            raise UserError(
                self.env._(
                    "%(member)s has %(available)s points available; "
                    "%(wanted)s cannot be taken.",
                    member=member.display_name,
                    available=member.balance,
                    wanted=wanted,
                )
            )
        taken = float_round(wanted - left, precision_rounding=PRECISION)
        vals.update(
            member_id=member.id,
            amount=-taken,
            shortfall=left if allow_partial else 0.0,
            remaining=0.0,
            held=False,
        )
        entry = self.with_context(lp_posting=POSTING).create(vals)
        by_id = {c.id: c for c in credits}
        balance_delta = pending_delta = 0.0
        allocation_vals = []
        for credit_id, part in parts:
            credit = by_id[credit_id].with_context(lp_posting=POSTING)
            credit.write({"remaining": credit.remaining - part})
            allocation_vals.append(
                {"debit_id": entry.id, "credit_id": credit_id, "amount": part}
            )
            if credit.held:
                pending_delta -= part
            else:
                balance_delta -= part
        self.env["lp.ledger.allocation"].with_context(lp_posting=POSTING).create(
            allocation_vals
        )
        member._apply_delta(
            balance=balance_delta,
            pending=pending_delta,
            window_spend=vals.get("base_amount", 0.0),
        )
        return entry

    def _reverse(self, ratio=1.0, source=None, source_key=None, reason=None):
        """Post the reversal of ``ratio`` (0-1] of each entry: a credit is
        taken back (from itself first, then from other points, never below
        zero: what is missing is recorded as ``shortfall``), a debit is given
        back as a new credit that expires when the latest of the credits it
        had consumed would have. ``base_amount`` is reversed in the same
        ratio, so the tier spend follows. Meant to be overridden."""
        vals_list = []
        for entry in self:
            points = float_round(entry.amount * ratio, precision_rounding=PRECISION)
            if float_is_zero(points, precision_rounding=PRECISION):
                continue
            key = source_key and f"{source_key}:{entry.id}"
            vals = {
                "member_id": entry.member_id.id,
                "kind": "reversal",
                "amount": -points,
                "base_amount": -entry.base_amount * ratio,
                "reversed_entry_id": entry.id,
                "source": source or entry._source_record() or None,
                "source_key": key,
                "reason": reason,
            }
            if points > 0:
                vals.update(prefer_credit_ids=[entry.id], allow_partial=True)
            else:
                expiries = entry.allocation_ids.credit_id.mapped("expiry_date")
                never = not expiries or any(not e for e in expiries)
                vals["expiry_date"] = False if never else max(expiries)
            vals_list.append(vals)
        return self._post(vals_list)

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
