from markupsafe import Markup, escape

from odoo import models
from odoo.tools import SQL, format_amount, format_date

from ..tools import placeholders, sms_parts

ROW_KEYS = (
    "id",
    "lang",
    "name",
    "balance",
    "tier_id",
    "expiring_points",
    "expiring_date",
    "gift_points",
    "card_ending",
    "is_control",
    "points",
    "occasion_date",
    "amount",
)


class LpTrigger(models.Model):
    """Texts of a trigger: the campaign placeholders (formatted by the
    dispatch) plus the occasion's own: ``{points}`` (birthday bonus,
    points expiring, welcome bonus, points earned), ``{date}`` (birthday,
    expiry, last day to keep the tier, purchase) and ``{spend_left}``."""

    _inherit = "lp.trigger"  # pylint: disable=consider-merging-classes-inherited

    def _values(self, rows, lang):
        """Placeholder values of ``rows`` (dicts of :data:`ROW_KEYS`)."""
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
        result = {}
        for lang, group in recipients.grouped(lambda r: r.lang or "en_US").items():
            trigger = self.with_context(lang=lang)
            rows = []
            for recipient in group:
                row = recipient._placeholder_row()
                message = recipient.trigger_message_id
                row.update(
                    points=message.points,
                    occasion_date=message.occasion_date,
                    amount=message.amount,
                )
                rows.append(row)
            footer = Markup('<p style="font-size: 12px;"><a href="%s">%s</a></p>') % (
                "/unsubscribe_from_list",
                trigger.env._("Unsubscribe"),
            )
            for recipient, values in zip(group, self._values(rows, lang), strict=True):
                html = placeholders.render(
                    trigger.email_body or "", values, escape=lambda v: str(escape(v))
                )
                result[recipient.id] = {
                    "sms": placeholders.render(trigger.sms_body or "", values),
                    "subject": placeholders.render(trigger.email_subject or "", values),
                    "html": Markup(html) + footer,
                }
        return result

    def _count_trigger_sms_parts(self, run):
        """Render the SMS of the run's target and control rows on the SMS
        channel and store their parts (what the SMS cost is counted from).
        Returns the total parts of the target rows."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT r.id, COALESCE(r.lang, 'en_US'), rp.name, r.balance,
                       r.tier_id, r.expiring_points, r.expiring_date,
                       r.gift_points, r.card_ending, r.is_control,
                       x.points, x.occasion_date, x.amount
                  FROM lp_campaign_recipient r
                  JOIN res_partner rp ON rp.id = r.partner_id
                  JOIN lp_trigger_message x ON x.id = r.trigger_message_id
                 WHERE r.trigger_run_id = %s AND r.channel = 'sms'
                   AND r.state IN ('target', 'control')
                """,
                run.id,
            )
        )
        by_lang = {}
        for row in cr.fetchall():
            by_lang.setdefault(row[1], []).append(dict(zip(ROW_KEYS, row, strict=True)))
        ids, counts, total = [], [], 0
        for lang, rows in by_lang.items():
            template = self.with_context(lang=lang).sms_body or ""
            for row, values in zip(rows, self._values(rows, lang), strict=True):
                parts = sms_parts.count(placeholders.render(template, values)).parts
                ids.append(row["id"])
                counts.append(parts)
                total += 0 if row["is_control"] else parts
        if ids:
            cr.execute(
                SQL(
                    """
                    UPDATE lp_campaign_recipient r SET sms_parts = u.parts
                      FROM unnest(%s::int[], %s::int[]) AS u(id, parts)
                     WHERE r.id = u.id
                    """,
                    ids,
                    counts,
                )
            )
            self.env["lp.campaign.recipient"].invalidate_model(["sms_parts"])
        return total
