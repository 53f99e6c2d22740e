from odoo import fields, models


class LpMemberPhone(models.Model):
    """A phone a membership had: the one it enrolled with and every phone
    its customer had since (kept when the phone changes, the membership
    changes hands or two memberships are merged). ``welcome`` marks the
    phones of a membership that had the program's welcome bonus: such a
    phone never gets that bonus again, whatever the channel (back office,
    import, till, join page, a bot), even after its customer changed phone.
    Rows are written by ``lp.member`` only (SQL, one statement) and never
    deleted: the rule holds for ever."""

    _name = "lp.member.phone"
    _description = "Loyalty Member Phone"
    _order = "member_id, id"
    _rec_name = "phone"

    member_id = fields.Many2one(
        "lp.member", index=True, readonly=True, ondelete="set null"
    )
    program_id = fields.Many2one(
        "lp.program", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="program_id.company_id")
    phone = fields.Char(required=True, readonly=True, help="E.164.")
    date = fields.Datetime(
        string="Since", required=True, readonly=True, default=fields.Datetime.now
    )
    source = fields.Selection(
        [
            ("enrol", "Enrolment"),
            ("change", "Phone changed"),
            ("transfer", "Membership transferred"),
            ("migration", "Earlier data"),
        ],
        required=True,
        readonly=True,
    )
    welcome = fields.Boolean(
        string="Welcome bonus paid",
        readonly=True,
        help="This phone's membership had the welcome bonus: no membership of "
        "the program gets it again for this phone.",
    )

    _member_phone_unique = models.UniqueIndex("(member_id, phone)")
    _welcome_once = models.UniqueIndex(
        "(program_id, phone) WHERE welcome",
        "This phone already had the program's welcome bonus.",
    )
    _program_phone = models.Index("(program_id, phone)")
