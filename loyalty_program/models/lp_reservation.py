from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_round

from .lp_ledger import PRECISION, commit_progress


class LpReservation(models.Model):
    """Points set aside for an open order (a POS order being rung up, a
    quotation): another till or salesperson cannot spend them meanwhile. A
    reservation becomes a ``spend`` entry when the order is paid or
    confirmed (:meth:`_consume`) and is released when the order is cancelled,
    emptied or left open past ``expires_at``. Reservations never touch the
    ledger by themselves."""

    _name = "lp.reservation"
    _description = "Loyalty Points Reservation"
    _order = "id desc"

    member_id = fields.Many2one(
        "lp.member", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(
        related="member_id.company_id", store=True, precompute=True
    )
    points = fields.Float(digits=(16, 2), required=True, readonly=True)
    key = fields.Char(
        required=True,
        readonly=True,
        help="The order this reservation is for (e.g. 'pos.order:<uuid>').",
    )
    state = fields.Selection(
        [("reserved", "Reserved"), ("consumed", "Spent"), ("released", "Released")],
        default="reserved",
        required=True,
        readonly=True,
        index=True,
    )
    res_model = fields.Char(readonly=True)
    res_id = fields.Many2oneReference(model_field="res_model", readonly=True)
    expires_at = fields.Datetime(readonly=True, index=True)
    spend_entry_id = fields.Many2one("lp.ledger", readonly=True)
    user_id = fields.Many2one(
        "res.users", default=lambda self: self.env.uid, readonly=True
    )
    shrunk = fields.Boolean(
        readonly=True,
        help="Points of this reservation were taken meanwhile (expiry, a "
        "manual adjustment, a reversal): it holds only what is left, and the "
        "till is told.",
    )
    pos_config_id = fields.Many2one(
        "pos.config",
        string="Till",
        readonly=True,
        help="The till whose open order holds these points (only it may release them).",
    )

    _key_unique = models.Constraint(
        "UNIQUE(member_id, key)", "An order reserves points of a member once."
    )
    _points_positive = models.Constraint(
        "CHECK(points > 0)", "A reservation holds a positive number of points."
    )

    @api.model
    def _reserved_points(self, member, exclude_key=None):
        """Points of ``member`` held by open reservations (other than the one
        with ``exclude_key``). Call it with the member locked."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(SUM(points), 0) FROM lp_reservation
                 WHERE member_id = %s AND state = 'reserved'
                   AND key IS DISTINCT FROM %s
                """,
                member.id,
                exclude_key,
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _reserve(self, member, points, key, source=None, ttl_hours=12, pos_config=None):
        """Set ``points`` aside for the order ``key`` (replacing what that
        order had reserved). ``points`` 0 releases. Raises a clear UserError
        when the member does not have them free. Returns the reservation."""
        points = float_round(points, precision_rounding=PRECISION)
        if points < 0:
            raise UserError(self.env._("Points to reserve cannot be negative."))
        member = member.sudo()
        # Lock and write the member row: a concurrent reserver that waited on
        # the lock gets a serialization failure (and Odoo's retry) instead of
        # reading the reservations of its old snapshot.
        member._lp_lock_and_touch()
        # This order's reservation and the others' points, in one query.
        rows = self.sudo().search_fetch(
            [
                ("member_id", "=", member.id),
                "|",
                ("key", "=", key),
                ("state", "=", "reserved"),
            ],
            ["key", "state", "points", "pos_config_id"],
        )
        existing = rows.filtered(lambda r: r.key == key)[:1]
        if (
            pos_config
            and existing.pos_config_id
            and existing.pos_config_id != pos_config
            and existing.state == "reserved"
        ):
            raise UserError(
                self.env._("These points are held by an order of another till.")
            )
        if existing.state == "consumed":
            raise UserError(self.env._("The points of this order were already spent."))
        if not points:
            existing._release()
            return existing
        if member.state != "active":
            raise UserError(
                self.env._(
                    "%(member)s is blocked or closed: points cannot be spent.",
                    member=member.display_name,
                )
            )
        free = member.balance - sum(
            rows.filtered(lambda r: r.state == "reserved" and r.key != key).mapped(
                "points"
            )
        )
        if points > float_round(free, precision_rounding=PRECISION):
            raise UserError(
                self.env._(
                    "%(member)s has %(free)s points free to spend (some may be "
                    "held by another open order); %(points)s cannot be reserved.",
                    member=member.partner_id.display_name,
                    free=max(free, 0.0),
                    points=points,
                )
            )
        vals = {
            "points": points,
            "state": "reserved",
            "shrunk": False,
            "expires_at": fields.Datetime.now() + timedelta(hours=ttl_hours),
        }
        if source:
            vals.update(res_model=source._name, res_id=source.id)
        if pos_config:
            vals["pos_config_id"] = pos_config.id
        if existing:
            existing.sudo().write(vals)
            return existing
        return self.sudo().create(dict(vals, member_id=member.id, key=key))

    def _consume(self, source=None, source_key=None, points=None):
        """Turn the reservation into a ``spend`` entry (``points`` may lower
        it, e.g. when the order total went down). Idempotent. Returns the
        spend entry."""
        self.ensure_one()
        if self.sudo().state == "consumed":
            return self.sudo().spend_entry_id
        vals = self._prepare_consume_values(source, source_key, points)
        member = self.sudo().member_id.with_context(lp_consuming_key=self.sudo().key)
        entry = member.env["lp.ledger"]._post([vals])
        self._mark_consumed(entry)
        return entry

    def _prepare_consume_values(self, source=None, source_key=None, points=None):
        """The ``spend`` values that consume this live reservation (for
        ``lp.ledger._post``, alone or with the other postings of the order;
        then :meth:`_mark_consumed`). Refused once it was released."""
        self.ensure_one()
        reservation = self.sudo()
        if reservation.state != "reserved":
            raise UserError(
                self.env._("This reservation was released: its points are free again.")
            )
        amount = (
            reservation.points if points is None else min(points, reservation.points)
        )
        vals = reservation.member_id._prepare_spend_values(
            amount,
            source=source,
            source_key=source_key or reservation.key,
            reservation_key=reservation.key,
        )
        vals["reservation_points"] = reservation.points
        return vals

    def _mark_consumed(self, entry):
        self.sudo().write({"state": "consumed", "spend_entry_id": entry.id})

    @api.model
    def _lp_fit_to_balance(self, members=None):
        """Shrink the open reservations of members whose balance fell below
        what they hold (newest first; a reservation left with nothing is
        released), so that reserved points are never silently gone. The
        reservation being spent right now (context ``lp_consuming_key``) is
        left alone: its points already left the balance."""
        consuming = self.env.context.get("lp_consuming_key")
        query = SQL(
            """
            SELECT r.id, r.member_id, r.points, m.balance
              FROM lp_reservation r JOIN lp_member m ON m.id = r.member_id
             WHERE r.state = 'reserved' AND r.key IS DISTINCT FROM %(key)s
               %(members)s
             ORDER BY r.member_id, r.id DESC
            """,
            key=consuming,
            members=SQL("AND r.member_id IN %s", tuple(members.ids))
            if members
            else SQL(""),
        )
        self.env.flush_all()
        self.env.cr.execute(query)
        rows = self.env.cr.fetchall()
        held = {}
        for _rid, member_id, points, _balance in rows:
            held[member_id] = held.get(member_id, 0.0) + points
        over = {
            member_id: held[member_id] - balance
            for _rid, member_id, _points, balance in rows
            if held[member_id] - balance > PRECISION / 2
        }
        for rid, member_id, points, _balance in rows:
            left = over.get(member_id, 0.0)
            if left <= PRECISION / 2:
                continue
            cut = min(points, left)
            over[member_id] = left - cut
            reservation = self.sudo().browse(rid)
            if points - cut <= PRECISION / 2:
                reservation.write({"state": "released", "shrunk": True})
            else:
                reservation.write(
                    {
                        "points": float_round(
                            points - cut, precision_rounding=PRECISION
                        ),
                        "shrunk": True,
                    }
                )

    def _release(self):
        self.sudo().filtered(lambda r: r.state == "reserved").write(
            {"state": "released"}
        )

    @api.model
    def _cron_release_stale(self, batch_size=10000):
        """Release reservations of orders left open past their time. A till
        order's reservation stays while its till's session is open: the paid
        order may still arrive (a till offline for hours), and then spends
        what it reserved. Set-based, in committed batches; a reservation a
        till is changing right now is skipped until the next run. Returns how
        many were released."""
        self.env.flush_all()
        released = 0
        while True:
            self.env.cr.execute(
                SQL(
                    """
                    WITH stale AS (
                        SELECT r.id FROM lp_reservation r
                         WHERE r.state = 'reserved' AND r.expires_at < %(now)s
                           AND NOT EXISTS (
                               SELECT 1 FROM pos_session s
                                WHERE s.config_id = r.pos_config_id
                                  AND s.state != 'closed' AND s.rescue IS NOT TRUE)
                         ORDER BY r.id LIMIT %(limit)s
                           FOR UPDATE OF r SKIP LOCKED)
                    UPDATE lp_reservation r
                       SET state = 'released', write_uid = %(uid)s, write_date = %(now)s
                      FROM stale WHERE r.id = stale.id
                    """,
                    now=fields.Datetime.now(),
                    limit=batch_size,
                    uid=self.env.uid,
                )
            )
            done = self.env.cr.rowcount
            released += done
            self.invalidate_model(["state", "write_uid", "write_date"])
            commit_progress(self.env, done)
            if done < batch_size:
                return released
