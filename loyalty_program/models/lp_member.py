from odoo import api, fields, models
from odoo.exceptions import UserError

from .lp_ledger import POSTING

BOOKKEEPING = {"balance", "pending", "window_spend", "tier_id"}
# Who holds the membership and its state change only through the actions
# (block, unblock, close, transfer, merge), which hold this object.
MEMBER_ACTION = object()
PROTECTED = {"partner_id", "state", "enrol_phone"}
# Given to create() to join without the welcome bonus (tests, fixtures).
NO_WELCOME = object()


class LpMember(models.Model):
    """A customer's account in a program. The points belong to the member,
    not to a card: cards come and go, the balance stays."""

    _name = "lp.member"
    _description = "Loyalty Member"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="restrict", tracking=True
    )
    program_id = fields.Many2one(
        "lp.program", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="program_id.company_id", store=True)
    currency_id = fields.Many2one(related="program_id.currency_id")
    program_type = fields.Selection(related="program_id.program_type")
    state = fields.Selection(
        [
            ("active", "Active"),
            ("blocked", "Blocked"),
            ("closed", "Closed"),
        ],
        default="active",
        required=True,
        tracking=True,
        index=True,
    )
    join_date = fields.Date(default=fields.Date.context_today, required=True)
    enrol_source = fields.Selection(
        [
            ("backend", "Backend"),
            ("pos", "Point of Sale"),
            ("sale", "Sales order"),
            ("portal", "Portal"),
            ("import", "Import"),
        ],
        default="backend",
    )
    tier_id = fields.Many2one(
        "lp.tier",
        readonly=True,
        tracking=True,
        index=True,
        domain="[('program_id', '=', program_id)]",
    )
    balance = fields.Float(
        string="Available points",
        digits=(16, 2),
        readonly=True,
        help="Points the member can spend now: the sum of the ledger's available part.",
    )
    pending = fields.Float(
        string="Pending points",
        digits=(16, 2),
        readonly=True,
        help="Earned points still on hold.",
    )
    reserved = fields.Float(
        string="Reserved points",
        digits=(16, 2),
        compute="_compute_reserved",
        help="Points set aside by open orders (POS, quotations).",
    )
    balance_value = fields.Monetary(
        string="Balance value", compute="_compute_balance_value"
    )
    window_spend = fields.Monetary(
        string="Spend in tier period",
        readonly=True,
        help="Purchases over the program's tier period; decides the tier.",
    )
    next_tier_id = fields.Many2one("lp.tier", compute="_compute_next_tier")
    next_tier_missing = fields.Monetary(
        string="Spend to next tier", compute="_compute_next_tier"
    )
    expiring_points = fields.Float(
        digits=(16, 2), compute="_compute_expiring", string="Expiring within 30 days"
    )
    expiring_date = fields.Date(compute="_compute_expiring", string="First expiry")
    card_ids = fields.One2many("lp.card", "member_id", string="Cards")
    card_count = fields.Integer(compute="_compute_card_count")
    card_number = fields.Char(
        string="Card", compute="_compute_card_number", search="_search_card_number"
    )
    ledger_ids = fields.One2many("lp.ledger", "member_id")
    tier_history_ids = fields.One2many("lp.tier.history", "member_id")
    reservation_ids = fields.One2many("lp.reservation", "member_id")
    enrol_phone = fields.Char(
        string="Enrolment phone",
        readonly=True,
        copy=False,
        help="The phone (E.164) the customer enrolled with at a till or on the "
        "web: one membership per phone and program.",
    )
    phone = fields.Char(related="partner_id.phone")
    email = fields.Char(related="partner_id.email")

    _partner_program_unique = models.Constraint(
        "UNIQUE(partner_id, program_id)",
        "A customer is a member of a program only once.",
    )
    _enrol_phone_unique = models.UniqueIndex(
        "(program_id, enrol_phone) WHERE enrol_phone IS NOT NULL",
        "A phone enrols one member per program.",
    )
    _balance_not_negative = models.Constraint(
        "CHECK(balance >= 0 AND pending >= 0)",
        "A balance never goes below zero.",
    )

    @api.depends("partner_id", "program_id")
    def _compute_display_name(self):
        for member in self:
            member.display_name = (
                f"{member.partner_id.name or ''} ({member.program_id.name or ''})"
            )

    @api.depends("reservation_ids.state", "reservation_ids.points")
    def _compute_reserved(self):
        reserved = dict(
            self.env["lp.reservation"]._read_group(
                [("member_id", "in", self.ids), ("state", "=", "reserved")],
                ["member_id"],
                ["points:sum"],
            )
        )
        for member in self:
            member.reserved = reserved.get(member, 0.0)

    @api.depends("balance", "program_id.point_value")
    def _compute_balance_value(self):
        for member in self:
            member.balance_value = member.balance * member.program_id.point_value

    @api.depends("tier_id", "window_spend", "program_id.tier_ids")
    def _compute_next_tier(self):
        for member in self:
            higher = member.program_id.tier_ids.filtered(
                lambda t, m=member: (
                    t.threshold > (m.tier_id.threshold or 0.0)
                    and t.threshold > m.window_spend
                )
            ).sorted("threshold")[:1]
            member.next_tier_id = higher
            member.next_tier_missing = (
                higher.threshold - member.window_spend if higher else 0.0
            )

    def _compute_expiring(self):
        soon = self.env["lp.ledger"]._expiring_soon(self.ids)
        for member in self:
            points, first = soon.get(member.id, (0.0, False))
            member.expiring_points = points
            member.expiring_date = first

    def _compute_card_count(self):
        counts = dict(
            self.env["lp.card"]._read_group(
                [("member_id", "in", self.ids)], ["member_id"], ["__count"]
            )
        )
        for member in self:
            member.card_count = counts.get(member, 0)

    @api.depends("card_ids.state", "card_ids.number")
    def _compute_card_number(self):
        if not all(self._ids):  # new records (a form being filled)
            for member in self:
                cards = member.card_ids.filtered(lambda c: c.state == "active")
                member.card_number = cards[:1].number or False
            return
        # The newest active card of each member, in one query.
        number = {}
        for card in self.env["lp.card"].search_fetch(
            [("member_id", "in", self.ids), ("state", "=", "active")],
            ["member_id", "number"],
        ):
            number.setdefault(card.member_id.id, card.number)
        for member in self:
            member.card_number = number.get(member.id, False)

    def _search_card_number(self, operator, value):
        return [("card_ids.number", operator, value)]

    # CRUD

    @api.model_create_multi
    def create(self, vals_list):
        if any(BOOKKEEPING & set(vals) for vals in vals_list) and (
            self.env.context.get("lp_posting") is not POSTING
        ):
            raise UserError(self.env._("Balances are set by the ledger only."))
        members = super().create(vals_list)
        members._assign_initial_tier()
        # The phones each membership enrolled with (lp_member_enrol.py).
        members._lp_record_phones("enrol")
        if self.env.context.get("lp_welcome") is not NO_WELCOME:
            for member in members:
                member._welcome()
        return members

    def write(self, vals):
        if (
            BOOKKEEPING & set(vals)
            and self.env.context.get("lp_posting") is not POSTING
        ):
            raise UserError(
                self.env._(
                    "Balances and tiers follow the ledger. Use a manual "
                    "adjustment to correct points."
                )
            )
        if PROTECTED & set(vals) and not self._lp_in_action():
            self.check_access("write")
            raise UserError(
                self.env._(
                    "A membership changes hands or state only through its "
                    "actions (block, unblock, close, transfer to another "
                    "customer), which are logged."
                )
            )
        if "program_id" in vals and any(m.ledger_ids for m in self):
            raise UserError(
                self.env._("A member with ledger entries keeps its program.")
            )
        return super().write(vals)

    def _lp_in_action(self):
        return self.env.context.get("lp_member_action") is MEMBER_ACTION

    def _lp_action_env(self):
        """This recordset allowed to change holder and state."""
        return self.with_context(lp_member_action=MEMBER_ACTION)

    # Actions (block, unblock, close, transfer: lp_member_actions.py)

    @api.readonly
    def action_view_ledger(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_program.action_lp_ledger"
        )
        action["domain"] = [("member_id", "=", self.id)]
        action["context"] = {"search_default_group_kind": 0}
        return action

    @api.readonly
    def action_view_cards(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_program.action_lp_card"
        )
        action["domain"] = [("member_id", "=", self.id)]
        # A new card from here is printed stock of the program: it goes to
        # the member by the card's "Hand to a Member" action.
        action["context"] = {"default_program_id": self.program_id.id}
        return action

    def action_open_adjust(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "lp.adjust.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_member_id": self.id},
        }
