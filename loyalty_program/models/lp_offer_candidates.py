from collections import namedtuple

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import offers
from .lp_offer import WEEKDAYS

# One open row of a member with what deciding on it needs (its offer's
# terms and limits, its counters, the names shown), read in one statement.
Candidate = namedtuple(
    "Candidate",
    "row_id offer_id offer_name generator product_id categ_id what row_value "
    "row_min_qty use_count given_points given_discount date_start told valid_until "
    "done reward_type reward_value min_qty min_amount basket_min weekdays "
    "hour_from hour_to channel order_cap customer_cap uses_per_customer "
    "max_uses first_purchase product_ids categ_ids",
)


class LpOfferMember(models.Model):
    """The open rows of a member as plain values, read (and, for a posting,
    locked) in one statement: the till's lookup and every order's posting
    pay one query for a member's offers, whatever their number."""

    _inherit = "lp.offer.member"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _lp_candidates(self, member, now=None, channel=None, key=None, lock=False):
        """:class:`Candidate` of each open row of ``member`` (target group,
        active, the offer running and in its dates), in row id order.
        ``key``: an order's posting key (``done``: the row was used by that
        order already); ``lock``: lock the rows (``FOR NO KEY UPDATE``: a
        concurrent posting that changed one makes this fail to serialize
        under REPEATABLE READ)."""
        now = now or fields.Datetime.now()
        if not member._lp_may_have_offers(now):
            return []
        self.flush_model()
        self.env["lp.offer"].flush_model()
        lang = self.env.lang or "en_US"
        self.env.cr.execute(
            SQL(
                """
                SELECT r.id, o.id, %(offer_name)s, o.generator, r.product_id,
                       r.categ_id,
                       %(what)s,
                       r.reward_value, r.min_qty, COALESCE(r.use_count, 0),
                       COALESCE(r.given_points, 0), COALESCE(r.given_discount, 0),
                       r.date_start, COALESCE(r.notified_date, r.date_start),
                       r.valid_until,
                       EXISTS (SELECT 1 FROM lp_offer_use u
                                WHERE u.offer_member_id = r.id AND u.key = %(key)s),
                       o.reward_type, o.reward_value, o.min_qty, o.min_amount,
                       o.basket_min, %(days)s, o.hour_from, o.hour_to, o.channel,
                       o.order_cap, o.customer_cap, o.uses_per_customer, o.max_uses,
                       o.first_purchase,
                       ARRAY(SELECT product_product_id FROM lp_offer_product_product_rel
                              WHERE lp_offer_id = o.id),
                       ARRAY(SELECT product_category_id
                               FROM lp_offer_product_category_rel
                              WHERE lp_offer_id = o.id)
                  FROM lp_offer_member r
                  JOIN lp_offer o ON o.id = r.offer_id
                  %(names)s
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
                offer_name=self._lp_name_sql("o", lang),
                what=self._lp_what_sql(lang),
                names=self._lp_names_join_sql(),
                key=key or "",
                days=SQL(
                    "ARRAY[%s]",
                    SQL(", ").join(
                        SQL.identifier("o", f"on_{day}") for day in WEEKDAYS
                    ),
                ),
                member=member.id,
                now=now,
                today=fields.Date.context_today(self, now),
                channel=SQL("o.channel IN ('any', %s)", channel)
                if channel
                else SQL("TRUE"),
                lock=SQL("FOR NO KEY UPDATE OF r") if lock else SQL(""),
            ),
            log_exceptions=not lock,
        )
        return [Candidate(*row) for row in self.env.cr.fetchall()]

    @api.model
    def _lp_name_sql(self, alias, lang):
        """SQL: the translated ``name`` of the table ``alias`` in ``lang``."""
        return SQL(
            "COALESCE(%s.name->>%s, %s.name->>'en_US')",
            SQL.identifier(alias),
            lang,
            SQL.identifier(alias),
        )

    @api.model
    def _lp_names_join_sql(self):
        """The joins :meth:`_lp_what_sql` reads (row ``r``)."""
        return SQL(
            """
            LEFT JOIN product_product rpp ON rpp.id = r.product_id
            LEFT JOIN product_template pt ON pt.id = rpp.product_tmpl_id
            LEFT JOIN product_category rc ON rc.id = r.categ_id
            """
        )

    @api.model
    def _lp_what_sql(self, lang):
        """SQL: what a row (``r``, its offer ``o``, the joins of
        :meth:`_lp_names_join_sql`) is about, as people read it: its own
        product or category, else its offer's (three at most)."""
        return SQL(
            """
            COALESCE(%(product)s, rc.name, (
              SELECT string_agg(x.name, ', ') FROM (
                SELECT %(own)s AS name
                  FROM lp_offer_product_product_rel rel
                  JOIN product_product opp ON opp.id = rel.product_product_id
                  JOIN product_template pt2 ON pt2.id = opp.product_tmpl_id
                 WHERE rel.lp_offer_id = o.id
                UNION ALL
                SELECT oc.name FROM lp_offer_product_category_rel rel
                  JOIN product_category oc ON oc.id = rel.product_category_id
                 WHERE rel.lp_offer_id = o.id
                LIMIT 3) x))
            """,
            product=self._lp_name_sql("pt", lang),
            own=self._lp_name_sql("pt2", lang),
        )

    @api.model
    def _lp_candidate_terms(self, candidate):
        """The :class:`~..tools.offers.Terms` of a candidate: the row's own
        product, category, value and minimum quantity over its offer's."""
        c = candidate
        products, categories = frozenset(c.product_ids), frozenset(c.categ_ids)
        if c.product_id or c.categ_id:
            products = frozenset([c.product_id] if c.product_id else [])
            categories = frozenset([c.categ_id] if c.categ_id else [])
        return offers.Terms(
            product_ids=products,
            categ_ids=categories,
            min_qty=c.row_min_qty or c.min_qty or 0.0,
            min_amount=c.min_amount or 0.0,
            basket_min=c.basket_min or 0.0,
            weekdays=frozenset(i for i, on in enumerate(c.weekdays) if on),
            hour_from=c.hour_from or 0.0,
            hour_to=24.0 if c.hour_to is None else c.hour_to,
            channel=c.channel,
            reward_type=c.reward_type,
            value=c.row_value or c.reward_value,
            order_cap=c.order_cap or 0.0,
        )
