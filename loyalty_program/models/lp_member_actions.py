from odoo import models
from odoo.exceptions import AccessError, UserError

USER = "loyalty_program.group_lp_user"
MANAGER = "loyalty_program.group_lp_manager"


class LpMember(models.Model):
    """What may happen to a membership, each step checked against the
    user's group and logged on its chatter: block and unblock (its cards
    follow), close, transfer to another customer with a reason, hand a
    printed card. Direct writes of the holder or the state are refused
    (:meth:`write`)."""

    _inherit = "lp.member"  # pylint: disable=consider-merging-classes-inherited

    def _lp_check_group(self, xmlid):
        """Code running as superuser is trusted; a user needs ``xmlid``."""
        if not self.env.su and not self.env.user.has_group(xmlid):
            raise AccessError(
                self.env._(
                    "You are not allowed to do this: it needs the loyalty "
                    "group %(group)s.",
                    group=self.env.ref(xmlid).display_name,
                )
            )

    def _lp_log(self, body):
        for member in self:
            member.sudo().message_post(body=body)

    def action_block(self):
        """Block the membership and switch off its active cards; unblocking
        switches those cards (and only those) back on."""
        self._lp_check_group(USER)
        self.check_access("write")
        for member in self.filtered(lambda m: m.state == "active"):
            member._lp_action_env().write({"state": "blocked"})
            cards = member.card_ids.filtered(lambda c: c.state == "active")
            cards._lp_set_state("blocked", blocked_by_member=True)
            member._lp_log(
                self.env._(
                    "Membership blocked by %(user)s; cards switched off: %(cards)s.",
                    user=self.env.user.name,
                    cards=", ".join(cards.mapped("number")) or self.env._("none"),
                )
            )
        return True

    def action_unblock(self):
        self._lp_check_group(USER)
        self.check_access("write")
        for member in self.filtered(lambda m: m.state == "blocked"):
            member._lp_action_env().write({"state": "active"})
            cards = member.card_ids.filtered(
                lambda c: c.state == "blocked" and c.blocked_by_member
            )
            cards._lp_set_state("active")
            member._lp_log(
                self.env._(
                    "Membership unblocked by %(user)s; cards switched back on: "
                    "%(cards)s.",
                    user=self.env.user.name,
                    cards=", ".join(cards.mapped("number")) or self.env._("none"),
                )
            )
        return True

    def action_close(self):
        """Close the membership for good (loyalty managers): no points left,
        its cards are blocked."""
        self._lp_check_group(MANAGER)
        self.check_access("write")
        for member in self:
            if member.balance or member.pending:
                raise UserError(
                    self.env._(
                        "%(member)s still has points: adjust them to zero first.",
                        member=member.display_name,
                    )
                )
        for member in self.filtered(lambda m: m.state != "closed"):
            member._lp_action_env().write({"state": "closed"})
            member.card_ids.filtered(
                lambda c: c.state in ("issued", "active", "blocked")
            )._lp_set_state("blocked")
            member._lp_log(
                self.env._("Membership closed by %(user)s.", user=self.env.user.name)
            )
        return True

    def action_open_transfer(self):
        self.ensure_one()
        self._lp_check_group(MANAGER)
        return {
            "name": self.env._("Transfer Membership"),
            "type": "ir.actions.act_window",
            "res_model": "lp.member.transfer.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_member_id": self.id},
        }

    def action_open_assign_card(self):
        self.ensure_one()
        self._lp_check_group(USER)
        return {
            "name": self.env._("Hand a Printed Card"),
            "type": "ir.actions.act_window",
            "res_model": "lp.card.assign.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_member_id": self.id},
        }

    def _transfer_to(self, partner, reason):
        """Hand this membership (balance, ledger, cards, tier) to another
        customer, e.g. an account opened under the wrong name. Loyalty
        managers only, with a reason; logged on the chatter."""
        self.ensure_one()
        self._lp_check_group(MANAGER)
        self.check_access("write")
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("A transfer needs a reason."))
        if not partner or partner == self.partner_id:
            raise UserError(self.env._("Choose another customer."))
        if self.state == "closed":
            raise UserError(self.env._("A closed membership cannot be transferred."))
        taken = self.sudo().search_count(
            [("partner_id", "=", partner.id), ("program_id", "=", self.program_id.id)]
        )
        if taken:
            raise UserError(
                self.env._(
                    "%(partner)s is already a member of %(program)s: merge the "
                    "two contacts instead.",
                    partner=partner.display_name,
                    program=self.program_id.name,
                )
            )
        previous = self.partner_id
        self._lp_action_env().write({"partner_id": partner.id})
        self._lp_log(
            self.env._(
                "Membership transferred by %(user)s from %(old)s to %(new)s: "
                "%(reason)s",
                user=self.env.user.name,
                old=previous.display_name,
                new=partner.display_name,
                reason=reason,
            )
        )
        return True
