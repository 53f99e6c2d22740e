from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class LpFeedback(models.Model):
    """A wish, question or complaint a customer sends from the personal
    account. It lands with the loyalty manager (a message on the membership
    and a to-do activity); the manager's answer shows in the account."""

    _name = "lp.feedback"
    _description = "Loyalty Customer Feedback"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        readonly=True,
        ondelete="cascade",
        default=lambda self: self.env.user.partner_id,
    )
    member_id = fields.Many2one(
        "lp.member", index=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", readonly=True, default=lambda self: self.env.company
    )
    kind = fields.Selection(
        [("wish", "Wish"), ("question", "Question"), ("complaint", "Complaint")],
        required=True,
        default="question",
        readonly=True,
    )
    body = fields.Text(string="Message", required=True, readonly=True)
    state = fields.Selection(
        [("new", "New"), ("answered", "Answered"), ("closed", "Closed")],
        default="new",
        required=True,
        tracking=True,
        index=True,
    )
    answer = fields.Text(tracking=True)
    answer_date = fields.Datetime(readonly=True)
    answer_user_id = fields.Many2one("res.users", string="Answered by", readonly=True)

    _body_not_empty = models.Constraint(
        "CHECK(length(btrim(body)) > 0)", "A message cannot be empty."
    )

    @api.depends("kind", "partner_id")
    def _compute_display_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for feedback in self:
            feedback.display_name = (
                f"{labels.get(feedback.kind, '')}: {feedback.partner_id.name or ''}"
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.user._is_internal():
            partner = self.env.user.partner_id
            for vals in vals_list:
                # A customer writes in their own name only; the rest is set here.
                vals["partner_id"] = partner.id
                vals.pop("answer", None)
                vals.pop("state", None)
                vals.pop("member_id", None)
        feedbacks = super().create(vals_list)
        feedbacks.sudo()._lp_route_to_manager()
        return feedbacks

    def write(self, vals):
        if not self.env.user._is_internal() and not self.env.su:
            raise AccessError(self.env._("Only the loyalty team can change a message."))
        return super().write(vals)

    # Actions

    def action_send_answer(self):
        """Publish the answer to the customer's account and close the to-do."""
        for feedback in self:
            if not (feedback.answer or "").strip():
                raise UserError(self.env._("Write an answer first."))
        self.write(
            {
                "state": "answered",
                "answer_date": fields.Datetime.now(),
                "answer_user_id": self.env.uid,
            }
        )
        for feedback in self:
            feedback.activity_feedback(
                ["mail.mail_activity_data_todo"],
                feedback=self.env._("Answered in the customer's account."),
            )
            feedback.member_id.sudo().message_post(
                body=self.env._(
                    "%(user)s answered %(feedback)s.",
                    user=self.env.user.name,
                    feedback=feedback.display_name,
                )
            )

    def action_close(self):
        self.write({"state": "closed"})
        self.activity_unlink(["mail.mail_activity_data_todo"])

    # Business methods

    def _lp_manager(self):
        """Who handles the message: the program's feedback handler, else the
        first loyalty manager of the company. Meant to be overridden."""
        self.ensure_one()
        user = self.member_id.program_id.feedback_user_id
        if user:
            return user
        group = self.env.ref("loyalty_program.group_lp_manager")
        return group.user_ids.filtered(
            lambda u: (
                u.active
                and not u._is_superuser()
                and u._is_internal()
                and (not self.company_id or self.company_id in u.company_ids)
            )
        ).sorted("id")[:1]

    def _lp_route_to_manager(self):
        """Find the membership, post a message on it and schedule a to-do for
        the loyalty manager."""
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for feedback in self:
            if not feedback.member_id:
                # The writer's own membership, else their business
                # customer's (shared); never a colleague's.
                partner = feedback.partner_id
                Member = self.env["lp.member"]
                feedback.member_id = Member.search(
                    [*Member._lp_own_domain(partner), ("state", "!=", "closed")]
                ).sorted(lambda m, p=partner: (m.partner_id != p, m.id))[:1]
            kind = labels.get(feedback.kind, "")
            feedback.member_id.message_post(
                body=self.env._(
                    "%(kind)s from the personal account: %(body)s",
                    kind=kind,
                    body=feedback.body,
                ),
                subtype_xmlid="mail.mt_note",
            )
            manager = feedback._lp_manager()
            feedback.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Answer the customer (%(kind)s)", kind=kind),
                note=feedback.body,
                user_id=manager.id or self.env.ref("base.user_admin").id,
            )
