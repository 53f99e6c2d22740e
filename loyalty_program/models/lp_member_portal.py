import base64
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import format_amount, format_date, formatLang

from ..tools import card_number, tier_progress

KEEP_HORIZON_DAYS = 30
GIFT_KINDS = ("welcome", "birthday", "gift", "campaign")


class LpMember(models.Model):
    _inherit = "lp.member"  # pylint: disable=consider-merging-classes-inherited

    # What the personal account shows (meant to be extended)

    @api.model
    def _lp_format_points(self, value):
        """Points in the reader's language: whole points without decimals."""
        value = value or 0.0
        return formatLang(self.env, value, digits=0 if float(value).is_integer() else 2)

    def _lp_money(self, amount, currency=None):
        return format_amount(self.env, amount, currency or self.currency_id)

    def _lp_portal_home_text(self):
        """The line under "My loyalty" on the portal home."""
        self.ensure_one()
        member = self.sudo()
        if member.program_type != "bonus":
            return member.tier_id.name or ""
        points = self.env._(
            "%(points)s points", points=self._lp_format_points(member.balance)
        )
        return f"{points} · {member.tier_id.name}" if member.tier_id else points

    def _lp_portal_values(self):
        """Everything the account page shows of one membership."""
        self.ensure_one()
        return {
            "member": self,
            "program": self.sudo().program_id,
            "worth_text": self.env._(
                "worth %(amount)s", amount=self._lp_money(self.balance_value)
            ),
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
        """Held points by the day they become spendable:
        [{date, points, text}]."""
        self.ensure_one()
        return [
            {
                "date": day,
                "points": points,
                "text": self.env._(
                    "%(points)s points on hold, spendable from %(date)s",
                    points=self._lp_format_points(points),
                    date=format_date(self.env, day),
                ),
            }
            for day, points in self._lp_ledger_groups(
                [("held", "=", True), ("remaining", ">", 0)], "available_from:day"
            )
            if points
        ]

    def _lp_portal_expiring(self, limit=5):
        """The next expiry dates of spendable points: [{date, points, text}]."""
        self.ensure_one()
        return [
            {
                "date": day,
                "points": points,
                "text": self.env._(
                    "%(points)s points expire on %(date)s",
                    points=self._lp_format_points(points),
                    date=format_date(self.env, day),
                ),
            }
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
        tier = member.tier_id
        next_tier = self.env["lp.tier"].sudo().browse(progress.next_id)
        keep_date = format_date(
            self.env,
            fields.Date.context_today(self) + timedelta(days=KEEP_HORIZON_DAYS),
        )
        _ = self.env._
        texts = {
            "discount_text": tier.discount_percent
            and _(
                "%(percent)s%% off",
                percent=formatLang(self.env, tier.discount_percent, digits=0),
            ),
            "next_text": next_tier
            and _(
                "Spend %(amount)s more to reach %(tier)s.",
                amount=member._lp_money(progress.to_next),
                tier=next_tier.name,
            ),
            "keep_text": progress.to_keep
            and _(
                "To keep %(tier)s, spend %(amount)s more by %(date)s.",
                tier=tier.name,
                amount=member._lp_money(progress.to_keep),
                date=keep_date,
            ),
            "kept_text": not progress.to_keep
            and tier.threshold
            and not next_tier
            and _(
                "Your purchases keep %(tier)s at least until %(date)s.",
                tier=tier.name,
                date=keep_date,
            ),
            "spend_text": _(
                "Your purchases over the last %(days)s days: %(amount)s",
                days=member.program_id.tier_window_days,
                amount=member._lp_money(member.window_spend),
            ),
        }
        return {
            "tier": tier,
            "next_tier": next_tier,
            "to_next": progress.to_next,
            "percent": progress.percent,
            "to_keep": progress.to_keep,
            **texts,
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
            "total_text": member._lp_money(points_value + tier),
            "points_text": points
            and self.env._(
                "%(points)s points spent: %(amount)s",
                points=self._lp_format_points(points),
                amount=member._lp_money(points_value),
            ),
            "tier_text": tier
            and self.env._("Tier discounts: %(amount)s", amount=member._lp_money(tier)),
        }

    def _lp_portal_gifts(self):
        """Bonuses and campaign gifts credited to the member:
        [{entry, text, left_text}]."""
        self.ensure_one()
        kinds = dict(
            self.env["lp.ledger"]._fields["kind"]._description_selection(self.env)
        )
        gifts = []
        for entry in self.sudo().ledger_ids.filtered(lambda e: e.kind in GIFT_KINDS):
            gifts.append(
                {
                    "entry": entry,
                    "text": self.env._(
                        "%(kind)s: +%(points)s, %(date)s",
                        kind=kinds.get(entry.kind),
                        points=self._lp_format_points(entry.amount),
                        date=format_date(self.env, entry.date),
                    ),
                    "left_text": entry.expiry_date
                    and entry.remaining
                    and self.env._(
                        "%(points)s left until %(date)s",
                        points=self._lp_format_points(entry.remaining),
                        date=format_date(self.env, entry.expiry_date),
                    ),
                }
            )
        return gifts
