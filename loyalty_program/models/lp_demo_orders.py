import uuid
from datetime import timedelta

from odoo import Command, fields, models
from odoo.tools import SQL, float_round

from ..tools import pos_refund


class LpDemo(models.AbstractModel):
    """Demo orders: POS orders as the till sends them (the points reserved
    first, a points discount line, the server side of ``sync_from_ui``),
    sales orders spending points on the quotation and confirmed, refunds of
    POS orders and cancellations of sales orders. Demo data only."""

    _inherit = "lp.demo"  # pylint: disable=consider-merging-classes-inherited

    def _demo_pos_config(self, xmlid):
        config = xmlid and self.env.ref(xmlid, raise_if_not_found=False)
        return config or self.env["pos.config"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )

    def _demo_products(self, config):
        """What the shop sells: the till's products with a price."""
        points = self.env.ref("loyalty_program.product_lp_points_discount")
        domain = [
            ("available_in_pos", "=", True),
            ("sale_ok", "=", True),
            ("list_price", ">", 1),
            ("id", "!=", points.id),
            ("company_id", "in", [False, self.env.company.id]),
        ]
        if config.limit_categories and config.iface_available_categ_ids:
            categories = [("pos_categ_ids", "in", config.iface_available_categ_ids.ids)]
            products = self.env["product.product"].search(domain + categories)
            if len(products) >= 5:
                return products
        return self.env["product.product"].search(domain, limit=40)

    def _demo_basket(self, state, target, partner=None, when=None):
        """Products and quantities worth about ``target`` (what ``partner``
        buys at ``when``; meant to be extended)."""
        rng = state["rng"]
        basket = []
        total = 0.0
        while total < target * 0.8 and len(basket) < 6:
            product = rng.choice(state["products"])
            qty = 1 if product.list_price > target / 2 else rng.randint(1, 2)
            basket.append((product, qty))
            total += product.list_price * qty
        return basket

    def _demo_target(self, state, partner):
        persona = state["personas"].get(partner.id, "regular")
        low, high = state["tickets"][persona]
        return state["rng"].uniform(low, high)

    # The till

    def _demo_session(self, state, when):
        if not state["session"]:
            session = self.env["pos.session"].create(
                {"config_id": state["config"].id, "user_id": self.env.uid}
            )
            # Stock moves once per session, at closing, not per order.
            session.update_stock_at_closing = True
            session.set_opening_control(0, "")
            state["session"] = session
            state["session_start"] = when
        return state["session"]

    def _demo_close_session(self, state, when):
        session = state["session"]
        if not session:
            return
        session.post_closing_cash_details(session.cash_register_balance_end)
        session.update_closing_control_state_session("")
        session.action_pos_session_closing_control()
        session.write({"start_at": state["session_start"], "stop_at": when})
        state["session"] = None

    def _demo_pos_line(self, state, product, qty, price=None, **extra):
        price = product.lst_price if price is None else price
        company = self.env.company
        taxes = product.taxes_id.filtered(lambda t: t.company_id == company)
        key = (product.id, qty, price)
        if key not in state["taxes"]:
            if taxes:
                amounts = taxes.compute_all(
                    price, company.currency_id, qty, product=product
                )
                state["taxes"][key] = (
                    amounts["total_excluded"],
                    amounts["total_included"],
                )
            else:
                state["taxes"][key] = (price * qty, price * qty)
        excluded, included = state["taxes"][key]
        return {
            "product_id": product.id,
            "qty": qty,
            "price_unit": price,
            "price_subtotal": excluded,
            "price_subtotal_incl": included,
            "tax_ids": [Command.set(taxes.ids)],
            "full_product_name": product.display_name,
            **extra,
        }

    def _demo_pos_sync(self, state, when, partner, lines, key):
        session = self._demo_session(state, when)
        total = sum(line["price_subtotal_incl"] for line in lines)
        excluded = sum(line["price_subtotal"] for line in lines)
        method = session.payment_method_ids.filtered(lambda m: m.type == "bank")[:1]
        order_uuid = key
        data = {
            "uuid": order_uuid,
            "name": f"Order {order_uuid}",
            "session_id": session.id,
            "partner_id": partner.id,
            "user_id": self.env.uid,
            "pricelist_id": state["config"].pricelist_id.id,
            "date_order": fields.Datetime.to_string(when),
            "amount_total": total,
            "amount_tax": total - excluded,
            "amount_paid": total,
            "amount_return": 0,
            "lines": [Command.create(line) for line in lines],
            "payment_ids": [
                Command.create(
                    {
                        "amount": total,
                        "payment_date": fields.Datetime.to_string(when),
                        "payment_method_id": (
                            method or session.payment_method_ids[:1]
                        ).id,
                    }
                )
            ],
            "last_order_preparation_change": "{}",
            "to_invoice": False,
        }
        # The server side of the till's sync (``sync_from_ui`` without the
        # answer to the browser): create, pay, post the points.
        return self.env["pos.order"].browse(
            self.env["pos.order"]._process_order(data, False)
        )

    def _demo_pos(self, state, when, partner, key, spend):
        basket = self._demo_basket(
            state, self._demo_target(state, partner), partner, when
        )
        lines = [self._demo_pos_line(state, p, q) for p, q in basket]
        # Random, not from the seeded story: orders of an earlier install
        # (uninstalled, reinstalled) keep their ids.
        order_uuid = str(uuid.uuid4())
        member = state["members"].get(partner.id)
        if member and spend and member.state == "active":
            till = [
                {
                    "product_id": line["product_id"],
                    "amount": line["price_subtotal_incl"],
                }
                for line in lines
            ]
            PosOrder = self.env["pos.order"]
            limit = PosOrder.lp_pos_spend_limit(member.id, order_uuid, till)
            points = float_round(limit["max_points"] * spend, precision_rounding=10)
            points = min(points, limit["max_points"])
            if points >= 100:
                PosOrder.lp_pos_reserve(
                    member.id, points, order_uuid, till, config_id=state["config"].id
                )
                value = points * member.program_id.point_value
                lines.append(
                    self._demo_pos_line(
                        state,
                        self.env.ref("loyalty_program.product_lp_points_discount"),
                        1,
                        price=-value,
                    )
                    | {"tax_ids": [Command.clear()]}
                    | {"price_subtotal": -value, "price_subtotal_incl": -value}
                )
        state["orders"][key] = self._demo_pos_sync(
            state, when, partner, lines, order_uuid
        )

    def _demo_refund(self, state, when, key):
        """Part of a POS order comes back (a sales order is cancelled)."""
        order = state["orders"].get(key)
        if not order:
            return
        if order._name == "sale.order":
            order._action_cancel()
            return
        points_product = self.env.ref("loyalty_program.product_lp_points_discount")
        goods = order.lines.filtered(lambda li: li.product_id != points_product)
        line = goods[:1]
        lines = [
            self._demo_pos_line(
                state,
                line.product_id,
                -1,
                price=line.price_unit,
                refunded_orderline_id=line.id,
            )
        ]
        # As the till does: the returned goods' share of the points discount
        # is kept back in money (a positive points line), given back as points.
        discount = order._lp_points_discount()
        program = order.lp_member_id.program_id
        if discount > 0 and program:
            share = pos_refund.refund_figures(
                [
                    pos_refund.Line(
                        li.price_subtotal_incl,
                        li.qty,
                        0,
                        1 if li == line else 0,
                        not program._is_excluded(li.product_id, "spend"),
                        not program._is_excluded(li.product_id, "earn"),
                    )
                    for li in goods
                ],
                discount,
            ).points_money
            if share:
                lines.append(
                    self._demo_pos_line(state, points_product, 1, price=share)
                    | {"tax_ids": [Command.clear()]}
                    | {"price_subtotal": share, "price_subtotal_incl": share}
                )
        refund_uuid = str(uuid.uuid4())
        self._demo_pos_sync(state, when, order.partner_id, lines, refund_uuid)

    # Sales orders

    def _demo_sale(self, state, when, partner, key, spend):
        basket = self._demo_basket(
            state, self._demo_target(state, partner) * 1.5, partner, when
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "date_order": when,
                "order_line": [
                    Command.create({"product_id": p.id, "product_uom_qty": q})
                    for p, q in basket
                ],
            }
        )
        member = state["members"].get(partner.id)
        if member and spend and member.state == "active" and order.lp_member_id:
            points = float_round(order._lp_max_points() * spend, precision_rounding=10)
            if points >= 100:
                order._lp_apply_points(min(points, order._lp_max_points()))
        order.action_confirm()
        order.date_order = when
        state["orders"][key] = order
        self.env.cr.execute(
            SQL(
                "UPDATE sale_order SET create_date = %s WHERE id = %s",
                when - timedelta(minutes=20),
                order.id,
            )
        )
