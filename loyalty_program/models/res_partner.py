from odoo import api, fields, models
from odoo.exceptions import UserError

CONSENT_FIELDS = {"lp_consent_email": "email", "lp_consent_sms": "sms"}
PHONE_FIELDS = {"phone", "country_id"}
# The loyalty summary of a contact is the back office's: a portal customer
# may read the contacts of her colleagues (Odoo's rule), not their cards.
STAFF = "base.group_user,loyalty_program.group_lp_user"


class ResPartner(models.Model):
    _inherit = "res.partner"

    lp_birthday = fields.Date(string="Birthday")
    lp_birthday_month = fields.Integer(
        string="Birthday month", compute="_compute_lp_birthday_parts", store=True
    )
    lp_birthday_day = fields.Integer(
        string="Birthday day", compute="_compute_lp_birthday_parts", store=True
    )
    lp_phone_e164 = fields.Char(
        string="Phone (E.164)",
        compute="_compute_lp_phone_e164",
        store=True,
        index="btree_not_null",
        help="The phone normalised to the international format, so that any "
        "way of typing it finds the customer.",
    )
    lp_consent_email = fields.Boolean(string="Email consent")
    lp_consent_sms = fields.Boolean(string="SMS consent")
    lp_consent_event_ids = fields.One2many(
        "lp.consent.event", "partner_id", string="Consent history"
    )
    lp_preferred_channel = fields.Selection(
        [("email", "Email"), ("sms", "SMS")], string="Preferred channel"
    )
    lp_member_ids = fields.One2many(
        "lp.member", "partner_id", string="Memberships", groups=STAFF
    )
    lp_member_count = fields.Integer(compute="_compute_lp_summary", groups=STAFF)
    lp_balance = fields.Float(
        string="Loyalty points",
        digits=(16, 2),
        compute="_compute_lp_summary",
        groups=STAFF,
    )
    lp_tier_id = fields.Many2one(
        "lp.tier",
        string="Loyalty tier",
        compute="_compute_lp_summary",
        groups=STAFF,
    )
    lp_card_count = fields.Integer(compute="_compute_lp_summary", groups=STAFF)

    @api.depends("lp_birthday")
    def _compute_lp_birthday_parts(self):
        for partner in self:
            partner.lp_birthday_month = (
                partner.lp_birthday.month if partner.lp_birthday else 0
            )
            partner.lp_birthday_day = (
                partner.lp_birthday.day if partner.lp_birthday else 0
            )

    @api.depends("phone", "country_id")
    def _compute_lp_phone_e164(self):
        for partner in self:
            partner.lp_phone_e164 = (
                partner._phone_format(fname="phone", force_format="E164")
                if partner.phone
                else False
            )

    @api.depends(
        "lp_member_ids.balance", "lp_member_ids.tier_id", "lp_member_ids.state"
    )
    def _compute_lp_summary(self):
        for partner in self:
            members = partner.lp_member_ids.filtered(lambda m: m.state != "closed")
            partner.lp_member_count = len(members)
            partner.lp_balance = sum(members.mapped("balance"))
            partner.lp_tier_id = members[:1].tier_id
            partner.lp_card_count = len(members.card_ids)

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        for partner, vals in zip(partners, vals_list, strict=True):
            partner._lp_log_consent({f: vals[f] for f in CONSENT_FIELDS if vals.get(f)})
        return partners

    def write(self, vals):
        changes = {f: vals[f] for f in CONSENT_FIELDS if f in vals}
        before = {p.id: {f: p[f] for f in changes} for p in self} if changes else {}
        result = super().write(vals)
        for partner in self if changes else ():
            partner._lp_log_consent(
                {f: v for f, v in changes.items() if bool(v) != before[partner.id][f]}
            )
        if PHONE_FIELDS & set(vals):
            # A new phone joins the history of the customer's memberships
            # (one welcome bonus per phone, ever: lp_member_enrol.py).
            self.sudo().lp_member_ids._lp_record_phones("change")
        return result

    def _lp_log_consent(self, changes):
        """Keep the audit trail: one event per channel whose consent changed.
        The source comes from the context key ``lp_consent_source``."""
        self.ensure_one()
        if not changes:
            return
        source = self.env.context.get("lp_consent_source", "backend")
        self.env["lp.consent.event"].sudo().create(
            [
                {
                    "partner_id": self.id,
                    "channel": CONSENT_FIELDS[fname],
                    "granted": bool(value),
                    "source": source,
                    "user_id": self.env.uid,
                    "note": self.env.context.get("lp_consent_note"),
                }
                for fname, value in changes.items()
            ]
        )

    @api.model
    def _lp_withdraw_consent(self, channel, emails=None, numbers=None, note=None):
        """Withdraw the ``channel`` consent of the customers with one of
        ``emails`` (normalized) or ``numbers`` (E.164), as an unsubscribe:
        Odoo's opt-out (blacklist, list opt-out) is the customer's word for
        our consent too. Recorded in the audit trail with the source
        ``unsubscribe``. Returns the partners changed."""
        field = "lp_consent_email" if channel == "email" else "lp_consent_sms"
        domain = [(field, "=", True)]
        if channel == "email":
            if not emails:
                return self.browse()
            domain.append(("email_normalized", "in", list(emails)))
        else:
            if not numbers:
                return self.browse()
            domain += [
                "|",
                ("lp_phone_e164", "in", list(numbers)),
                ("phone_sanitized", "in", list(numbers)),
            ]
        partners = self.sudo().with_context(active_test=False).search(domain)
        partners.with_context(
            lp_consent_source="unsubscribe", lp_consent_note=note
        ).write({field: False})
        return partners

    @api.model
    def _lp_normalize_phone(self, raw, country=None):
        """E.164 form of a phone typed in any common format, with the company's
        country for local formats. Raises a UserError a cashier can read."""
        country = country or self.env.company.country_id
        formatted = self._phone_format(
            number=raw, country=country, force_format="E164", raise_exception=False
        )
        if not formatted:
            raise UserError(
                self.env._("%(phone)s is not a valid phone number.", phone=raw or "''")
            )
        return formatted

    @api.model
    def _lp_find_by_phone(self, raw, country=None):
        """Customers whose phone matches ``raw`` however it was typed."""
        return self.search(
            [("lp_phone_e164", "=", self._lp_normalize_phone(raw, country))]
        )

    @api.readonly
    def action_lp_view_members(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_program.action_lp_member"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    @api.readonly
    def action_lp_view_ledger(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_program.action_lp_ledger"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        return action
