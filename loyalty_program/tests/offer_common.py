from datetime import timedelta

from odoo import Command, fields

from .common_pos import PosLoyaltyCommon


class OfferMixin:
    """Offers made as an administrator would (running, no control group
    unless asked), for ``self.program``."""

    def make_offer(self, rows=(), **vals):
        """A running offer; ``rows``: members (or (member, row values)) it is
        made to (personal offers)."""
        admin = self.env(su=True)
        offer = admin["lp.offer"].create(
            {
                "name": "Offer",
                "program_id": self.program.id,
                "audience": "personal",
                "control_percent": 0.0,
                **vals,
            }
        )
        offer.write({"state": "running"})
        for row in rows:
            member, row_vals = row if isinstance(row, tuple) else (row, {})
            admin["lp.offer.member"].create(
                {"offer_id": offer.id, "member_id": member.id, **row_vals}
            )
        if offer.audience != "personal":
            offer._lp_fill_audience()
        return offer.with_env(self.env)

    def rows(self, offer, member=None):
        domain = [("offer_id", "=", offer.id)]
        if member:
            domain.append(("member_id", "=", member.id))
        return self.env["lp.offer.member"].sudo().search(domain)

    def offer_entries(self, member=None):
        return (
            self.env["lp.ledger"]
            .sudo()
            .search(
                [("member_id", "=", (member or self.member).id), ("kind", "=", "offer")]
            )
        )

    def days_ago(self, days):
        return fields.Datetime.now() - timedelta(days=days)


class OfferPosCommon(OfferMixin, PosLoyaltyCommon):
    """The till fixtures with coffee (150, category Drinks) next to the tea
    (100) and the offer discount product."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin = cls.env(su=True)
        cls.drinks = admin["product.category"].create(
            {"name": "Drinks", "parent_id": cls.categ_basic.id}
        )
        cls.coffee = cls.create_product("Coffee", cls.drinks, 150.0)
        cls.offer_product = cls.env.ref("loyalty_program.product_lp_offer_discount")

    def bought(self, member, days_ago, products, partner=None):
        """A paid till order of ``days_ago`` as history (created paid,
        without the loyalty posting)."""
        partner = partner if partner is not None else member.partner_id
        total = sum(product.lst_price * qty for product, qty in products)
        order = (
            self.env["pos.order"]
            .sudo()
            .create(
                {
                    "session_id": self.pos_session.id,
                    "partner_id": partner.id if partner else False,
                    "lines": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "qty": qty,
                                "price_unit": product.lst_price,
                                "price_subtotal": product.lst_price * qty,
                                "price_subtotal_incl": product.lst_price * qty,
                            }
                        )
                        for product, qty in products
                    ],
                    "amount_tax": 0.0,
                    "amount_total": total,
                    "amount_paid": total,
                    "amount_return": 0.0,
                }
            )
        )
        order.write(
            {
                "state": "paid",
                "date_order": fields.Datetime.now() - timedelta(days=days_ago),
            }
        )
        return order

    def discount_line(self, row, amount):
        """The line a till adds for ``amount`` off by the offer ``row``."""
        return {
            "product": self.offer_product,
            "quantity": 1,
            "price_unit": -amount,
            "price_subtotal": -amount,
            "price_subtotal_incl": -amount,
            "lp_offer_ref": row.id,
        }
