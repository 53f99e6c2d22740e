from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .lp_ledger import POSTING
from .lp_member import BOOKKEEPING

# The member's figures a posting reads, fetched by the lock itself (with
# the hint whether an offer may apply, read by every till order).
LOCKED_READ = (*sorted(BOOKKEEPING), "state", "offer_until")


class LpMember(models.Model):
    _inherit = "lp.member"  # pylint: disable=consider-merging-classes-inherited

    # Posting: thin wrappers around lp.ledger._post, meant to be overridden

    def _lock_for_posting(self):
        """Lock the member rows, in id order, waiting for other postings.
        Under Odoo's REPEATABLE READ a concurrent posting that committed first
        makes this raise a serialization failure: Odoo retries the request, or
        the till's calls fall back to READ COMMITTED (``tools.transactions``).

        Members in the context's ``lp_locked_member_ids`` are already locked
        by the caller, in the same savepoint (several postings of one paid
        order): they are not locked nor re-read again."""
        locked = self.env.context.get("lp_locked_member_ids") or ()
        members = self.filtered(lambda member: member.id not in locked)
        if not members.ids:
            return
        members.flush_recordset()
        self.env.cr.execute(
            SQL(
                "SELECT id, %s FROM lp_member WHERE id IN %s ORDER BY id "
                "FOR NO KEY UPDATE",
                SQL(", ").join(SQL.identifier(name) for name in LOCKED_READ),
                tuple(sorted(members.ids)),
            ),
            # A serialization failure here is expected on a busy member and
            # handled (Odoo's retry, or the till's READ COMMITTED fallback).
            log_exceptions=False,
        )
        members._lp_cache_locked(self.env.cr.fetchall())

    def _lp_cache_locked(self, rows):
        """Put the figures a lock statement returned, rows of ``(id,
        *LOCKED_READ)``, in the cache: they are current (the row is locked),
        so the posting does not read the member again."""
        self.invalidate_recordset(list(LOCKED_READ))
        if not rows:
            return
        # As the ORM's own fetch does: the column values, as they are.
        ids, *columns = zip(*rows, strict=True)
        for name, values in zip(LOCKED_READ, columns, strict=True):
            self._fields[name]._insert_cache(self.browse(ids), values)

    def _apply_delta(self, balance=0.0, pending=0.0, window_spend=0.0):
        self.ensure_one()
        if not (balance or pending or window_spend):
            return
        new_balance = round(self.balance + balance, 2)
        new_pending = round(self.pending + pending, 2)
        if new_balance < 0 or new_pending < 0:
            raise UserError(
                self.env._(
                    "%(member)s cannot go below zero points.",
                    member=self.display_name,
                )
            )
        # Bookkeeping only: nothing tracked changes, so skip mail tracking
        # (it reads the tracked fields and queues a precommit per member).
        self.sudo().with_context(lp_posting=POSTING, tracking_disable=True).write(
            {
                "balance": new_balance,
                "pending": new_pending,
                "window_spend": self.window_spend + window_spend,
            }
        )

    def _earn(self, amount, source=None, source_key=None, base_amount=None, date=None):
        """Credit the points ``amount`` (company currency, already net of
        exclusions and of the points spent) earns, held for the program's hold
        period and expiring after its lifetime. ``base_amount`` (default
        ``amount``) counts toward the tier. Posts even 0 points, so that the
        purchase counts toward the tier. Returns the entry."""
        return self.env["lp.ledger"]._post(
            [self._prepare_earn_values(amount, source, source_key, base_amount, date)]
        )

    def _prepare_earn_values(
        self, amount, source=None, source_key=None, base_amount=None, date=None
    ):
        """The ledger values of :meth:`_earn` (for ``lp.ledger._post``, alone
        or with the other postings of a document). Meant to be overridden."""
        self.ensure_one()
        program = self.program_id
        points = program._points_for_amount(self, amount)
        now = date or fields.Datetime.now()
        available_from = now + timedelta(days=program.hold_days)
        expiry = (
            (available_from + timedelta(days=program.lifetime_days)).date()
            if program.lifetime_days
            else False
        )
        return {
            "member_id": self.id,
            "kind": "earn",
            "amount": points,
            "base_amount": amount if base_amount is None else base_amount,
            "available_from": available_from,
            "expiry_date": expiry,
            "source": source,
            "source_key": source_key,
            "date": now,
        }

    def _spend(
        self, points, source=None, source_key=None, reason=None, reservation_key=None
    ):
        """Debit ``points`` FIFO. Refuses (UserError) above the balance less the
        points other open orders have reserved (``reservation_key``: the
        reservation this spend consumes, not counted against it)."""
        return self.env["lp.ledger"]._post(
            [
                self._prepare_spend_values(
                    points, source, source_key, reason, reservation_key
                )
            ]
        )

    def _prepare_spend_values(
        self, points, source=None, source_key=None, reason=None, reservation_key=None
    ):
        """The ledger values of :meth:`_spend`, refused (UserError) for a
        member who may not spend. Meant to be overridden."""
        self.ensure_one()
        if points <= 0:
            raise UserError(self.env._("Points to spend must be positive."))
        if self.state != "active":
            raise UserError(
                self.env._(
                    "%(member)s is %(state)s: points cannot be spent.",
                    member=self.display_name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        self.state
                    ],
                )
            )
        return {
            "member_id": self.id,
            "kind": "spend",
            "amount": -points,
            "source": source,
            "source_key": source_key,
            "reason": reason,
            "reservation_key": reservation_key,
        }

    def _grant(
        self, kind, points, lifetime_days=0, source=None, source_key=None, reason=None
    ):
        """Credit a bonus (welcome, birthday, gift, campaign) spendable at once,
        expiring after ``lifetime_days`` (0: never)."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        return self.env["lp.ledger"]._post(
            [
                {
                    "member_id": self.id,
                    "kind": kind,
                    "amount": points,
                    "expiry_date": today + timedelta(days=lifetime_days)
                    if lifetime_days
                    else False,
                    "source": source,
                    "source_key": source_key,
                    "reason": reason,
                }
            ]
        )

    def _adjust(self, points, reason, expiry_date=False):
        """Manual correction by a loyalty manager: a reason is required and
        the adjustment is logged on the member's chatter."""
        self.ensure_one()
        if not self.env.user.has_group("loyalty_program.group_lp_manager"):
            raise AccessError(
                self.env._("Only loyalty managers can adjust points by hand.")
            )
        if not (reason or "").strip():
            raise UserError(self.env._("A manual adjustment needs a reason."))
        if not points:
            raise UserError(self.env._("An adjustment of zero points changes nothing."))
        entry = self.env["lp.ledger"]._post(
            [
                {
                    "member_id": self.id,
                    "kind": "adjustment",
                    "amount": points,
                    "expiry_date": expiry_date if points > 0 else False,
                    "reason": reason,
                    "source": self.env.user,
                }
            ]
        )
        self.message_post(
            body=self.env._(
                "Manual adjustment of %(points)s points: %(reason)s",
                points=f"{points:+g}",
                reason=reason,
            )
        )
        return entry
