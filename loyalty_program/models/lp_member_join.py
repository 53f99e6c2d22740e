from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize


class LpMember(models.Model):
    _inherit = "lp.member"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _lp_own_domain(self, partner):
        """The memberships ``partner`` sees and uses from the personal
        account: their own, and their business customer's (a membership held
        by the company contact is shared by its people), never a
        colleague's. The portal record rules say the same (meant to be
        overridden together with ``security/lp_portal_rules.xml``)."""
        return [("partner_id", "in", (partner | partner.commercial_partner_id).ids)]

    # Joining from the public page

    @api.model
    def _lp_portal_join(self, program, phone, values, welcome=True, partner=None):
        """Enrol the customer of the confirmed ``phone`` (E.164) into
        ``program`` from the public join page: ``partner`` when a signed-in
        customer joins (her own contact, the phone written on it), else the
        customer found by that phone or a new one; a virtual card, the
        welcome bonus (spendable at once; once per phone, see
        :meth:`_welcome`) when ``welcome``, and a portal account unless the
        customer has one. ``values``: name, birthday (ISO date), email,
        consent_email, consent_sms. Reuses the till's enrolment checks and
        the member's ``_enrol``."""
        name = (values.get("name") or "").strip()
        if not name and not partner:
            raise UserError(self.env._("Enter your name."))
        email = (values.get("email") or "").strip()
        if email and not email_normalize(email):
            raise UserError(
                self.env._("%(email)s is not a valid email address.", email=email)
            )
        partner_vals = self._lp_pos_enrol_partner_values(values)
        Partner = self.env["res.partner"].with_context(lp_consent_source="portal")
        if partner:
            partner = self._lp_portal_join_signed_in(
                partner.with_env(Partner.env), program, phone, partner_vals, email
            )
        else:
            partner = Partner._lp_find_by_phone(phone)[:1]
        if partner:
            partner.write({key: val for key, val in partner_vals.items() if val})
        else:
            lang = self.env.lang
            partner = Partner.create(
                {
                    **partner_vals,
                    "name": name,
                    "phone": phone,
                    "email": email or False,
                    "lang": lang
                    if lang in dict(self.env["res.lang"].get_installed())
                    else False,
                }
            )
        card = self._lp_pos_enrol_card(program, None)
        member = self._enrol_by_phone(
            partner,
            program,
            phone,
            lambda error: self._lp_refuse_portal_enrolled(phone, error),
            card=card,
            source="portal",
            welcome=welcome,
        )
        member._lp_portal_grant_access()
        return member

    @api.model
    def _lp_portal_join_signed_in(self, partner, program, phone, partner_vals, email):
        """The contact of the signed-in customer who joins, checked and given
        the confirmed ``phone`` (and ``email`` when she has none)."""
        if self.sudo().search_count(
            [*self._lp_own_domain(partner), ("program_id", "=", program.id)], limit=1
        ):
            raise UserError(
                self.env._(
                    "You already have a membership of %(program)s: it is in your "
                    "account (write to us if it was closed).",
                    program=program.name,
                )
            )
        updates = {}
        if partner.lp_phone_e164 != phone:
            updates["phone"] = phone
        if email and not partner.email:
            updates["email"] = email
        if updates:
            partner.write(updates)
        return partner

    def _lp_refuse_portal_enrolled(self, phone, error):
        raise UserError(
            self.env._(
                "%(phone)s is already a member: sign in to your account.",
                phone=phone,
            )
        ) from error

    def _lp_portal_grant_access(self):
        """A portal account for the member's customer (login: the phone),
        unless they have one; ready for the customer to set a password."""
        self.ensure_one()
        partner = self.partner_id.sudo()
        if partner.user_ids:
            return partner.user_ids[:1]
        Users = self.env["res.users"].sudo().with_context(no_reset_password=True)
        login = partner.lp_phone_e164 or partner.email
        if not login or Users.with_context(active_test=False).search_count(
            [("login", "=", login)], limit=1
        ):
            return Users.browse()
        company = self.program_id.company_id
        user = Users._create_user_from_template(
            {
                "login": login,
                "partner_id": partner.id,
                "company_id": company.id,
                "company_ids": [fields.Command.set(company.ids)],
            }
        )
        partner.signup_prepare()
        return user

    def _lp_portal_signup_url(self):
        """Where the new customer sets the password of their account, then
        lands in it; False when they already signed in once."""
        self.ensure_one()
        partner = self.partner_id.sudo()
        if not partner.user_ids or partner.user_ids[:1].login_date:
            return False
        if not partner.signup_type:
            partner.signup_prepare()
        return partner.with_context(relative_url=True)._get_signup_url_for_action(
            url="/my/loyalty"
        )[partner.id]
