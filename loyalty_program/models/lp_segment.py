import ast

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools import rfm

RELATION = "lp_segment_partner_rel"


class LpSegment(models.Model):
    """A set of customers a manager talks to: a rule (any domain on
    customers, built with the domain editor) or an RFM group.

    Membership is stored in ``lp_segment_partner_rel`` and refreshed by
    :meth:`_refresh` (nightly and on demand), so a segment opens at once and
    a mailing's audience is simply ``[('lp_segment_ids', 'in', [id])]``.
    Each refresh records the segment's size in ``lp.segment.size``."""

    _name = "lp.segment"
    _description = "Customer Segment"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    color = fields.Integer()
    description = fields.Text()
    kind = fields.Selection(
        [("rule", "Rule"), ("rfm", "RFM group")],
        required=True,
        default="rule",
    )
    rfm_group = fields.Selection(rfm.GROUPS, string="RFM group")
    domain = fields.Char(
        string="Customers",
        default="[]",
        required=True,
        help="Conditions on customers. For an RFM segment, extra conditions "
        "on top of the group.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    partner_ids = fields.Many2many(
        "res.partner",
        RELATION,
        "segment_id",
        "partner_id",
        string="Members",
        readonly=True,
        copy=False,
    )
    size = fields.Integer(readonly=True, copy=False)
    last_refresh = fields.Datetime(readonly=True, copy=False)
    auto_refresh = fields.Boolean(
        string="Refresh nightly",
        default=True,
        help="The nightly job refreshes the membership; otherwise only the "
        "Refresh button does.",
    )
    size_ids = fields.One2many("lp.segment.size", "segment_id", string="Size history")

    _rfm_group_set = models.Constraint(
        "CHECK(kind <> 'rfm' OR rfm_group IS NOT NULL)",
        "An RFM segment names its group.",
    )

    @api.constrains("domain", "kind", "rfm_group", "company_id")
    def _check_domain(self):
        for segment in self:
            try:
                segment._partner_query()
            except (ValueError, SyntaxError, TypeError, KeyError) as error:
                raise ValidationError(
                    self.env._(
                        "The conditions of %(segment)s are not valid: %(error)s",
                        segment=segment.name,
                        error=error,
                    )
                ) from error

    # Actions

    def action_refresh(self):
        self._check_manager()
        self._refresh()
        return True

    @api.readonly
    def action_view_partners(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": "res.partner",
            "view_mode": "list,kanban,form",
            "views": [
                (
                    self.env.ref("loyalty_program.res_partner_view_list_lp_segment").id,
                    "list",
                ),
                (False, "kanban"),
                (False, "form"),
            ],
            "domain": self._audience_domain(),
            "context": {"create": False},
        }

    @api.readonly
    def action_view_size_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_program.action_lp_segment_size"
        )
        action["domain"] = [("segment_id", "=", self.id)]
        return action

    def action_new_campaign(self):
        """A new campaign to this segment, in its company."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New campaign"),
            "res_model": "lp.campaign",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_segment_id": self.id,
                "default_name": self.name,
                "default_company_id": self.company_id.id,
            },
        }

    def action_new_email(self):
        return self._open_new_mailing("mail")

    def action_new_sms(self):
        return self._open_new_mailing("sms")

    # Business methods

    def _check_manager(self):
        if not self.env.user.has_group("loyalty_program.group_lp_manager"):
            raise AccessError(self.env._("Only loyalty managers can refresh segments."))

    def _audience_domain(self):
        """The partner domain of the segment's stored members: what a
        mailing targets."""
        self.ensure_one()
        return [("lp_segment_ids", "in", [self.id])]

    def _partner_domain(self):
        """The conditions that define the segment, evaluated in its company.
        Meant to be overridden to add segment kinds."""
        self.ensure_one()
        domain = Domain(ast.literal_eval(self.domain or "[]"))
        if self.kind == "rfm":
            domain &= Domain("lp_rfm_group", "=", self.rfm_group)
        return domain & Domain("company_id", "in", [False, self.company_id.id])

    def _partner_query(self):
        self.ensure_one()
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_company(self.company_id)
            .with_context(active_test=True)
        )
        query = partners._search(self._partner_domain())
        query.order = None
        return query

    def _refresh(self):
        """Store the current members of each segment set-based (only the
        difference is written) and record its size. Returns {id: size}."""
        self.env.flush_all()
        sizes = {}
        history = []
        now = fields.Datetime.now()
        for segment in self:
            self.env.cr.execute(
                SQL(
                    """
                    WITH target AS %(target)s,
                    removed AS (
                        DELETE FROM %(rel)s r
                         WHERE r.segment_id = %(id)s
                           AND NOT EXISTS (SELECT 1 FROM target t
                                            WHERE t.id = r.partner_id)
                     RETURNING 1
                    ),
                    added AS (
                        INSERT INTO %(rel)s (segment_id, partner_id)
                        SELECT %(id)s, t.id FROM target t
                        ON CONFLICT DO NOTHING
                     RETURNING 1
                    )
                    SELECT (SELECT COUNT(*) FROM target),
                           (SELECT COUNT(*) FROM added),
                           (SELECT COUNT(*) FROM removed)
                    """,
                    target=segment._partner_query().subselect(),
                    rel=SQL.identifier(RELATION),
                    id=segment.id,
                )
            )
            size, added, removed = self.env.cr.fetchone()
            sizes[segment.id] = size
            history.append(
                {
                    "segment_id": segment.id,
                    "date": now,
                    "size": size,
                    "added": added,
                    "removed": removed,
                }
            )
        self.env.invalidate_all()
        self.env["lp.segment.size"].sudo().create(history)
        for segment in self:
            segment.sudo().write({"size": sizes[segment.id], "last_refresh": now})
        return sizes

    def _prepare_mailing_values(self, mailing_type):
        """Values of a new ``mailing.mailing`` whose audience is the
        segment's customers who consented to that channel (email or SMS).
        Meant to be overridden."""
        self.ensure_one()
        consent = "lp_consent_sms" if mailing_type == "sms" else "lp_consent_email"
        return {
            "mailing_type": mailing_type,
            "subject": self.name,
            "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
            "mailing_domain": repr([*self._audience_domain(), (consent, "=", True)]),
        }

    def _open_new_mailing(self, mailing_type):
        self.ensure_one()
        mailing = self.env["mailing.mailing"].create(
            self._prepare_mailing_values(mailing_type)
        )
        view = (
            "mass_mailing_sms.mailing_mailing_view_form_sms"
            if mailing_type == "sms"
            else "mass_mailing.view_mail_mass_mailing_form"
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "mailing.mailing",
            "res_id": mailing.id,
            "view_mode": "form",
            "views": [(self.env.ref(view).id, "form")],
            "target": "current",
        }

    @api.model
    def _ensure_rfm_segments(self, companies):
        """Give each company without RFM segments the seven ready ones."""
        existing = self.with_context(active_test=False).search(
            [("kind", "=", "rfm"), ("company_id", "in", companies.ids)]
        )
        labels = dict(self._fields["rfm_group"]._description_selection(self.env))
        vals_list = []
        for company in companies - existing.company_id:
            for sequence, (group, _label) in enumerate(rfm.GROUPS, start=1):
                vals_list.append(
                    {
                        "name": labels[group],
                        "kind": "rfm",
                        "rfm_group": group,
                        "company_id": company.id,
                        "sequence": sequence,
                    }
                )
        return self.create(vals_list)

    @api.model
    def _refresh_scheduled(self, after_id=0, limit=1):
        """Refresh the next ``limit`` nightly segments with an id above
        ``after_id``; returns them (empty when all are done)."""
        segments = self.sudo().search(
            [("auto_refresh", "=", True), ("id", ">", after_id)],
            order="id",
            limit=limit,
        )
        segments._refresh()
        return segments
