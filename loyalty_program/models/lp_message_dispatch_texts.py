from markupsafe import Markup, escape

from odoo import api, models
from odoo.tools import SQL, format_date

from ..tools import placeholders


class LpMessageDispatch(models.AbstractModel):
    """Texts of the dispatch: placeholder values in the customer's
    language, SMS parts of the rendered texts."""

    _inherit = "lp.message.dispatch"  # pylint: disable=consider-merging-classes-inherited

    # Texts

    @api.model
    def _format(self, rows, lang):
        """Placeholder values of ``rows`` (dicts with the snapshot columns),
        formatted in ``lang``: numbers grouped as the language writes them,
        the tier's translated name, dates in the language's format."""
        env = self.with_context(lang=lang).env
        res_lang = env["res.lang"]._lang_get(lang) or env["res.lang"]._lang_get("en_US")
        tier_ids = {row["tier_id"] for row in rows if row.get("tier_id")}
        tiers = {
            tier.id: tier.name
            for tier in env["lp.tier"].sudo().browse(tier_ids).exists()
        }

        cache = {}

        def points(value):
            value = value or 0.0
            if value not in cache:
                digits = 0 if float(value).is_integer() else 2
                cache[value] = res_lang.format(f"%.{digits}f", value, grouping=True)
            return cache[value]

        def date(value):
            if not value:
                return ""
            if value not in cache:
                cache[value] = format_date(env, value, lang_code=res_lang.code)
            return cache[value]

        values = []
        for row in rows:
            name = row.get("name") or ""
            values.append(
                {
                    "name": name,
                    "first_name": name.split(" ")[0],
                    "balance": points(row.get("balance")),
                    "tier": tiers.get(row.get("tier_id"), ""),
                    "expiring_points": points(row.get("expiring_points")),
                    "expiring_date": date(row.get("expiring_date")),
                    "gift_points": points(row.get("gift_points")),
                    "card_ending": row.get("card_ending") or "",
                }
            )
        return values

    @api.model
    def _render_texts(self, source, recipients, format_rows=None, row_of=None):
        """{recipient id: {'sms', 'subject', 'html'}}: the templates of
        ``source`` (``sms_body``, ``email_subject``, ``email_body``, read in
        each recipient's language) filled with the placeholder values
        ``format_rows(rows, lang)`` (default :meth:`_format`) of the rows
        ``row_of(recipient)`` (default ``recipient._placeholder_row()``);
        the e-mail ends with the unsubscribe link."""
        format_rows = format_rows or self._format
        result = {}
        for lang, group in recipients.grouped(lambda r: r.lang or "en_US").items():
            texts = source.with_context(lang=lang)
            rows = [
                row_of(recipient) if row_of else recipient._placeholder_row()
                for recipient in group
            ]
            footer = Markup('<p style="font-size: 12px;"><a href="%s">%s</a></p>') % (
                "/unsubscribe_from_list",
                texts.env._("Unsubscribe"),
            )
            for recipient, values in zip(group, format_rows(rows, lang), strict=True):
                html = placeholders.render(
                    texts.email_body or "", values, escape=lambda v: str(escape(v))
                )
                result[recipient.id] = {
                    "sms": placeholders.render(texts.sms_body or "", values),
                    "subject": placeholders.render(texts.email_subject or "", values),
                    "html": Markup(html) + footer,
                }
        return result

    @api.model
    def _count_sms_parts(
        self, owner, template_for_lang, format_rows=None, join=None, columns=None
    ):
        """Render the SMS of each target, control or scheduled row of
        ``owner`` on the SMS channel with ``template_for_lang(lang)``, store
        the text (``sms_rendered``: what the mailing sends) and the parts of
        the SMS as the operator will get it (:meth:`_store_sms_parts`), and
        return (longest SMS as sent, its parts, total parts of the rows
        that get it). The values are ``format_rows(rows, lang)`` (default
        :meth:`_format`) of the rows read, with ``columns`` ({key: SQL})
        from ``join`` (SQL) added to the snapshot columns."""
        format_rows = format_rows or self._format
        columns = columns or {}
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT r.id, COALESCE(r.lang, 'en_US'), rp.name, r.balance,
                       r.tier_id, r.expiring_points, r.expiring_date,
                       r.gift_points, r.card_ending, r.is_control, r.mailing_id %s
                  FROM lp_campaign_recipient r
                  JOIN res_partner rp ON rp.id = r.partner_id
                  %s
                 WHERE %s AND r.channel = 'sms'
                   AND r.state IN ('target', 'control', 'scheduled')
                """,
                SQL("").join(SQL(", %s", column) for column in columns.values()),
                join or SQL(),
                self._owner_sql(owner),
            )
        )
        keys = [
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
            "mailing_id",
            *columns,
        ]
        by_lang = {}
        for row in cr.fetchall():
            by_lang.setdefault(row[1], []).append(dict(zip(keys, row, strict=True)))
        rendered = []
        for lang, rows in by_lang.items():
            template = template_for_lang(lang) or ""
            for row, values in zip(rows, format_rows(rows, lang), strict=True):
                rendered.append(
                    (
                        row["id"],
                        lang,
                        placeholders.render(template, values),
                        row["mailing_id"],
                        row["is_control"],
                    )
                )
        return self._store_sms_parts(rendered, store_text=True)
