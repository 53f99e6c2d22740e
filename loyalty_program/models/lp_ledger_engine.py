from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero, float_round

from ..tools import fifo
from .lp_ledger import POSTING, PRECISION


class LpLedger(models.Model):
    _inherit = "lp.ledger"  # pylint: disable=consider-merging-classes-inherited

    # The posting engine

    @api.model
    def _post(self, vals_list):
        """Post ledger entries: the one way points change.

        Each dict holds ``member_id``, ``kind`` and a signed ``amount`` (points),
        and optionally ``source`` (a record), ``source_key``, ``reason``,
        ``base_amount``, ``available_from``, ``expiry_date``, ``date``,
        ``reversed_entry_id``, ``prefer_credit_ids`` (credits a debit consumes
        first, held or not), ``allow_partial`` (a debit takes what is there
        and records the rest as ``shortfall`` instead of failing) and, for a
        spend, ``reservation_key`` (the reservation it consumes, not counted
        against it) with ``reservation_points`` (what that reservation holds).

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
        posted = ledger._posted_keys(vals_list)
        # Credits are created together (one INSERT, one balance update per
        # member), a debit only once the credits before it exist.
        entries, pending = [], []
        for vals in vals_list:
            entries.append(ledger._post_one(dict(vals), posted, pending, entries))
        ledger._create_credits(pending, entries, posted)
        ids = [entry.id for entry in entries]
        members._after_posting(ledger.browse(ids))
        return self.browse(ids)

    def _posted_keys(self, vals_list):
        """{(member, kind, source_key): entry} of the events of ``vals_list``
        already posted, in one query when there are several (an order's
        offers), else None (:meth:`_post_one` looks its one key up)."""
        keys = {
            (vals["member_id"], vals["kind"], vals["source_key"])
            for vals in vals_list
            if vals.get("source_key")
        }
        if len(keys) < 2:
            return None
        found = self.search_fetch(
            [
                ("member_id", "in", list({key[0] for key in keys})),
                ("source_key", "in", list({key[2] for key in keys})),
            ],
            ["member_id", "kind", "source_key"],
        )
        return {(e.member_id.id, e.kind, e.source_key): e for e in found}

    def _post_one(self, vals, posted=None, pending=None, entries=None):
        """Post one entry (see :meth:`_post`); with ``pending`` (a list), a
        credit is only prepared there, created by :meth:`_create_credits`
        (returns None then)."""
        member = self.env["lp.member"].browse(vals.pop("member_id"))
        source = vals.pop("source", None)
        reservation_key = vals.pop("reservation_key", None)
        reservation_points = vals.pop("reservation_points", 0.0)
        prefer = vals.pop("prefer_credit_ids", [])
        allow_partial = vals.pop("allow_partial", False)
        if source:
            vals.setdefault("res_model", source._name)
            vals.setdefault("res_id", source.id)
        vals["amount"] = float_round(
            vals.get("amount", 0.0), precision_rounding=PRECISION
        )
        key = vals.get("source_key") and (member.id, vals["kind"], vals["source_key"])
        if key and pending and any(key == item[3] for item in pending):
            self._create_credits(pending, entries, posted)
        if key and posted is not None:
            if key in posted:
                return posted[key]
        elif key:
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
        # A spend within the live reservation it consumes needs no check:
        # that reservation held its points against every other open order
        # when it was made, under the member's lock, and postings that take
        # points since shrank reservations to fit the balance.
        points = -vals["amount"]
        if vals["kind"] == "spend" and points > reservation_points + PRECISION / 2:
            self._check_reservations(member, points, reservation_key)
        if vals["amount"] >= 0 and pending is not None:
            pending.append(
                (len(entries), member, self._credit_values(member, vals), key)
            )
            return None
        if pending:
            self._create_credits(pending, entries, posted)
        if vals["amount"] >= 0:
            entry = self._post_credit(member, vals)
        else:
            entry = self._post_debit(member, vals, prefer, allow_partial)
        if key and posted is not None:
            posted[key] = entry
        return entry

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

    def _credit_values(self, member, vals):
        now = fields.Datetime.now()
        available_from = vals.get("available_from") or now
        held = available_from > now and vals["amount"] > 0
        vals.update(
            member_id=member.id,
            available_from=available_from,
            held=held,
            remaining=vals["amount"],
        )
        return vals

    def _post_credit(self, member, vals):
        vals = self._credit_values(member, vals)
        entry = self.with_context(lp_posting=POSTING).create(vals)
        held = vals["held"]
        member._apply_delta(
            balance=0.0 if held else entry.amount,
            pending=entry.amount if held else 0.0,
            window_spend=vals.get("base_amount", 0.0),
        )
        return entry

    def _create_credits(self, pending, entries, posted):
        """Create the credits ``pending`` prepared (``(position in entries,
        member, values, key)``) at once, move each member's figures once,
        put each entry at its position in ``entries``."""
        if not pending:
            return
        created = self.with_context(lp_posting=POSTING).create(
            [vals for _position, _member, vals, _key in pending]
        )
        deltas = {}
        for (position, member, vals, key), entry in zip(pending, created, strict=True):
            entries[position] = entry
            if key and posted is not None:
                posted[key] = entry
            balance, pending_points, spend = deltas.get(member, (0.0, 0.0, 0.0))
            deltas[member] = (
                balance + (0.0 if vals["held"] else entry.amount),
                pending_points + (entry.amount if vals["held"] else 0.0),
                spend + vals.get("base_amount", 0.0),
            )
        for member, (balance, pending_points, spend) in deltas.items():
            member._apply_delta(
                balance=balance, pending=pending_points, window_spend=spend
            )
        pending.clear()

    def _post_debit(self, member, vals, prefer, allow_partial):
        wanted = -vals["amount"]
        credits = self.search_fetch(
            [("member_id", "=", member.id), ("remaining", ">", 0)],
            ["remaining", "held", "expiry_date"],
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
