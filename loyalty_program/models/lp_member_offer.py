from datetime import datetime, timedelta

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

# An offer row without an end keeps the hint this far ahead.
OPEN_ENDED_DAYS = 3650


class LpMember(models.Model):
    """A member's offers: the hint that spares the till's member path any
    statement when the member has none, the open rows of an order, and the
    plain values the till, the portal and the bot show."""

    _inherit = "lp.member"  # pylint: disable=consider-merging-classes-inherited

    offer_until = fields.Datetime(
        string="Offers until",
        readonly=True,
        copy=False,
        help="Technical: no offer made to this member applies after this "
        "moment (empty: none was ever made). Written with the rows; read with "
        "the member row, so a member without offers costs the till nothing.",
    )

    def write(self, vals):
        if "offer_until" in vals:
            raise UserError(
                self.env._("The offers of a member follow the rows made to them.")
            )
        return super().write(vals)

    def _lp_offer_hint(self):
        """Write ``offer_until`` of these members from their active target
        rows (set-based: the generators call it for whole batches)."""
        if not self.ids:
            return
        self.env["lp.offer.member"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE lp_member m SET offer_until = x.until
                  FROM (SELECT m2.id,
                               MAX(COALESCE(r.valid_until, %(far)s)) AS until
                          FROM lp_member m2
                          LEFT JOIN lp_offer_member r
                            ON r.member_id = m2.id AND r.state = 'active'
                           AND r."group" = 'target'
                         WHERE m2.id IN %(ids)s
                         GROUP BY m2.id) x
                 WHERE m.id = x.id AND m.offer_until IS DISTINCT FROM x.until
                """,
                far=fields.Datetime.now() + timedelta(days=OPEN_ENDED_DAYS),
                ids=tuple(self.ids),
            )
        )
        self.invalidate_recordset(["offer_until"])

    def _lp_may_have_offers(self, now=None):
        """False when no offer can apply to this member now: read from the
        member row itself, no statement of its own."""
        self.ensure_one()
        now = now or fields.Datetime.now()
        return bool(self.offer_until and self.offer_until > now)

    def _lp_offers_values(self, now=None, channel=None):
        """The member's offers that apply now, as plain values (for the
        till's panel, the portal and the bot): ``id`` (the row), ``offer_id``,
        ``offer`` (its name), ``label`` (the reward on what),
        ``reward_type``, ``value``, ``what`` (the products or category),
        ``product_id``, ``categ_id``, ``valid_until`` (ISO, or False),
        ``uses_left`` (None: no limit). One statement."""
        self.ensure_one()
        Row = self.env["lp.offer.member"].sudo()
        label = self.env["lp.offer"]._lp_label_for
        result = []
        for c in Row._lp_candidates(self, now, channel):
            value = c.row_value or c.reward_value
            limit = c.uses_per_customer
            result.append(
                {
                    "id": c.row_id,
                    "offer_id": c.offer_id,
                    "offer": c.offer_name,
                    "label": label(c.reward_type, value, c.what or ""),
                    "reward_type": c.reward_type,
                    "value": value,
                    "what": c.what or "",
                    "product_id": c.product_id or False,
                    "categ_id": c.categ_id or False,
                    "valid_until": c.valid_until and c.valid_until.isoformat(),
                    "uses_left": max(limit - c.use_count, 0) if limit else None,
                }
            )
        return result

    def _lp_pos_info(self, order_key=None, reservation=None):
        info = super()._lp_pos_info(order_key, reservation)
        # No statement at all for a member without offers (the hint).
        info["offers"] = (
            self._lp_offers_values(channel="pos") if self._lp_may_have_offers() else []
        )
        return info

    def _lp_portal_values(self):
        values = super()._lp_portal_values()
        values["offers"] = self._lp_portal_offers()
        return values

    def _lp_portal_offers(self):
        """The customer's offers as the personal account lists them: the
        reward on what, until when (in the customer's language)."""
        self.ensure_one()
        offers = self._lp_offers_values(channel=None)
        for offer in offers:
            until = offer["valid_until"] and datetime.fromisoformat(
                offer["valid_until"]
            )
            offer["until_text"] = (
                self.env._(
                    "until %(date)s",
                    date=format_date(
                        self.env, fields.Datetime.context_timestamp(self, until).date()
                    ),
                )
                if until
                else ""
            )
        return offers
