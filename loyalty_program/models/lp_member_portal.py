import base64
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize

from ..tools import card_number, tier_progress

KEEP_HORIZON_DAYS = 30
GIFT_KINDS = ("welcome", "birthday", "gift", "campaign")


class LpMember(models.Model):
    _inherit = "lp.member"  # pylint: disable=consider-merging-classes-inherited

    # Joining from the public page

    @api.model
    def _lp_portal_join(self, program, phone, values, welcome=True):
        """Enrol the customer of the confirmed ``phone`` (E.164) into
        ``program`` from the public join page: the customer found by that
        phone or a new one, a virtual card, the welcome bonus (spendable at
        once) when ``welcome``, and a portal account. ``values``: name,
        birthday (ISO date), email, consent_email, consent_sms. Reuses the
        till's enrolment checks and the member's ``_enrol``."""
        name = (values.get("name") or "").strip()
        if not name:
            raise UserError(self.env._("Enter your name."))
        email = (values.get("email") or "").strip()
        if email and not email_normalize(email):
            raise UserError(
                self.env._("%(email)s is not a valid email address.", email=email)
            )
        partner_vals = self._lp_pos_enrol_partner_values(values)
        Partner = self.env["res.partner"].with_context(lp_consent_source="portal")
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
        member = self._enrol(
            partner, program, card=card, source="portal", welcome=welcome
        )
        member._lp_portal_grant_access()
        return member

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

    # What the personal account shows (meant to be extended)

    def _lp_portal_values(self):
        """Everything the account page shows of one membership."""
        self.ensure_one()
        return {
            "member": self,
            "program": self.sudo().program_id,
            "cards": self._lp_portal_cards(),
            "barcode": self._lp_portal_barcode(),
            "pending": self._lp_portal_pending(),
            "expiring": self._lp_portal_expiring(),
            "tier": self._lp_portal_tier(),
            "savings": self._lp_portal_savings(),
            "gifts": self._lp_portal_gifts(),
        }

    def _lp_portal_cards(self):
        self.ensure_one()
        states = dict(
            self.env["lp.card"]._fields["state"]._description_selection(self.env)
        )
        types = dict(
            self.env["lp.card"]._fields["card_type"]._description_selection(self.env)
        )
        cards = self.card_ids.sorted(lambda c: (c.state != "active", -c.id))
        return [
            {
                "card": card,
                "masked": card_number.mask(card.number),
                "state": card.state,
                "state_label": states.get(card.state, ""),
                "type_label": types.get(card.card_type, ""),
            }
            for card in cards
        ]

    def _lp_portal_active_card(self):
        self.ensure_one()
        return self.card_ids.filtered(lambda c: c.state == "active").sorted(
            "id", reverse=True
        )[:1]

    def _lp_portal_barcode(self):
        """The active card as a barcode image (a data URI, so the full number
        travels in the page only), or False."""
        self.ensure_one()
        card = self._lp_portal_active_card()
        if not card or self.state != "active":
            return False
        png = self.env["ir.actions.report"].barcode(
            "auto", card.number, width=600, height=150
        )
        return {
            "number": card.number,
            "src": "data:image/png;base64," + base64.b64encode(png).decode(),
        }

    def _lp_ledger_groups(self, domain, groupby):
        return (
            self.env["lp.ledger"]
            .sudo()
            ._read_group(
                [("member_id", "=", self.id), *domain],
                [groupby],
                ["remaining:sum"],
                order=f"{groupby} asc",
            )
        )

    def _lp_portal_pending(self):
        """[(date, points)] of held points and the day they become spendable."""
        self.ensure_one()
        return [
            (day, points)
            for day, points in self._lp_ledger_groups(
                [("held", "=", True), ("remaining", ">", 0)], "available_from:day"
            )
            if points
        ]

    def _lp_portal_expiring(self, limit=5):
        """[(date, points)] of the next expiry dates of spendable points."""
        self.ensure_one()
        return [
            (day, points)
            for day, points in self._lp_ledger_groups(
                [
                    ("held", "=", False),
                    ("remaining", ">", 0),
                    ("expiry_date", "!=", False),
                ],
                "expiry_date:day",
            )
            if points
        ][:limit]

    def _lp_portal_kept_spend(self, horizon_days=KEEP_HORIZON_DAYS):
        """The part of the tier-period spend still counting in
        ``horizon_days`` (older purchases leave the rolling period)."""
        self.ensure_one()
        cutoff = fields.Datetime.now() + timedelta(
            days=horizon_days - self.program_id.tier_window_days
        )
        rows = (
            self.env["lp.ledger"]
            .sudo()
            ._read_group(
                [("member_id", "=", self.id), ("date", ">=", cutoff)],
                [],
                ["base_amount:sum"],
            )
        )
        return rows[0][0] or 0.0

    def _lp_portal_tier(self):
        self.ensure_one()
        member = self.sudo()
        tiers = member.program_id.tier_ids
        if not tiers:
            return False
        levels = [tier_progress.Level(t.id, t.threshold) for t in tiers]
        progress = tier_progress.progress(
            levels,
            member.tier_id.id,
            member.window_spend,
            member._lp_portal_kept_spend(),
        )
        Tier = self.env["lp.tier"].sudo()
        return {
            "tier": member.tier_id,
            "next_tier": Tier.browse(progress.next_id),
            "to_next": progress.to_next,
            "percent": progress.percent,
            "to_keep": progress.to_keep,
            "keep_date": fields.Date.context_today(self)
            + timedelta(days=KEEP_HORIZON_DAYS),
            "spend": member.window_spend,
            "window_days": member.program_id.tier_window_days,
            "currency": member.currency_id,
        }

    def _lp_portal_savings(self):
        """What the program saved the customer, in the program's currency:
        points spent (net of spends given back) and tier discounts."""
        self.ensure_one()
        member = self.sudo()
        entries = member.ledger_ids
        spent = entries.filtered(
            lambda e: (
                e.kind == "spend"
                or (e.kind == "reversal" and e.reversed_entry_id.kind == "spend")
            )
        )
        points = -sum(spent.mapped("amount"))
        purchases = entries.filtered(
            lambda e: e.kind in ("earn", "reversal") and e.res_model
        )
        # One document may post several entries (earn, then a reversal).
        sources = {
            (entry.res_model, entry.res_id): source
            for entry, source in zip(
                purchases, purchases._lp_portal_sources().values(), strict=True
            )
        }
        tier = sum(source["tier_saving"] for source in sources.values() if source)
        points_value = points * member.program_id.point_value
        return {
            "points": points,
            "points_value": points_value,
            "tier": tier,
            "total": points_value + tier,
            "currency": member.currency_id,
        }

    def _lp_portal_gifts(self):
        """Bonuses and campaign gifts credited to the member."""
        self.ensure_one()
        return self.sudo().ledger_ids.filtered(lambda e: e.kind in GIFT_KINDS)
