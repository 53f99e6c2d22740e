from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..tools import placeholders, telegram

HISTORY_SIZE = 5
PURCHASE_MODELS = ("pos.order", "sale.order")


class LpBotChat(models.Model):
    """Joining, and what a member asks the bot: the card, the balance
    (expiring points, tier and what is left to the next), the last
    purchases, and stopping or restarting the offers."""

    _inherit = "lp.bot.chat"  # pylint: disable=consider-merging-classes-inherited

    def _lp_menu(self):
        labels = self._lp_labels()
        offers = "stop" if self.partner_id.lp_consent_bot else "subscribe"
        return telegram.buttons_keyboard(
            [
                [labels["card"], labels["balance"]],
                [labels["history"], labels["offers"]],
                [labels[offers]],
            ],
            one_time=False,
        )

    # Joining

    def _lp_join(self):
        """A member with a virtual card and the welcome gift, through the
        enrolment path every channel uses; a phone enrolled meanwhile (at a
        till) is linked instead, never enrolled twice."""
        program = self.bot_id.program_id
        Member = self.env["lp.member"].with_company(program.company_id)
        values = {
            "name": self.name,
            "birthday": self.birthday,
            "consent_bot": self.consent_bot,
            "consent_sms": self.consent_sms,
            "lang": self.lang,
        }
        joined = True
        try:
            with self.env.cr.savepoint():
                member = Member._lp_bot_join(program, self.phone, values)
        except UserError:
            member = self.env["lp.join.request"]._lp_member_with_phone(
                self.phone, program
            )
            if not member:
                raise
            joined = False
        self.write(
            {
                "member_id": member.id,
                "partner_id": member.partner_id.id,
                "step": "done",
                "joined": joined,
                "join_date": fields.Datetime.now(),
            }
        )
        values = self._lp_values(name=member.partner_id.name)
        text = self.bot_id.with_context(lang=self.env.lang).joined_text or self.env._(
            "Welcome to {program}, {name}!"
        )
        self._lp_say(placeholders.render(text, values))
        self._lp_send_card(self._lp_card_caption(with_gift=joined), self._lp_menu())
        return "done"

    def _lp_finish_linked(self):
        """An existing member linked this chat: the bot consent as answered,
        a card if the member has none active, and the card."""
        member = self.member_id
        partner = self.partner_id
        if partner.lp_consent_bot != self.consent_bot:
            partner.with_context(lp_consent_source="bot").write(
                {"lp_consent_bot": self.consent_bot}
            )
        if not member.card_number:
            Member = self.env["lp.member"]
            Member._lp_pos_enrol_card(member.program_id, None)._assign(member)
            member.invalidate_recordset(["card_number"])
        self.write({"step": "done", "join_date": fields.Datetime.now()})
        self._lp_send_card(self._lp_card_caption(), self._lp_menu())
        return "done"

    def _lp_card_caption(self, with_gift=False):
        member = self.member_id
        _ = self.env._
        lines = [
            _("Your card: %(number)s", number=member.card_number or ""),
            _("Show this barcode at the till."),
        ]
        gift = with_gift and member.ledger_ids.filtered(lambda e: e.kind == "welcome")
        if gift:
            lines.append(
                _(
                    "%(points)s points are yours: spend them on this purchase, "
                    "right now.",
                    points=member._lp_format_points(sum(gift.mapped("amount"))),
                )
            )
        return "\n".join(lines)

    # Commands of a member

    def _lp_command(self, command):
        """Answer ``command`` (``card``, ``balance``, ``history``, ``offers``,
        ``stop``, ``subscribe``, ``help``; anything else gets the help)."""
        handler = getattr(self, f"_lp_cmd_{command}", None) or self._lp_cmd_help
        return handler()

    def _lp_active_member(self):
        member = self.member_id
        return member if member.state == "active" else member.browse()

    def _lp_cmd_help(self):
        _ = self.env._
        lines = [
            _("/card: your card to show at the till"),
            _("/balance: your points, when they expire, your tier"),
            _("/history: your last purchases"),
            _("/offers: your offers, until when"),
            _("/stop: no more offers in this chat"),
        ]
        if self.step != "done":
            lines.insert(0, _("Send /start to join."))
        self._lp_say("\n".join(lines), self._lp_menu() if self.step == "done" else None)
        return "done"

    def _lp_cmd_card(self):
        if not self._lp_active_member():
            return self._lp_not_active()
        self._lp_send_card(self._lp_card_caption(), self._lp_menu())
        return "done"

    def _lp_cmd_balance(self):
        member = self._lp_active_member()
        if not member:
            return self._lp_not_active()
        self._lp_say("\n".join(self._lp_balance_lines(member)), self._lp_menu())
        return "done"

    def _lp_balance_lines(self, member):
        _ = self.env._
        points = member._lp_format_points
        lines = []
        if member.program_type == "bonus":
            lines.append(
                _(
                    "Balance: %(points)s points (%(value)s).",
                    points=points(member.balance),
                    value=member._lp_money(member.balance_value),
                )
            )
            if member.pending:
                lines.append(
                    _("On hold: %(points)s points.", points=points(member.pending))
                )
            if member.expiring_points:
                lines.append(
                    _(
                        "%(points)s points expire on %(date)s.",
                        points=points(member.expiring_points),
                        date=format_date(self.env, member.expiring_date),
                    )
                )
        if member.tier_id:
            lines.append(_("Tier: %(tier)s.", tier=member.tier_id.name))
        if member.next_tier_id:
            lines.append(
                _(
                    "Spend %(amount)s more to reach %(tier)s.",
                    amount=member._lp_money(member.next_tier_missing),
                    tier=member.next_tier_id.name,
                )
            )
        return lines

    def _lp_cmd_history(self):
        member = self._lp_active_member()
        if not member:
            return self._lp_not_active()
        _ = self.env._
        entries = self.env["lp.ledger"].search(
            [("member_id", "=", member.id), ("res_model", "in", PURCHASE_MODELS)],
            limit=HISTORY_SIZE * 3,
        )
        lines, seen = [], set()
        for entry in entries:
            key = (entry.res_model, entry.res_id)
            if key in seen:
                continue
            seen.add(key)
            source = entry._lp_portal_source()
            if not source:
                continue
            parts = [
                format_date(self.env, source["date"] or entry.date),
                source["name"],
            ]
            if source["amount"] is not False:
                parts.append(member._lp_money(source["amount"], source["currency"]))
            points = sum(e.amount for e in entries if (e.res_model, e.res_id) == key)
            parts.append(_("%(points)s points", points=f"{points:+g}"))
            lines.append(" · ".join(parts))
            if len(lines) >= HISTORY_SIZE:
                break
        text = (
            _("Your last purchases:") + "\n" + "\n".join(lines)
            if lines
            else _("No purchases yet.")
        )
        self._lp_say(text, self._lp_menu())
        return "done"

    def _lp_cmd_offers(self):
        """The member's open offers (personal and general), as the personal
        account lists them: the reward on what, until when."""
        member = self._lp_active_member()
        if not member:
            return self._lp_not_active()
        _ = self.env._
        offers = member._lp_portal_offers()
        lines = [
            " ".join(
                part for part in ("🎁", offer["label"], offer["until_text"]) if part
            )
            for offer in offers
        ]
        text = (
            _("Your offers, applied at the till by themselves:")
            + "\n"
            + "\n".join(lines)
            if lines
            else _("No offers for you right now: we will tell you here.")
        )
        self._lp_say(text, self._lp_menu())
        return "done"

    def _lp_cmd_stop(self):
        partner = self.partner_id
        if partner.lp_consent_bot:
            partner.with_context(lp_consent_source="bot").write(
                {"lp_consent_bot": False}
            )
        self._lp_say(
            self.env._(
                "You will get no more offers here. Your card and balance stay "
                "available: /card, /balance."
            ),
            self._lp_menu() if self.step == "done" else telegram.remove_keyboard(),
        )
        return "done"

    def _lp_cmd_subscribe(self):
        partner = self.partner_id
        if not self._lp_active_member():
            return self._lp_not_active()
        if not partner.lp_consent_bot:
            partner.with_context(lp_consent_source="bot").write(
                {"lp_consent_bot": True}
            )
        self._lp_say(
            self.env._("Offers are on again. /stop turns them off."), self._lp_menu()
        )
        return "done"

    def _lp_not_active(self):
        if self.step != "done":
            return self._lp_ask(self.step, again=True)
        self._lp_say(
            self.env._("Your membership is not active. Please ask at the till."),
            telegram.remove_keyboard(),
        )
        return "refused"
