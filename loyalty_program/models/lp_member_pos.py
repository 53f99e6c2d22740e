from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import card_number
from .lp_member_posting import LOCKED_READ


class LpMember(models.Model):
    _inherit = "lp.member"  # pylint: disable=consider-merging-classes-inherited

    def _lp_pos_info(self, order_key=None, reservation=None):
        """What the till shows about a member (meant to be extended).
        ``order_key`` adds what that till order has reserved (its
        ``reservation`` when the caller has it)."""
        self.ensure_one()
        # Only what the till shows: not the whole customer row; the tiers'
        # names are kept per worker.
        self.partner_id.fetch(["name"])
        program = self.program_id
        tier_name, discount = program._lp_tier_display(program.id).get(
            self.tier_id.id, ("", 0.0)
        )
        return {
            "partner_id": self.partner_id.id,
            "name": self.partner_id.name,
            "program_id": program.id,
            "program": program.name,
            "program_type": program.program_type,
            "point_value": program.point_value,
            "tier": tier_name,
            "discount_percent": discount,
            "expiring_points": self.expiring_points,
            "expiring_date": self.expiring_date and self.expiring_date.isoformat(),
            "card": card_number.mask(self.card_number),
            **self._lp_pos_figures(order_key, reservation),
        }

    def _lp_pos_figures(self, order_key=None, reservation=None):
        """The part of :meth:`_lp_pos_info` a reservation changes (what
        ``lp_pos_reserve`` answers; the till keeps the rest)."""
        self.ensure_one()
        # The member's open reservations, in one query: what they hold in
        # all and the one of this order.
        held = (
            self.env["lp.reservation"]
            .sudo()
            .search_fetch(
                [("member_id", "=", self.id), ("state", "=", "reserved")],
                ["key", "points", "shrunk"],
            )
        )
        if reservation is not None:
            reservation = reservation.filtered(lambda r: r.state == "reserved")
        else:
            reservation = held.filtered(lambda r: order_key and r.key == order_key)[:1]
        return {
            "member_id": self.id,
            "balance": self.balance,
            "pending": self.pending,
            "reserved": sum(held.mapped("points")),
            "order_points": reservation.points,
            "order_points_shrunk": reservation.shrunk,
        }

    @api.model
    def _lp_pos_programs(self):
        """The till company's active programs, with the settings the till's
        calls read, in one query."""
        return self.env["lp.program"].search_fetch(
            [("active", "=", True), ("company_id", "=", self.env.company.id)],
            [
                "name",
                "active",
                "company_id",
                "program_type",
                "point_value",
                "spend_cap_percent",
                "card_prefix",
                "card_length",
            ],
            order="sequence, id",
        )

    def _after_posting(self, entries=None):
        """Points taken by an adjustment or a reversal may leave less than
        open orders reserved: their reservations shrink (the till is told)."""
        result = super()._after_posting(entries)
        # Credits, and spends (checked against the other orders'
        # reservations in lp.ledger._check_reservations), never take
        # reserved points: nothing to fit after them.
        if entries is None or any(
            entry.amount < 0 and entry.kind != "spend" for entry in entries
        ):
            self.env["lp.reservation"]._lp_fit_to_balance(self)
        return result

    def _lp_free_points(self):
        """Points the member may spend now: the balance less what open orders
        have reserved. Locks the member (the answer holds until commit)."""
        self.ensure_one()
        self._lp_lock_and_touch()
        return self.balance - self.env["lp.reservation"]._reserved_points(self)

    def _lp_lock_and_touch(self):
        """Lock the member row and write it, so that any other transaction
        that reads this member's reservations or balance under REPEATABLE
        READ and then waits on the lock gets a serialization failure (Odoo
        retries it with a fresh snapshot) instead of reading stale rows.
        One statement: the rows are locked in id order by the sub-select
        (as :meth:`_lock_for_posting` does), then written."""
        if not self.ids:
            return
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                """
                UPDATE lp_member SET write_date = (now() AT TIME ZONE 'UTC')
                 WHERE id IN (SELECT id FROM lp_member WHERE id IN %s
                               ORDER BY id FOR NO KEY UPDATE)
                RETURNING id, %s
                """,
                tuple(sorted(self.ids)),
                SQL(", ").join(SQL.identifier(name) for name in LOCKED_READ),
            ),
            # Expected on a busy member, and handled (see _lock_for_posting).
            log_exceptions=False,
        )
        self.invalidate_recordset(["write_date"])
        self._lp_cache_locked(self.env.cr.fetchall())

    @api.model
    def _lp_pos_find(self, code):
        """The member a cashier means by a scanned or typed card number, or a
        phone in any common format. A number is tried as a card of one of the
        till's programs (by its prefix and length, or any valid card number)
        and as a phone. Raises a UserError the cashier can read for an
        unknown, blocked or lost card, a card of another program or company,
        or an unknown phone."""
        code = (code or "").strip()
        if not code:
            raise UserError(self.env._("Scan a card or type a card number or phone."))
        digits = card_number.normalize(code)
        card_error = None
        if digits.isdigit() and not code.startswith("+"):
            try:
                card = self.env["lp.card"]._lp_pos_card(digits)
            except UserError as error:
                card_error = error
            else:
                if card:
                    # The card the cashier scanned is the one to show.
                    member = card.member_id
                    member._fields["card_number"]._update_cache(member, card.number)
                    return member
        partners, phone_error, parsed = self.env["res.partner"], None, False
        candidates = [code]
        if digits.isdigit() and len(digits) >= 11 and not code.startswith("+"):
            # 380 67 123 45 67, 7 912 345 67 89: an international number
            # typed without its "+".
            candidates.append("+" + digits)
        for candidate in candidates:
            try:
                partners |= self.env["res.partner"]._lp_find_by_phone(candidate)
                parsed = True
            except UserError as error:
                phone_error = phone_error or error
        if not parsed:
            raise card_error or phone_error
        partners = partners.filtered(
            lambda p: not p.company_id or p.company_id == self.env.company
        )
        member = self._lp_pos_for_partners(partners)
        if member:
            return member
        if card_error:
            raise card_error
        raise UserError(
            self.env._("No loyalty member has the phone %(phone)s.", phone=code)
        )

    @api.model
    def _lp_pos_for_partners(self, partners):
        """The active membership of one of ``partners`` (commercial entity
        included) in this company's first program."""
        members = self.search(
            [
                ("partner_id", "in", (partners | partners.commercial_partner_id).ids),
                ("state", "=", "active"),
                ("program_id", "in", self._lp_pos_programs().ids),
            ]
        )
        # The customer's own card before their company's.
        return members.sorted(
            lambda m: (
                m.program_id.sequence,
                m.program_id.id,
                m.partner_id not in partners,
            )
        )[:1]

    @api.model
    def _lp_pos_enrol(self, values):
        """Enrol a customer at the till: a fresh card from a printed batch (or
        a new virtual card), a validated phone, name, birthday and consent per
        channel. The welcome bonus is credited at once, spendable on the very
        order. ``values``: name, phone, email, birthday (ISO date), card,
        consent_email, consent_sms."""
        program = self._lp_pos_programs()[:1]
        if not program:
            raise UserError(self.env._("No active loyalty program in this company."))
        name = (values.get("name") or "").strip()
        if not name:
            raise UserError(self.env._("Enter the customer's name."))
        phone = (values.get("phone") or "").strip()
        if not phone:
            raise UserError(self.env._("Enter the customer's phone."))
        Partner = self.env["res.partner"]
        e164 = Partner._lp_normalize_phone(phone)
        # Only contacts this till's company may see; several may share the
        # phone: any of them already a member means this phone is enrolled.
        sharing = Partner._lp_find_by_phone(e164).filtered(
            lambda p: not p.company_id or p.company_id == self.env.company
        )
        partner = sharing[:1]
        existing = self.search(
            [
                ("partner_id", "in", (sharing | sharing.commercial_partner_id).ids),
                ("program_id", "=", program.id),
            ],
            limit=1,
        )
        if existing:
            self._lp_refuse_enrolled(existing.partner_id.name, e164)
        partner_vals = self._lp_pos_enrol_partner_values(values)
        card = self._lp_pos_enrol_card(program, values.get("card"))
        partner_env = Partner.with_context(lp_consent_source="pos")
        if partner:
            partner.with_context(lp_consent_source="pos").write(
                {key: val for key, val in partner_vals.items() if val}
            )
        else:
            partner = partner_env.create(
                {
                    **partner_vals,
                    "name": name,
                    "phone": e164,
                    "email": values.get("email"),
                }
            )
        member = self._enrol_by_phone(
            partner,
            program,
            e164,
            lambda error: self._lp_refuse_enrolled(name, e164, error),
            card=card,
            source="pos",
        )
        info = member._lp_pos_info()
        info["new_card_number"] = card.number
        return info

    @api.model
    def _lp_refuse_enrolled(self, name, e164, error=None):
        raise UserError(
            self.env._(
                "%(name)s (phone %(phone)s) is already a member: find them by "
                "phone or card.",
                name=name,
                phone=e164,
            )
        ) from error

    @api.model
    def _lp_pos_enrol_card(self, program, code):
        """The issued card the cashier scanned, or a new virtual card."""
        Card = self.env["lp.card"]
        if code and code.strip():
            card = Card._lookup(code, program=program)
            if card.state != "issued" or card.member_id:
                raise UserError(
                    self.env._(
                        "Card %(number)s is already in use or not available.",
                        number=card.number,
                    )
                )
            return card
        return Card.create({"program_id": program.id, "card_type": "virtual"})

    @api.model
    def _lp_pos_enrol_partner_values(self, values):
        birthday = values.get("birthday") or False
        if birthday:
            try:
                birthday = fields.Date.to_date(birthday)
            except ValueError as error:
                raise UserError(
                    self.env._("%(date)s is not a valid birthday.", date=birthday)
                ) from error
            if birthday > fields.Date.context_today(self):
                raise UserError(self.env._("The birthday cannot be in the future."))
        return {
            "lp_birthday": birthday,
            "lp_consent_email": bool(values.get("consent_email")),
            "lp_consent_sms": bool(values.get("consent_sms")),
        }
