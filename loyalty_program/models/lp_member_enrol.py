from psycopg2.errors import UniqueViolation

from odoo import api, fields, models
from odoo.tools import SQL, mute_logger

from .lp_member import NO_WELCOME


class LpMember(models.Model):
    """Enrolment, the one path of every channel (back office, import, till,
    join page, a messenger bot): :meth:`_enrol` (or :meth:`_enrol_by_phone`)
    creates the membership, whose creation credits the welcome bonus through
    :meth:`_welcome`. The welcome bonus is paid once per phone, ever: the
    phones a membership had (``phone_ids``) are kept, and a phone whose
    membership had the bonus never gets it again."""

    _inherit = "lp.member"  # pylint: disable=consider-merging-classes-inherited

    phone_ids = fields.One2many(
        "lp.member.phone", "member_id", string="Phones", readonly=True
    )

    def write(self, vals):
        result = super().write(vals)
        if "partner_id" in vals:
            self._lp_record_phones("transfer")
        return result

    # Phones

    def _lp_record_phones(self, source):
        """Keep the current phones of these memberships (the enrolment
        phone, the customer's phone) in their history, in one statement. A
        phone of a membership that had the welcome bonus is marked paid,
        unless another membership of the program had it for that phone
        first."""
        rows = [
            SQL("(%s, %s, %s)", member.id, member.program_id.id, phone)
            for member in self
            for phone in sorted(
                {member.enrol_phone, member.partner_id.lp_phone_e164} - {False, None}
            )
        ]
        if not rows:
            return
        self.env["lp.member.phone"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO lp_member_phone (member_id, program_id, phone, source,
                       welcome, date, create_uid, create_date, write_uid, write_date)
                SELECT v.member_id, v.program_id, v.phone, %(source)s,
                       EXISTS (SELECT 1 FROM lp_ledger l
                                WHERE l.member_id = v.member_id
                                  AND l.kind = 'welcome')
                       AND NOT EXISTS (SELECT 1 FROM lp_member_phone p
                                        WHERE p.program_id = v.program_id
                                          AND p.phone = v.phone AND p.welcome),
                       %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM (VALUES %(rows)s) AS v(member_id, program_id, phone)
                ON CONFLICT DO NOTHING
                """,
                source=source,
                now=fields.Datetime.now(),
                uid=self.env.uid,
                rows=SQL(", ").join(rows),
            )
        )
        self.env["lp.member.phone"].invalidate_model()
        self.invalidate_recordset(["phone_ids"])

    def _lp_absorb_phones(self, absorbed):
        """Take over the phones of the membership ``absorbed`` (a merge of
        memberships): a phone both had stays once, paid when either had the
        welcome bonus for it."""
        self.ensure_one()
        self.env["lp.member.phone"].flush_model()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                DELETE FROM lp_member_phone s
                 USING lp_member_phone t
                 WHERE s.member_id = %(src)s AND t.member_id = %(dst)s
                   AND s.phone = t.phone
             RETURNING s.phone, s.welcome
                """,
                src=absorbed.id,
                dst=self.id,
            )
        )
        paid = [phone for phone, welcome in cr.fetchall() if welcome]
        if paid:
            cr.execute(
                SQL(
                    "UPDATE lp_member_phone SET welcome = TRUE"
                    " WHERE member_id = %s AND phone IN %s",
                    self.id,
                    tuple(paid),
                )
            )
        cr.execute(
            SQL(
                "UPDATE lp_member_phone SET member_id = %s WHERE member_id = %s",
                self.id,
                absorbed.id,
            )
        )
        self.env["lp.member.phone"].invalidate_model()

    def _lp_welcome_paid_phone(self):
        """One of this membership's phones that already had the program's
        welcome bonus through another membership (or an earlier join on the
        page), else False."""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT mine.phone
                  FROM lp_member_phone mine
                 WHERE mine.member_id = %(member)s
                   AND (EXISTS (SELECT 1 FROM lp_member_phone p
                                 WHERE p.program_id = mine.program_id
                                   AND p.phone = mine.phone AND p.welcome
                                   AND p.member_id IS DISTINCT FROM mine.member_id)
                        OR EXISTS (SELECT 1 FROM lp_join_request r
                                    WHERE r.program_id = mine.program_id
                                      AND r.phone = mine.phone AND r.welcome_granted
                                      AND r.member_id IS DISTINCT FROM mine.member_id))
                 ORDER BY mine.id
                 LIMIT 1
                """,
                member=self.id,
            )
        )
        row = self.env.cr.fetchone()
        return row and row[0]

    def _lp_claim_welcome_phones(self):
        """Mark this membership's phones as having had the welcome bonus.
        False when another membership claimed one of them meanwhile (the
        unique index on paid phones makes a concurrent claim fail)."""
        self.ensure_one()
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        "UPDATE lp_member_phone SET welcome = TRUE"
                        " WHERE member_id = %s AND NOT welcome",
                        self.id,
                    )
                )
        except UniqueViolation:
            return False
        finally:
            self.env["lp.member.phone"].invalidate_model(["welcome"])
        return True

    # Enrolment

    def _welcome(self, source=None):
        """Credit the program's welcome bonus once per member, spendable at
        once (no hold), unless one of the member's phones had it before
        through another membership: once per phone, ever, whatever the
        channel. A refused bonus is noted on the member's chatter."""
        self.ensure_one()
        program = self.program_id
        Ledger = self.env["lp.ledger"]
        if (
            program.program_type != "bonus"
            or program.welcome_points <= 0
            or self.state != "active"
        ):
            return Ledger
        paid = Ledger.sudo().search(
            [("member_id", "=", self.id), ("kind", "=", "welcome")], limit=1
        )
        if paid:
            return paid.with_env(Ledger.env)
        self._lp_record_phones("enrol")
        phone = self._lp_welcome_paid_phone()
        if not phone and not self._lp_claim_welcome_phones():
            # Another membership claimed one of them meanwhile (not visible
            # in this transaction's snapshot yet).
            phone = ", ".join(self.phone_ids.mapped("phone"))
        if phone:
            self._lp_log(
                self.env._(
                    "No welcome bonus: the phone %(phone)s had the welcome bonus "
                    "of %(program)s with another membership.",
                    phone=phone,
                    program=program.name,
                )
            )
            return Ledger
        return self._grant(
            "welcome",
            program.welcome_points,
            program.welcome_lifetime_days,
            source=source,
            source_key=f"welcome:{self.id}",
        )

    @api.model
    def _enrol_by_phone(self, partner, program, phone, refuse, **kwargs):
        """:meth:`_enrol` keyed by the enrolment ``phone`` (E.164). Two joins
        of the same phone at once (two tills, a double click on the web):
        the unique enrolment phone makes the second one fail, with nothing
        created, and ``refuse(error)`` raises the UserError its channel
        shows. Returns the member."""
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                return self._enrol(
                    partner, program, extra_vals={"enrol_phone": phone}, **kwargs
                )
        except UniqueViolation as error:
            refuse(error)
            raise

    @api.model
    def _enrol(
        self,
        partner,
        program,
        card=None,
        source="backend",
        welcome=True,
        extra_vals=None,
    ):
        """Make ``partner`` a member of ``program`` (or return the existing
        membership), attach ``card``. Joining credits the welcome bonus
        (see :meth:`create`); ``welcome=False`` joins without it."""
        member = self.search(
            [("partner_id", "=", partner.id), ("program_id", "=", program.id)], limit=1
        )
        if not member:
            Member = self if welcome else self.with_context(lp_welcome=NO_WELCOME)
            member = Member.create(
                {
                    "partner_id": partner.id,
                    "program_id": program.id,
                    "enrol_source": source,
                    **(extra_vals or {}),
                }
            ).with_env(self.env)
        if card:
            card._assign(member)
        if welcome:
            member._welcome()
        return member
