from odoo import models
from odoo.tools import SQL, format_amount, format_date


class LpTrigger(models.Model):
    """Texts of a trigger: the campaign placeholders (formatted by the
    dispatch) plus the occasion's own: ``{points}`` (birthday bonus,
    points expiring, welcome bonus, points earned), ``{date}`` (birthday,
    expiry, last day to keep the tier, purchase) and ``{spend_left}``."""

    _inherit = "lp.trigger"  # pylint: disable=consider-merging-classes-inherited

    def _values(self, rows, lang):
        """Placeholder values of ``rows`` (the snapshot columns with the
        occasion's ``points``, ``occasion_date`` and ``amount``)."""
        self.ensure_one()
        env = self.with_context(lang=lang).env
        values = env["lp.message.dispatch"]._format(rows, lang)
        res_lang = env["res.lang"]._lang_get(lang) or env["res.lang"]._lang_get("en_US")
        currency = self.company_id.currency_id
        for row, value in zip(rows, values, strict=True):
            points = row.get("points") or 0.0
            digits = 0 if float(points).is_integer() else 2
            value.update(
                points=res_lang.format(f"%.{digits}f", points, grouping=True),
                date=format_date(env, row["occasion_date"], lang_code=res_lang.code)
                if row.get("occasion_date")
                else "",
                spend_left=format_amount(
                    env, row.get("amount") or 0.0, currency, lang_code=res_lang.code
                ),
            )
        return values

    def _render_recipients(self, recipients):
        """{recipient id: {'sms', 'subject', 'html'}} in each one's language."""
        self.ensure_one()
        return self.env["lp.message.dispatch"]._render_texts(
            self, recipients, format_rows=self._values, row_of=self._occasion_row
        )

    def _occasion_row(self, recipient):
        """The recipient's snapshot row with its occasion's facts."""
        message = recipient.trigger_message_id
        return dict(
            recipient._placeholder_row(),
            points=message.points,
            occasion_date=message.occasion_date,
            amount=message.amount,
        )

    def _count_trigger_sms_parts(self, run):
        """Render the SMS of the run's target and control rows on the SMS
        channel and store their parts (what the SMS cost is counted from).
        Returns the total parts of the target rows."""
        self.ensure_one()
        return self.env["lp.message.dispatch"]._count_sms_parts(
            {"trigger_run_id": run.id},
            lambda lang: self.with_context(lang=lang).sms_body,
            format_rows=self._values,
            join=SQL("JOIN lp_trigger_message x ON x.id = r.trigger_message_id"),
            columns={
                "points": SQL("x.points"),
                "occasion_date": SQL("x.occasion_date"),
                "amount": SQL("x.amount"),
            },
        )[2]
