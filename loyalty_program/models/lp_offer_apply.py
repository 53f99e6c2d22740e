from collections import namedtuple
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, float_round

from ..tools import offers
from .lp_ledger import PRECISION

# What the posting of one order did with one row: ``row`` (its Candidate),
# the matching ``lines`` (tools.offers.Line), ``points`` credited,
# ``discount`` given, the ``label`` printed.
Applied = namedtuple("Applied", "row lines points discount label")
# A money discount the order gave that the offer does not allow: ``given``
# by the till or the quotation, ``allowed`` by the server, ``reason``.
Refused = namedtuple("Refused", "row_id given allowed reason")

# Money the till may round a discount by (per discount line).
TOLERANCE = 0.01


class LpOfferMember(models.Model):
    """Applying a member's offers to an order being posted: the one place
    both channels (till, sales orders) go through. Called with the member
    already locked by the order's posting; the rows are locked here, their
    counters written in the same transaction, so two tills using a
    one-use offer at once cannot both get it: the second fails to
    serialize (Odoo's REPEATABLE READ) and posts again with the first's
    use in sight."""

    _inherit = "lp.offer.member"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _lp_apply(
        self, member, source, key, lines, when, channel, earned, given=None, at=None
    ):
        """Apply the open offers of ``member`` to the order ``source``:
        ``key`` its posting key (``pos.order:<uuid>``), ``lines`` its goods
        (:class:`~..tools.offers.Line`), ``when`` its local time,
        ``channel`` 'pos' or 'sale', ``earned(lines)`` the points those
        goods earn, ``given`` ``{row id: money discount the order gave}``,
        ``at`` the moment of the purchase (UTC, default now; never later
        than now): the offers open then apply, so an order the till synced
        late gets what the customer was promised at the till. Rows the
        nightly job expired are closed whatever ``at`` says.

        Points rewards post one ``offer`` ledger entry per row (keyed
        ``<key>:offer:<row>``: posted once), money discounts are recorded
        up to what the offer allows. Returns ``(applied, refused)``.

        In three steps a caller posting other entries may take apart, to
        post them all at once: :meth:`_lp_plan`, :meth:`_lp_entry_values`
        (for ``lp.ledger._post``), :meth:`_lp_record_uses`."""
        applied, refused = self._lp_plan(
            member, source, key, lines, when, channel, earned, given, at
        )
        if applied:
            entries = self.env["lp.ledger"]._post(
                self._lp_entry_values(member, source, key, applied)
            )
            self._lp_record_uses(member, source, key, channel, applied, entries)
        return applied, refused

    @api.model
    def _lp_plan(
        self, member, source, key, lines, when, channel, earned, given=None, at=None
    ):
        """Lock the member's open rows and decide what each gives the order
        (see :meth:`_lp_apply`): ``(applied, refused)``, nothing posted yet
        (the uses in all of limited offers are taken)."""
        given = dict(given or {})
        now = fields.Datetime.now()
        candidates = self._lp_candidates(
            member, min(at or now, now), channel, key=key, lock=True
        )
        if not candidates and not given:
            return [], []
        done = {c.row_id for c in candidates if c.done}
        applied, refused = [], []
        for candidate in candidates:
            if candidate.done:
                continue
            result = self._lp_evaluate(
                candidate, member, source, lines, when, channel, earned
            )
            wanted = given.pop(candidate.row_id, 0.0)
            if result and result.discount:
                result = result._replace(discount=min(wanted, result.discount))
            allowed = result.discount if result else 0.0
            if wanted > allowed + TOLERANCE:
                refused.append(Refused(candidate.row_id, wanted, allowed, "over"))
            if result and (result.points > 0 or result.discount > 0):
                applied.append(result)
        for row_id, wanted in given.items():
            if row_id not in done and wanted > TOLERANCE:
                refused.append(Refused(row_id, wanted, 0.0, "closed"))
        return self._lp_take_global_uses(applied, refused), refused

    @api.model
    def _lp_evaluate(self, candidate, member, source, lines, when, channel, earned):
        """:class:`Applied` of a (locked) :class:`Candidate` on the order,
        or None when the order does not qualify or the row's limits are
        reached. Meant to be overridden (another reward, another limit)."""
        c = candidate
        if c.uses_per_customer and c.use_count >= c.uses_per_customer:
            return None
        terms = self._lp_candidate_terms(c)
        matched = offers.match(terms, lines, when, channel)
        if not matched:
            return None
        # The first purchase since the customer was told (or since the
        # offer was made, when no message told them).
        if c.first_purchase and self._lp_bought_since(member, c.told, source):
            return None
        left = None
        if c.customer_cap:
            given = c.given_discount if c.reward_type == "discount" else c.given_points
            left = max(c.customer_cap - given, 0.0)
        amount = sum(line.amount for line in matched)
        program = member.program_id
        worth = offers.worth(
            terms,
            amount,
            earned(matched) if c.reward_type == "multiply" else 0.0,
            program.point_value,
            left,
        )
        points = worth.points
        if c.reward_type == "percent":
            points = program._round_points(points)
        return Applied(
            c,
            matched,
            float_round(points, precision_rounding=PRECISION),
            worth.discount,
            self.env["lp.offer"]._lp_label_for(
                c.reward_type, terms.value, c.what or ""
            ),
        )

    @api.model
    def _lp_bought_since(self, member, since, source):
        """Whether the member made a purchase (an earn entry) since
        ``since``, other than the order ``source`` being posted."""
        self.env["lp.ledger"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT 1 FROM lp_ledger
                 WHERE member_id = %s AND kind = 'earn' AND date >= %s
                   AND (res_model, res_id) IS DISTINCT FROM (%s, %s)
                 LIMIT 1
                """,
                member.id,
                since,
                source._name,
                source.id or 0,
            )
        )
        return bool(self.env.cr.fetchone())

    @api.model
    def _lp_take_global_uses(self, applied, refused):
        """Count one use of each offer with a limit of uses in all: one
        statement per such offer that locks and writes its row only while
        uses are left (a concurrent user of the same offer then fails to
        serialize). An offer out of uses gives nothing (its discount, if
        the order gave one, is refused)."""
        kept = []
        for result in applied:
            if not result.row.max_uses:
                kept.append(result)
                continue
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE lp_offer SET use_count = COALESCE(use_count, 0) + 1
                     WHERE id = %s AND COALESCE(use_count, 0) < max_uses
                    RETURNING use_count
                    """,
                    result.row.offer_id,
                ),
                log_exceptions=False,
            )
            if self.env.cr.fetchone():
                kept.append(result)
            elif result.discount:
                refused.append(
                    Refused(result.row.row_id, result.discount, 0.0, "limit")
                )
        if any(result.row.max_uses for result in applied):
            self.env["lp.offer"].invalidate_model(["use_count"])
        return kept

    @api.model
    def _lp_entry_values(self, member, source, key, applied):
        """Values of the ``offer`` ledger entries of ``applied`` (points
        rewards only): keyed per order and row, held and expiring like the
        purchase's earn, no tier spend of their own."""
        program = member.program_id
        now = fields.Datetime.now()
        available_from = now + timedelta(days=program.hold_days)
        expiry = (
            (available_from + timedelta(days=program.lifetime_days)).date()
            if program.lifetime_days
            else False
        )
        return [
            {
                "member_id": member.id,
                "kind": "offer",
                "amount": result.points,
                "available_from": available_from,
                "expiry_date": expiry,
                "source": source,
                "source_key": f"{key}:offer:{result.row.row_id}",
                "reason": result.label,
            }
            for result in applied
            if result.points > 0
        ]

    @api.model
    def _lp_record_uses(self, member, source, key, channel, applied, entries):
        """Record the uses of ``applied`` (``entries``: what was posted,
        their offer entries among them) and move the rows' counters, in two
        statements."""
        now = fields.Datetime.now()
        entry_of = {
            entry.source_key: entry for entry in entries if entry.kind == "offer"
        }
        # One INSERT for every use (the till's member path is counted: the
        # ORM's create would read the rows and the uses back).
        self.env["lp.offer.use"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO lp_offer_use (
                    offer_member_id, offer_id, member_id, company_id, generator,
                    key, channel, res_model, res_id, date, matched_amount,
                    line_refs, points, discount, label, entry_id, create_uid,
                    create_date, write_uid, write_date)
                VALUES %s
                """,
                SQL(", ").join(
                    SQL(
                        "(%s)",
                        SQL(", ").join(
                            SQL("%s", value)
                            for value in (
                                r.row.row_id,
                                r.row.offer_id,
                                member.id,
                                member.company_id.id,
                                r.row.generator,
                                key,
                                channel,
                                source._name,
                                source.id,
                                now,
                                sum(line.amount for line in r.lines),
                                ",".join(str(line.key) for line in r.lines),
                                r.points,
                                r.discount,
                                r.label,
                                entry_of.get(
                                    f"{key}:offer:{r.row.row_id}", entries.browse()
                                ).id
                                or None,
                                self.env.uid,
                                now,
                                self.env.uid,
                                now,
                            )
                        ),
                    )
                    for r in applied
                ),
            )
        )
        self.env["lp.offer.use"].invalidate_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE lp_offer_member r
                   SET use_count = COALESCE(r.use_count, 0) + 1,
                       given_points = COALESCE(r.given_points, 0) + v.points,
                       given_discount = COALESCE(r.given_discount, 0) + v.discount,
                       state = CASE WHEN o.uses_per_customer > 0
                                     AND COALESCE(r.use_count, 0) + 1
                                         >= o.uses_per_customer
                                    THEN 'used' ELSE r.state END
                  FROM (VALUES %s) AS v(id, points, discount), lp_offer o
                 WHERE r.id = v.id AND o.id = r.offer_id
                """,
                SQL(", ").join(
                    SQL(
                        "(%s, %s::float8, %s::numeric)",
                        r.row.row_id,
                        r.points,
                        r.discount,
                    )
                    for r in applied
                ),
            )
        )
        self.browse([r.row.row_id for r in applied]).invalidate_recordset(
            ["use_count", "given_points", "given_discount", "state"]
        )
