from odoo import api, fields, models
from odoo.exceptions import UserError


class LpMember(models.Model):
    _inherit = "lp.member"  # pylint: disable=consider-merging-classes-inherited

    enrol_source = fields.Selection(
        selection_add=[("bot", "Messenger bot")], ondelete={"bot": "set default"}
    )

    @api.model
    def _lp_bot_join(self, program, phone, values):
        """Enrol the customer whose ``phone`` (E.164) Telegram confirmed
        (shared from their own account) into ``program`` from the bot: the
        customer found by that phone or a new one, a virtual card, the
        welcome bonus spendable at once unless this phone had it before
        (once per phone, ever: :meth:`_welcome`, the rule of every
        channel). ``values``: name, birthday, consent_bot, consent_sms,
        lang. Reuses the till's enrolment helpers and
        :meth:`_enrol_by_phone`; raises a UserError when the phone was
        enrolled meanwhile."""
        name = (values.get("name") or "").strip()
        if not name:
            raise UserError(self.env._("Enter your name."))
        partner_vals = self._lp_pos_enrol_partner_values(values)
        partner_vals.pop("lp_consent_email")  # not asked in the chat
        partner_vals["lp_consent_bot"] = bool(values.get("consent_bot"))
        company = program.company_id
        Partner = self.env["res.partner"].with_context(lp_consent_source="bot")
        partner = Partner._lp_find_by_phone(phone, company.country_id).filtered(
            lambda p: not p.company_id or p.company_id == company
        )[:1]
        if partner:
            partner.write({key: val for key, val in partner_vals.items() if val})
        else:
            lang = values.get("lang")
            partner = Partner.create(
                {
                    **partner_vals,
                    "name": name,
                    "phone": phone,
                    "lang": lang
                    if lang in dict(self.env["res.lang"].get_installed())
                    else False,
                }
            )
        card = self._lp_pos_enrol_card(program, None)
        return self._enrol_by_phone(
            partner,
            program,
            phone,
            lambda error: self._lp_refuse_portal_enrolled(phone, error),
            card=card,
            source="bot",
        )
