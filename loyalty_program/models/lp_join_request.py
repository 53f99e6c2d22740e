import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import consteq
from odoo.tools.misc import hmac

from ..tools import join_limits

CODE_DIGITS = 6
CODE_MINUTES = 10
RESEND_SECONDS = 60
MAX_SENDS = 3  # codes per phone per hour
SEND_WINDOW = 3600
MAX_TRIES = 5  # wrong codes per sent code
BURST_LIMIT = 10  # requests per address per window
BURST_WINDOW = 600


class LpJoinRequest(models.Model):
    """One code sent by SMS to confirm a phone on the public join page, or a
    refused attempt. The rows are also the log the limits are counted on
    (codes per phone, attempts per address); a joined row stays for ever:
    one phone joins a program, and gets its welcome bonus, once."""

    _name = "lp.join.request"
    _description = "Loyalty Join Request"
    _order = "id desc"

    phone = fields.Char(required=True, index=True, readonly=True)
    date = fields.Datetime(
        required=True,
        readonly=True,
        index=True,
        default=lambda self: fields.Datetime.now(),
    )
    program_id = fields.Many2one(
        "lp.program", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="program_id.company_id", store=True)
    ip = fields.Char(string="Address", index=True, readonly=True)
    token = fields.Char(readonly=True, copy=False, groups="base.group_system")
    code_hash = fields.Char(readonly=True, copy=False, groups="base.group_system")
    expiry = fields.Datetime(readonly=True)
    tries = fields.Integer(readonly=True)
    state = fields.Selection(
        [
            ("sent", "Code sent"),
            ("verified", "Phone confirmed"),
            ("member", "Already a member"),
            ("refused", "Refused"),
            ("replaced", "Replaced by a new code"),
            ("failed", "Too many wrong codes"),
            ("joined", "Joined"),
        ],
        required=True,
        readonly=True,
        index=True,
    )
    member_id = fields.Many2one("lp.member", readonly=True, ondelete="set null")
    welcome_granted = fields.Boolean(readonly=True)

    _token_unique = models.UniqueIndex("(token) WHERE token IS NOT NULL")
    _joined_once = models.UniqueIndex("(program_id, phone) WHERE state = 'joined'")

    # Limits (meant to be overridden, e.g. from system parameters)

    def _lp_limits(self):
        return {
            "resend_seconds": RESEND_SECONDS,
            "max_sends": MAX_SENDS,
            "send_window": SEND_WINDOW,
            "max_tries": MAX_TRIES,
            "burst_limit": BURST_LIMIT,
            "burst_window": BURST_WINDOW,
        }

    # Helpers

    def _lp_hash(self, token, code):
        return hmac(self.env(su=True), "lp.join.code", f"{token}:{code}")

    def _lp_times(self, domain, window):
        since = fields.Datetime.now() - timedelta(seconds=window)
        rows = self.sudo().search_fetch([*domain, ("date", ">=", since)], ["date"])
        return [row.date.timestamp() for row in rows]

    @api.model
    def _lp_check_burst(self, ip):
        """Refuse a burst of attempts from one address."""
        limits = self._lp_limits()
        if ip and join_limits.is_burst(
            self._lp_times([("ip", "=", ip)], limits["burst_window"]),
            fields.Datetime.now().timestamp(),
            limits["burst_limit"],
            limits["burst_window"],
        ):
            raise UserError(
                self.env._(
                    "Too many attempts from your network. Please try again in a "
                    "few minutes."
                )
            )

    @api.model
    def _lp_member_with_phone(self, phone, program):
        """The membership of ``program`` that enrolled with ``phone`` or
        whose customer (or their company) has it now, closed ones included."""
        partners = self.env["res.partner"].sudo()._lp_find_by_phone(phone)
        partners |= partners.commercial_partner_id
        return (
            self.env["lp.member"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("program_id", "=", program.id),
                    "|",
                    ("enrol_phone", "=", phone),
                    ("partner_id", "in", partners.ids),
                ],
                limit=1,
            )
        )

    @api.model
    def _lp_welcome_claimed(self, phone, program):
        """True when this phone had the program's welcome bonus before,
        through this page or any membership that had that phone (the rule
        itself is ``lp.member._welcome``)."""
        if self.sudo().search_count(
            [
                ("program_id", "=", program.id),
                ("phone", "=", phone),
                ("welcome_granted", "=", True),
            ],
            limit=1,
        ):
            return True
        return bool(
            self.env["lp.member.phone"]
            .sudo()
            .search_count(
                [
                    ("program_id", "=", program.id),
                    ("phone", "=", phone),
                    ("welcome", "=", True),
                ],
                limit=1,
            )
        )

    # The join flow

    @api.model
    def _lp_send_code(self, raw_phone, ip, program):
        """Validate and normalise ``raw_phone`` and send it a one-time code
        by SMS. Returns the request: state ``sent`` (its ``token`` goes to
        the browser's session) or ``member`` (the phone is already a member:
        no code is sent). Raises a UserError the visitor can read for a bad
        phone, a burst from ``ip`` or a resend too soon or too often."""
        if not program:
            raise UserError(self.env._("Joining is not open at the moment."))
        self._lp_check_burst(ip)
        phone = self.env["res.partner"]._lp_normalize_phone(raw_phone)
        Request = self.sudo()
        values = {"phone": phone, "program_id": program.id, "ip": ip}
        if self._lp_member_with_phone(phone, program):
            return Request.create({**values, "state": "member"})
        limits = self._lp_limits()
        wait = join_limits.wait_before_send(
            self._lp_times(
                [
                    ("phone", "=", phone),
                    ("program_id", "=", program.id),
                    (
                        "state",
                        "in",
                        ("sent", "verified", "replaced", "failed", "joined"),
                    ),
                ],
                limits["send_window"],
            ),
            fields.Datetime.now().timestamp(),
            limits["resend_seconds"],
            limits["max_sends"],
            limits["send_window"],
        )
        if wait is None:
            Request.create({**values, "state": "refused"})
            raise UserError(
                self.env._(
                    "Too many codes were sent to %(phone)s. Please try again in "
                    "an hour.",
                    phone=phone,
                )
            )
        if wait:
            raise UserError(
                self.env._(
                    "A code was just sent. You can ask for a new one in "
                    "%(seconds)s seconds.",
                    seconds=wait,
                )
            )
        Request.search(
            [("phone", "=", phone), ("state", "in", ("sent", "verified"))]
        ).state = "replaced"
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        token = secrets.token_urlsafe(24)
        request = Request.create(
            {
                **values,
                "state": "sent",
                "token": token,
                "code_hash": self._lp_hash(token, code),
                "expiry": fields.Datetime.now() + timedelta(minutes=CODE_MINUTES),
            }
        )
        request._lp_send_sms(code)
        return request

    def _lp_send_sms(self, code):
        self.ensure_one()
        body = self.env._(
            "%(code)s is your code to join %(program)s. It is valid for "
            "%(minutes)s minutes.",
            code=code,
            program=self.program_id.name,
            minutes=CODE_MINUTES,
        )
        self.env["sms.sms"].sudo().create({"number": self.phone, "body": body}).send()

    @api.model
    def _lp_from_token(self, token):
        if not token:
            return self.sudo().browse()
        return self.sudo().search([("token", "=", token)], limit=1)

    def _lp_check_code(self, code):
        """True when ``code`` is the code sent: the phone is confirmed. A
        wrong code counts as a try; after the last try the code is void.
        Expired, used or replaced codes are refused. Never raises, so that
        the try is counted even though the request fails."""
        self.ensure_one()
        if self.state not in ("sent", "verified") or self._lp_expired():
            return False
        code = "".join(ch for ch in (code or "") if ch.isdigit())
        if code and consteq(self.code_hash, self._lp_hash(self.token, code)):
            self.state = "verified"
            return True
        self.tries += 1
        if self.tries >= self._lp_limits()["max_tries"]:
            self.state = "failed"
        return False

    def _lp_expired(self):
        return not self.expiry or self.expiry < fields.Datetime.now()

    def _lp_refusal(self):
        """What the visitor reads when the code does not check out."""
        self.ensure_one()
        if self.state == "failed":
            return self.env._("Too many wrong codes: ask for a new code.")
        if self.state not in ("sent", "verified") or self._lp_expired():
            return self.env._(
                "This code has expired or was replaced: ask for a new one."
            )
        left = self._lp_limits()["max_tries"] - self.tries
        return self.env._("The code is not right. %(left)s tries left.", left=left)

    def _lp_join(self, values, partner=None):
        """Enrol the phone of this confirmed request: member, virtual card,
        welcome bonus (once per phone, ever: ``lp.member._welcome``)
        spendable at once, and a portal account. ``partner``: the signed-in
        customer's contact, who joins as herself (the phone goes on her
        contact, her account stays her only one). ``values``: name,
        birthday, email, consent_email, consent_sms. Returns the member."""
        self.ensure_one()
        self.lock_for_update()
        if self.state == "joined":
            raise UserError(self.env._("This code was already used: sign in instead."))
        if self.state != "verified" or self._lp_expired():
            raise UserError(self.env._("Confirm your phone with the code first."))
        program = self.program_id
        if self._lp_member_with_phone(self.phone, program):
            raise UserError(
                self.env._(
                    "%(phone)s is already a member: sign in to your account.",
                    phone=self.phone,
                )
            )
        member = (
            self.env["lp.member"]
            .sudo()
            ._lp_portal_join(program, self.phone, values, partner=partner)
        )
        self.write(
            {
                "state": "joined",
                "member_id": member.id,
                "welcome_granted": bool(
                    member.ledger_ids.filtered(lambda e: e.kind == "welcome")
                ),
            }
        )
        return member

    @api.autovacuum
    def _gc_join_requests(self):
        """Forget old attempts; joined rows stay (one welcome per phone)."""
        self.sudo().search(
            [
                ("state", "!=", "joined"),
                ("date", "<", fields.Datetime.now() - timedelta(days=30)),
            ]
        ).unlink()
