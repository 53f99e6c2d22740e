from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


def commit_progress(env, done, remaining=None):
    """Commit a batch and report progress when running as a scheduled job;
    outside a job (tests, a shell) the caller's transaction stays open."""
    if env.context.get("cron_id"):
        env["ir.cron"]._commit_progress(done, remaining=remaining)


def member_filter(member_ids, alias="m"):
    """SQL condition restricting a set-based job to ``member_ids`` (None: all)."""
    if member_ids is None:
        return SQL("TRUE")
    return SQL("%s IN %s", SQL.identifier(alias, "id"), tuple(member_ids) or (0,))


# Only code holding this object may create ledger entries or touch their
# bookkeeping columns: a context value that no RPC call can forge.
POSTING = object()

PRECISION = 0.01
KINDS = [
    ("earn", "Earned"),
    ("spend", "Spent"),
    ("expire", "Expired"),
    ("welcome", "Welcome bonus"),
    ("birthday", "Birthday bonus"),
    ("gift", "Gift"),
    ("campaign", "Campaign bonus"),
    ("adjustment", "Manual adjustment"),
    ("reversal", "Refund reversal"),
]


class LpLedger(models.Model):
    """One change of a member's points. Append-only: entries are created by
    :meth:`_post` only and never written or deleted; a mistake is corrected
    with a reversing entry (:meth:`_reverse`).

    ``remaining`` and ``held`` are the engine's bookkeeping on credits (how
    much of the credit is still unconsumed, whether it is still on hold);
    the allocations (``lp.ledger.allocation``) say which debit consumed what.
    """

    _name = "lp.ledger"
    _description = "Loyalty Ledger Entry"
    _order = "date desc, id desc"
    _rec_name = "kind"

    member_id = fields.Many2one(
        "lp.member", required=True, index=True, ondelete="restrict", readonly=True
    )
    # Precomputed: set in the INSERT, not by an UPDATE of the new row after it
    # (which would write every index of the ledger twice per entry).
    program_id = fields.Many2one(
        related="member_id.program_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(
        related="member_id.partner_id", store=True, index=True, precompute=True
    )
    company_id = fields.Many2one(
        related="member_id.company_id", store=True, precompute=True
    )
    currency_id = fields.Many2one(related="program_id.currency_id")
    # No index of its own on kind or res_model: every query on them goes
    # through a composite index (_source_unique, _source_index) or the
    # date, and each index is one more write per posting.
    kind = fields.Selection(KINDS, required=True, readonly=True)
    amount = fields.Float(string="Points", digits=(16, 2), required=True, readonly=True)
    shortfall = fields.Float(
        digits=(16, 2),
        readonly=True,
        help="Points a reversal should have taken back but the member no "
        "longer had: recorded, never posted below zero.",
    )
    base_amount = fields.Monetary(
        string="Purchase amount",
        readonly=True,
        help="The purchase behind this entry (negative for a refund); counts "
        "toward the member's tier.",
    )
    date = fields.Datetime(
        default=fields.Datetime.now, required=True, readonly=True, index=True
    )
    available_from = fields.Datetime(
        readonly=True, help="Held points become spendable at this time."
    )
    expiry_date = fields.Date(
        readonly=True, help="Unspent points expire after this day."
    )
    held = fields.Boolean(readonly=True)
    remaining = fields.Float(
        digits=(16, 2),
        readonly=True,
        help="Part of this credit not yet spent or expired.",
    )
    # Where an entry comes from and who posted it are the staff's business:
    # a customer reads her history through the personal account, which
    # shows her purchases and the reason of an adjustment, never the staff.
    res_model = fields.Char(
        string="Source model", readonly=True, groups="base.group_user"
    )
    res_id = fields.Many2oneReference(
        string="Source ID",
        model_field="res_model",
        readonly=True,
        groups="base.group_user",
    )
    source_key = fields.Char(
        readonly=True,
        help="Identifies the event that posted this entry; the same event "
        "posts once per member and kind.",
    )
    source_display = fields.Char(
        string="Source", compute="_compute_source_display", groups="base.group_user"
    )
    reason = fields.Text(readonly=True)
    user_id = fields.Many2one(
        "res.users",
        default=lambda self: self.env.uid,
        readonly=True,
        index=True,
        groups="base.group_user",
    )
    create_uid = fields.Many2one(
        "res.users", string="Created by", readonly=True, groups="base.group_user"
    )
    write_uid = fields.Many2one(
        "res.users", string="Last Updated by", readonly=True, groups="base.group_user"
    )
    reversed_entry_id = fields.Many2one(
        "lp.ledger", string="Reverses", readonly=True, index="btree_not_null"
    )
    reversal_ids = fields.One2many("lp.ledger", "reversed_entry_id", readonly=True)
    allocation_ids = fields.One2many(
        "lp.ledger.allocation", "debit_id", string="Consumed credits", readonly=True
    )
    consumed_by_ids = fields.One2many(
        "lp.ledger.allocation", "credit_id", string="Consumed by", readonly=True
    )

    _source_unique = models.UniqueIndex(
        "(member_id, kind, source_key) WHERE source_key IS NOT NULL"
    )
    _open_credits = models.Index("(member_id, expiry_date, id) WHERE remaining > 0")
    _expiry_due = models.Index("(expiry_date) WHERE remaining > 0 AND NOT held")
    _hold_due = models.Index("(available_from) WHERE held")
    _remaining_valid = models.Constraint(
        "CHECK(remaining >= 0 AND (amount > 0 OR remaining = 0))",
        "A credit's remaining points stay between zero and its amount.",
    )
    _source_index = models.Index("(res_model, res_id) WHERE res_model IS NOT NULL")

    @api.depends("res_model", "res_id")
    def _compute_source_display(self):
        for entry in self:
            record = entry._source_record()
            entry.source_display = record.display_name if record else False

    @api.depends("kind", "amount")
    def _compute_display_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for entry in self:
            entry.display_name = f"{labels.get(entry.kind, '')} {entry.amount:+g}"

    # CRUD: the ledger is append-only

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get("lp_posting") is not POSTING:
            raise UserError(
                self.env._(
                    "Ledger entries are posted by loyalty operations (orders, "
                    "adjustments, bonuses), never created by hand."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        bookkeeping = {"remaining", "held"}
        if self.env.context.get("lp_posting") is not POSTING or set(vals) - bookkeeping:
            raise UserError(
                self.env._(
                    "Ledger entries cannot be changed. Post a correcting "
                    "entry (a manual adjustment or a reversal) instead."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._(
                "Ledger entries cannot be deleted. Post a correcting entry instead."
            )
        )

    # Helpers

    def _source_record(self):
        self.ensure_one()
        if self.res_model and self.res_id and self.res_model in self.env:
            record = self.env[self.res_model].browse(self.res_id).exists()
            return record.sudo(False) if record else record
        return False

    def _is_credit(self):
        return self.amount > 0
