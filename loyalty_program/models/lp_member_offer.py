from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

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

    def _lp_open_offer_rows(self, now=None, channel=None, lock=False):
        """The member's rows that may apply now (target group, active, the
        offer running and in its dates), in id order; ``lock``: locked
        for the posting of an order (``FOR NO KEY UPDATE``: a concurrent
        posting that changed one of them makes this fail to serialize)."""
        self.ensure_one()
        now = now or fields.Datetime.now()
        Row = self.env["lp.offer.member"].sudo()
        if not self._lp_may_have_offers(now):
            return Row
        Row.flush_model()
        self.env["lp.offer"].flush_model()
        today = fields.Date.context_today(self, now)
        self.env.cr.execute(
            SQL(
                """
                SELECT r.id FROM lp_offer_member r
                  JOIN lp_offer o ON o.id = r.offer_id
                 WHERE r.member_id = %(member)s AND r.state = 'active'
                   AND r."group" = 'target' AND r.date_start <= %(now)s
                   AND (r.valid_until IS NULL OR r.valid_until > %(now)s)
                   AND o.state = 'running' AND o.active
                   AND (o.date_from IS NULL OR o.date_from <= %(today)s)
                   AND (o.date_to IS NULL OR o.date_to >= %(today)s)
                   AND %(channel)s
                 ORDER BY r.id
                   %(lock)s
                """,
                member=self.id,
                now=now,
                today=today,
                channel=SQL("o.channel IN ('any', %s)", channel)
                if channel
                else SQL("TRUE"),
                lock=SQL("FOR NO KEY UPDATE OF r") if lock else SQL(""),
            ),
            log_exceptions=not lock,
        )
        rows = Row.browse([row[0] for row in self.env.cr.fetchall()])
        if lock:
            rows.invalidate_recordset(["use_count", "given_points", "given_discount"])
        return rows

    def _lp_offers_values(self, now=None, channel=None):
        """The member's offers that apply now, as plain values (for the
        till's panel, the portal and the bot): ``id`` (the row), ``offer``,
        ``label`` (the reward on what), ``reward_type``, ``value``,
        ``product`` / ``category`` (names), ``product_id``, ``categ_id``,
        ``valid_until`` (ISO, or False), ``uses_left`` (None: no limit)."""
        self.ensure_one()
        result = []
        for row in self._lp_open_offer_rows(now, channel):
            offer = row.offer_id
            limit = offer.uses_per_customer
            what = (
                row.product_id.name
                or row.categ_id.name
                or ", ".join(
                    (offer.product_ids.mapped("name") + offer.categ_ids.mapped("name"))[
                        :3
                    ]
                )
            )
            value = row.reward_value or offer.reward_value
            result.append(
                {
                    "id": row.id,
                    "offer_id": offer.id,
                    "offer": offer.name,
                    "label": offer._lp_label(value, what),
                    "reward_type": offer.reward_type,
                    "value": value,
                    "product": row.product_id.name or "",
                    "category": row.categ_id.name or "",
                    "product_id": row.product_id.id,
                    "categ_id": row.categ_id.id,
                    "valid_until": row.valid_until and row.valid_until.isoformat(),
                    "uses_left": max(limit - row.use_count, 0) if limit else None,
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
