from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tools.amount_words import amount_in_words

EXPIRY_HORIZON_DAYS = 90


def check_document_access(env, records):
    """Loyalty users print the documents of their companies' members; anyone
    else (a portal customer) only their own, or their business customer's
    (``lp.member._lp_own_domain``), never a colleague's. Returns ``records``
    readable by the report (sudo once the check passed)."""
    if env.user.has_group("loyalty_program.group_lp_user"):
        records.check_access("read")
        return records.sudo()
    partner = env.user.partner_id
    own = partner | partner.commercial_partner_id
    if any(r.partner_id not in own for r in records.sudo()):
        raise AccessError(env._("You can only print your own loyalty documents."))
    return records.sudo()


def default_statement_period(today):
    """The previous calendar month: a statement's period when none is given."""
    first = today.replace(day=1)
    end = first - timedelta(days=1)
    return end.replace(day=1), end


class ReportMemberStatement(models.AbstractModel):
    """A member's statement for a period: opening balance, every entry with
    the running balance, closing balance, the points about to expire and
    the tier; money amounts in figures and in words, in the customer's
    language. The period comes from the report's ``data`` (``date_from``,
    ``date_to``), else from the context keys ``lp_statement_from`` /
    ``lp_statement_to`` (a mail template's attachment), else the previous
    calendar month."""

    _name = "report.loyalty_program.report_member_statement"
    _description = "Loyalty Member Statement"

    @api.model
    def _period(self, data):
        data = data or {}
        ctx = self.env.context
        date_from = fields.Date.to_date(
            data.get("date_from") or ctx.get("lp_statement_from")
        )
        date_to = fields.Date.to_date(data.get("date_to") or ctx.get("lp_statement_to"))
        if not (date_from and date_to):
            date_from, date_to = default_statement_period(
                fields.Date.context_today(self)
            )
        if date_from > date_to:
            raise UserError(
                self.env._("A statement's period cannot end before it starts.")
            )
        return date_from, date_to

    @api.model
    def _statement(self, member, date_from, date_to):
        """The figures of ``member``'s statement (points and money)."""
        start = fields.Datetime.to_datetime(date_from)
        end = fields.Datetime.to_datetime(date_to + timedelta(days=1))
        Ledger = self.env["lp.ledger"].sudo()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT COALESCE(SUM(amount), 0) FROM lp_ledger "
                "WHERE member_id = %s AND date < %s",
                member.id,
                start,
            )
        )
        opening = self.env.cr.fetchone()[0]
        entries = Ledger.search(
            [("member_id", "=", member.id), ("date", ">=", start), ("date", "<", end)],
            order="date, id",
        )
        lines = []
        running = opening
        for entry in entries:
            running = round(running + entry.amount, 2)
            lines.append({"entry": entry, "balance": running})
        today = fields.Date.context_today(self)
        groups = Ledger._read_group(
            [
                ("member_id", "=", member.id),
                ("remaining", ">", 0),
                ("expiry_date", ">=", today),
                ("expiry_date", "<=", today + timedelta(days=EXPIRY_HORIZON_DAYS)),
            ],
            ["expiry_date:day"],
            ["remaining:sum"],
            order="expiry_date:day",
        )
        history = (
            self.env["lp.tier.history"]
            .sudo()
            .search(
                [("member_id", "=", member.id), ("date", "<", end)],
                order="date desc, id desc",
                limit=1,
            )
        )
        value = member.program_id.point_value
        return {
            "opening": opening,
            "closing": running,
            "opening_value": opening * value,
            "closing_value": running * value,
            "lines": lines,
            "credits": sum(e.amount for e in entries if e.amount > 0),
            "debits": -sum(e.amount for e in entries if e.amount < 0),
            "expiring": [(day, points) for day, points in groups],
            "tier": history.new_tier_id or member.tier_id,
        }

    @api.model
    def _get_report_values(self, docids, data=None):
        members = check_document_access(self.env, self.env["lp.member"].browse(docids))
        date_from, date_to = self._period(data)
        statements = {m.id: self._statement(m, date_from, date_to) for m in members}
        return {
            "doc_ids": docids,
            "doc_model": "lp.member",
            "docs": members,
            "date_from": date_from,
            "date_to": date_to,
            "statements": statements,
            "expiry_horizon": EXPIRY_HORIZON_DAYS,
            "in_words": lambda amount, member: amount_in_words(
                amount, member.currency_id.name, member.partner_id.lang or self.env.lang
            ),
        }
