from odoo import api, fields, models
from odoo.tools import SQL, format_date

# What a text's preview (no customer) assumes: one of the longest offers.
SAMPLE = {
    "offer": "x2 points on Freshly ground coffee 1 kg, +10% in points on Tea",
    "offer_product": "Freshly ground coffee 1 kg",
}
MAX_OFFERS = 3


class LpMessageDispatch(models.AbstractModel):
    """The customer's own offers in campaign and trigger texts: ``{offer}``
    (the rewards of the open offers made to them, the best first, three at
    most), ``{offer_product}`` (what the best one is on) and
    ``{offer_until}`` (the first of their ends), in the customer's
    language; empty for a customer without offers."""

    _inherit = "lp.message.dispatch"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _format(self, rows, lang):
        values = super()._format(rows, lang)
        partner_ids = {row["partner_id"] for row in rows if row.get("partner_id")}
        offers = self._lp_offer_texts(partner_ids, lang) if partner_ids else {}
        env = self.with_context(lang=lang).env
        for row, value in zip(rows, values, strict=True):
            if "partner_id" not in row:  # a preview's sample row
                value.update(
                    SAMPLE,
                    offer_until=format_date(env, fields.Date.today(), lang_code=lang),
                )
                continue
            value.update(
                offers.get(row["partner_id"])
                or {"offer": "", "offer_product": "", "offer_until": ""}
            )
        return values

    @api.model
    def _lp_offer_texts(self, partner_ids, lang, now=None):
        """{partner id: {offer, offer_product, offer_until}} of the open
        offers made to ``partner_ids`` (target group), in ``lang``: one
        query for all of them."""
        now = now or fields.Datetime.now()
        Row = self.env["lp.offer.member"]
        env = self.with_context(lang=lang).env
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT r.partner_id, o.reward_type,
                       COALESCE(NULLIF(r.reward_value, 0), o.reward_value),
                       %(what)s, r.valid_until
                  FROM lp_offer_member r
                  JOIN lp_offer o ON o.id = r.offer_id
                  %(names)s
                 WHERE r.partner_id IN %(partners)s AND r.state = 'active'
                   AND r."group" = 'target' AND r.date_start <= %(now)s
                   AND (r.valid_until IS NULL OR r.valid_until > %(now)s)
                   AND o.state = 'running' AND o.active
                 ORDER BY r.partner_id, r.expected_value DESC NULLS LAST,
                          r.date_start DESC, r.id
                """,
                what=Row._lp_what_sql(lang),
                names=Row._lp_names_join_sql(),
                partners=tuple(partner_ids),
                now=now,
            )
        )
        label = env["lp.offer"]._lp_label_for
        result = {}
        for partner_id, kind, value, what, until in self.env.cr.fetchall():
            texts = result.setdefault(
                partner_id, {"labels": [], "product": what or "", "ends": []}
            )
            if len(texts["labels"]) < MAX_OFFERS:
                texts["labels"].append(label(kind, value, what or ""))
            if until:
                texts["ends"].append(until)
        return {
            partner_id: {
                "offer": ", ".join(texts["labels"]),
                "offer_product": texts["product"],
                "offer_until": format_date(env, min(texts["ends"]), lang_code=lang)
                if texts["ends"]
                else "",
            }
            for partner_id, texts in result.items()
        }
