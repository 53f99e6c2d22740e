from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_round

from .lp_ledger import PRECISION

REASONS = [
    ("released", "Reservation released"),
    ("insufficient", "Not enough points"),
    ("over_cap", "Above the spending cap"),
    ("over_reserved", "Above the reservation"),
    ("member_inactive", "Member blocked or closed"),
    ("no_member", "No member to charge"),
    ("refund_money", "Points share refunded in money"),
    ("over_refund", "Refunded more than was sold"),
    ("offer_refused", "Offer discount not allowed"),
    ("error", "Could not be posted"),
]


class LpPosException(models.Model):
    """A paid POS order whose points could not be posted as the till rang
    them up (reservation released, points gone meanwhile, cap exceeded,
    member blocked, refund paid in money...). The order itself is saved;
    the loyalty manager settles the difference here: spend what the member
    has now, post a correcting entry, or accept the loss."""

    _name = "lp.pos.exception"
    _description = "Loyalty POS Exception"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state desc, id desc"
    _rec_name = "order_id"

    order_id = fields.Many2one(
        "pos.order", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    member_id = fields.Many2one("lp.member", readonly=True, index=True)
    partner_id = fields.Many2one(related="member_id.partner_id")
    reason = fields.Selection(REASONS, required=True, readonly=True)
    message = fields.Text(readonly=True)
    points_wanted = fields.Float(
        digits=(16, 2),
        readonly=True,
        help="Points the till counted on (the points discount given, or the "
        "points the refund should have kept back).",
    )
    points_posted = fields.Float(
        digits=(16, 2), readonly=True, help="Points actually posted for it."
    )
    points_available = fields.Float(
        digits=(16, 2),
        readonly=True,
        help="Points the member had free when the order arrived.",
    )
    points_missing = fields.Float(
        digits=(16, 2), compute="_compute_points_missing", store=True
    )
    amount = fields.Monetary(
        string="Money at stake",
        readonly=True,
        help="Value given away in money if nothing is settled.",
    )
    state = fields.Selection(
        [("open", "Open"), ("settled", "Settled")],
        default="open",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
    )
    resolution = fields.Selection(
        [
            ("spent", "Spent what was there"),
            ("corrected", "Correcting entry posted"),
            ("loss", "Loss accepted"),
        ],
        readonly=True,
        tracking=True,
    )
    settled_by_id = fields.Many2one("res.users", readonly=True)
    settled_date = fields.Datetime(readonly=True)
    entry_id = fields.Many2one("lp.ledger", string="Settling entry", readonly=True)

    _order_reason_unique = models.Constraint(
        "UNIQUE(order_id, reason)", "An order records each kind of exception once."
    )

    @api.depends("order_id")
    def _compute_display_name(self):
        # A loyalty manager need not have Point of Sale rights to see which
        # order it is.
        for exception in self:
            exception.display_name = exception.order_id.sudo().display_name

    @api.depends("points_wanted", "points_posted")
    def _compute_points_missing(self):
        for exception in self:
            exception.points_missing = max(
                0.0,
                float_round(
                    exception.points_wanted - exception.points_posted,
                    precision_rounding=PRECISION,
                ),
            )

    # Creation (by the posting of a POS order only)

    @api.model
    def _record(self, order, reason, member=None, **values):
        """Record (once per order and reason) what could not be posted, and
        put an activity on it for a loyalty manager. Returns the record."""
        exception = self.sudo().search(
            [("order_id", "=", order.id), ("reason", "=", reason)], limit=1
        )
        if exception:
            return exception
        exception = self.sudo().create(
            {
                "order_id": order.id,
                "member_id": member.id if member else False,
                "reason": reason,
                **values,
            }
        )
        exception._schedule_manager_activity()
        return exception

    def _schedule_manager_activity(self):
        managers = (
            self.env.ref("loyalty_program.group_lp_manager")
            .sudo()
            .user_ids.filtered(
                lambda u: not u.share and u.active and self.company_id in u.company_ids
            )
            .sorted("id")
        )
        manager = managers.filtered(lambda u: u.id != self.env.ref("base.user_root").id)
        if manager:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Till order needs a loyalty decision"),
                note=self.message,
                user_id=manager[0].id,
            )

    # Actions of the loyalty manager

    def _check_manager(self):
        if not self.env.user.has_group("loyalty_program.group_lp_manager"):
            raise AccessError(
                self.env._("Only loyalty managers can settle till exceptions.")
            )
        for exception in self:
            if exception.state != "open":
                raise UserError(self.env._("This exception is already settled."))
            if exception.company_id not in self.env.companies:
                raise AccessError(self.env._("This exception is of another company."))

    def _settle(self, resolution, entry=None):
        self.write(
            {
                "state": "settled",
                "resolution": resolution,
                "settled_by_id": self.env.uid,
                "settled_date": fields.Datetime.now(),
                "entry_id": entry.id if entry else False,
            }
        )
        self.activity_ids.action_feedback(
            feedback=dict(self._fields["resolution"]._description_selection(self.env))[
                resolution
            ]
        )

    def _missing_for_member(self):
        self.ensure_one()
        if not self.member_id:
            raise UserError(self.env._("No member is known for this order."))
        if not self.points_missing:
            raise UserError(self.env._("No points are missing on this order."))
        return self.member_id.sudo()

    def action_spend_available(self):
        """Spend, now, what the member has free of the missing points."""
        self._check_manager()
        for exception in self:
            member = exception._missing_for_member()
            free = member.balance - self.env["lp.reservation"]._reserved_points(member)
            points = float_round(
                min(exception.points_missing, max(free, 0.0)),
                precision_rounding=PRECISION,
            )
            if points <= 0:
                raise UserError(
                    self.env._(
                        "%(member)s has no points free to spend now.",
                        member=member.display_name,
                    )
                )
            entry = member._spend(
                points,
                source=exception.order_id,
                source_key=f"lp.pos.exception:{exception.id}:spend",
                reason=exception.message,
            )
            exception._settle("spent", entry)
        return True

    def action_post_correction(self):
        """A correcting entry: a manual adjustment taking back the missing
        points, as many as the balance holds (never below zero)."""
        self._check_manager()
        for exception in self:
            member = exception._missing_for_member()
            points = float_round(
                min(exception.points_missing, member.balance),
                precision_rounding=PRECISION,
            )
            if points <= 0:
                raise UserError(
                    self.env._(
                        "%(member)s has no points to take back.",
                        member=member.display_name,
                    )
                )
            entry = member.with_user(self.env.user)._adjust(
                -points,
                self.env._(
                    "Correction of till order %(order)s: %(reason)s",
                    order=exception.order_id.sudo().name,
                    reason=exception.message,
                ),
            )
            exception._settle("corrected", entry)
        return True

    def action_accept_loss(self):
        """Close the exception without taking any points."""
        self._check_manager()
        self._settle("loss")
        return True
