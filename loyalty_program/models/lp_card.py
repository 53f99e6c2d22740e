from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import card_number

# Number, holder and state of a card change only through its actions
# (assign, block, unblock, replace), which hold this object.
CARD_ACTION = object()
PROTECTED = {
    "number",
    "program_id",
    "member_id",
    "state",
    "activation_date",
    "replaced_by_id",
    "batch_id",
    "blocked_by_member",
}


class LpCard(models.Model):
    """A loyalty card: plastic from a printed batch, or virtual. The number
    carries a check digit; a 13-digit number is a valid EAN-13."""

    _name = "lp.card"
    _description = "Loyalty Card"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _rec_name = "number"

    number = fields.Char(required=True, index=True, copy=False, tracking=True)
    program_id = fields.Many2one(
        "lp.program", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="program_id.company_id", store=True)
    member_id = fields.Many2one(
        "lp.member", index=True, ondelete="restrict", tracking=True
    )
    partner_id = fields.Many2one(related="member_id.partner_id", store=True)
    card_type = fields.Selection(
        [("physical", "Physical"), ("virtual", "Virtual")],
        default="physical",
        required=True,
    )
    state = fields.Selection(
        [
            ("issued", "Issued"),
            ("active", "Active"),
            ("blocked", "Blocked"),
            ("lost", "Lost"),
            ("replaced", "Replaced"),
        ],
        default="issued",
        required=True,
        tracking=True,
        index=True,
        help="Issued: printed, not yet handed out. Active: held by a member. "
        "Blocked: temporarily refused. Lost: reported lost. Replaced: a new "
        "card took over.",
    )
    batch_id = fields.Many2one("lp.card.batch", index="btree_not_null", readonly=True)
    activation_date = fields.Date(readonly=True)
    replaced_by_id = fields.Many2one("lp.card", readonly=True)
    block_reason = fields.Char(tracking=True)
    blocked_by_member = fields.Boolean(
        string="Switched off with the member",
        readonly=True,
        help="Switched off when its member was blocked: unblocking the member "
        "switches it back on.",
    )

    _number_unique = models.Constraint(
        "UNIQUE(number)",
        "This card number already exists (card numbers are unique across programs).",
    )

    @api.constrains("number")
    def _check_number(self):
        for card in self:
            if not card_number.is_valid(card.number):
                raise ValidationError(
                    self.env._(
                        "Card number %(number)s is not valid: its check digit "
                        "does not match. Check the number typed.",
                        number=card.number,
                    )
                )

    @api.constrains("member_id", "program_id")
    def _check_program(self):
        for card in self:
            if card.member_id and card.member_id.program_id != card.program_id:
                raise ValidationError(
                    self.env._("A card belongs to a member of its own program.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("number"):
                vals["number"] = card_number.normalize(vals["number"])
            elif vals.get("program_id"):
                program = self.env["lp.program"].browse(vals["program_id"])
                serial = program._next_card_serials(1)[0]
                vals["number"] = card_number.make_number(
                    program.card_prefix, serial, program.card_length
                )
                vals.setdefault("card_type", "virtual")
            state = "active" if vals.get("member_id") else "issued"
            # A card goes to a member by its actions (hand over, replace),
            # which check and log it: never created with its holder set.
            if not self._lp_in_action() and (
                vals.get("member_id") or vals.get("state", state) != state
            ):
                self._lp_refuse_write()
            vals["state"] = vals.get("state", state)
            if vals.get("member_id"):
                vals.setdefault("activation_date", fields.Date.context_today(self))
        return super().create(vals_list)

    def write(self, vals):
        if PROTECTED & set(vals) and not self._lp_in_action():
            self.check_access("write")
            self._lp_refuse_write()
        return super().write(vals)

    def _lp_in_action(self):
        return self.env.context.get("lp_card_action") is CARD_ACTION

    def _lp_refuse_write(self):
        raise UserError(
            self.env._(
                "A card's number, holder and state change only through its "
                "actions: hand it to a member, block, unblock or replace it."
            )
        )

    def _lp_write(self, vals):
        """Write protected fields (the actions' own path)."""
        return self.with_context(lp_card_action=CARD_ACTION).write(vals)

    def _lp_set_state(self, state, blocked_by_member=False):
        self._lp_write({"state": state, "blocked_by_member": blocked_by_member})

    # Actions

    def action_block(self):
        self.env["lp.member"]._lp_check_group("loyalty_program.group_lp_user")
        self.check_access("write")
        cards = self.filtered(lambda c: c.state in ("issued", "active"))
        cards._lp_set_state("blocked")
        for card in cards.filtered("member_id"):
            card.member_id._lp_log(
                self.env._("Card %(number)s blocked.", number=card.number)
            )
        return True

    def action_unblock(self):
        self.env["lp.member"]._lp_check_group("loyalty_program.group_lp_user")
        self.check_access("write")
        for card in self.filtered(lambda c: c.state == "blocked"):
            if card.member_id.state == "closed":
                raise UserError(
                    self.env._(
                        "Card %(number)s belongs to a closed membership.",
                        number=card.number,
                    )
                )
            card._lp_set_state("active" if card.member_id else "issued")
            if card.member_id:
                card.member_id._lp_log(
                    self.env._("Card %(number)s unblocked.", number=card.number)
                )
        return True

    def action_open_assign(self):
        self.ensure_one()
        self.env["lp.member"]._lp_check_group("loyalty_program.group_lp_user")
        return {
            "name": self.env._("Hand a Printed Card"),
            "type": "ir.actions.act_window",
            "res_model": "lp.card.assign.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_card_id": self.id},
        }

    def action_replace(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "lp.card.replace.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_card_id": self.id},
        }

    # Business methods

    @api.model
    def _lookup(self, number, program=None):
        """The card for a typed or scanned ``number``. Raises a UserError that
        a cashier can read when the number is malformed or unknown."""
        number = card_number.normalize(number)
        if not card_number.is_valid(number):
            raise UserError(
                self.env._(
                    "%(number)s is not a valid card number: check the digits.",
                    number=number or "''",
                )
            )
        domain = [("number", "=", number)]
        if program:
            domain.append(("program_id", "=", program.id))
        card = self.search(domain, limit=1)
        if not card:
            raise UserError(
                self.env._("No loyalty card has the number %(number)s.", number=number)
            )
        return card

    @api.model
    def _lp_pos_card(self, digits):
        """The card a till means by the digit string ``digits``, or no record
        when it is not a card number (it may then be a phone). A number shaped
        like the cards of one of the till's programs (its prefix and length)
        that is not found, or a card of an archived program or of another
        company, or a card that is not usable, raises a UserError the cashier
        can read."""
        programs = self.env["lp.member"]._lp_pos_programs()
        shaped = programs.filtered(
            lambda p: len(digits) == p.card_length and digits.startswith(p.card_prefix)
        )
        card = self.sudo().search_fetch(
            [("number", "=", digits)],
            ["number", "state", "program_id", "member_id"],
            limit=1,
        )
        if not card:
            if not shaped:
                return self.browse()
            if not card_number.is_valid(digits):
                raise UserError(
                    self.env._(
                        "%(number)s is not a valid card number: check the digits.",
                        number=digits,
                    )
                )
            raise UserError(
                self.env._("No loyalty card has the number %(number)s.", number=digits)
            )
        if card.program_id not in programs:
            raise UserError(
                self.env._(
                    "Card %(number)s belongs to a loyalty program that is not used "
                    "at this till (archived, or of another company).",
                    number=digits,
                )
            )
        card._check_usable()
        return card

    def _check_usable(self):
        """Raise a clear UserError unless the card identifies a member now."""
        self.ensure_one()
        messages = {
            "blocked": self.env._("Card %(number)s is blocked."),
            "lost": self.env._("Card %(number)s was reported lost."),
            "replaced": self.env._(
                "Card %(number)s was replaced by a new card: use the new one."
            ),
            "issued": self.env._("Card %(number)s is not activated yet."),
        }
        if self.state in messages:
            raise UserError(messages[self.state] % {"number": self.number})
        if self.member_id.state != "active":
            raise UserError(
                self.env._(
                    "The member of card %(number)s is blocked or closed.",
                    number=self.number,
                )
            )

    def _assign(self, member):
        """Hand this (issued) card to ``member`` and activate it."""
        self.ensure_one()
        if self.state != "issued" or (self.member_id and self.member_id != member):
            raise UserError(
                self.env._(
                    "Card %(number)s is already in use or not available.",
                    number=self.number,
                )
            )
        if self.program_id != member.program_id:
            raise UserError(
                self.env._(
                    "Card %(number)s belongs to another program.", number=self.number
                )
            )
        self._lp_write(
            {
                "member_id": member.id,
                "state": "active",
                "activation_date": fields.Date.context_today(self),
                "blocked_by_member": False,
            }
        )

    def _replace_with(self, new_card=None, reason="lost"):
        """Replace this card (lost or damaged) with ``new_card`` (an issued
        card) or a new virtual one. The member and the points stay."""
        self.ensure_one()
        if not self.member_id:
            raise UserError(self.env._("Only a card held by a member can be replaced."))
        member = self.member_id
        if not new_card:
            new_card = self.create({"program_id": self.program_id.id})
        new_card._assign(member)
        self._lp_write(
            {
                "state": "lost" if reason == "lost" else "replaced",
                "replaced_by_id": new_card.id,
            }
        )
        member.message_post(
            body=self.env._(
                "Card %(old)s replaced by %(new)s; the balance stays with the member.",
                old=self.number,
                new=new_card.number,
            )
        )
        return new_card
