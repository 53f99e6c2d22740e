from odoo.addons.point_of_sale.tests.common import TestPoSCommon


class PosLoyaltyCommon(TestPoSCommon):
    """A bonus program and a member, a session open on the basic till, and
    helpers that build orders as the till sends them (``sync_from_ui``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.config = cls.basic_config
        # The fixtures are set up by an administrator; the tests run as the
        # POS user of TestPoSCommon.
        admin_env = cls.env(su=True)
        cls.program = admin_env["lp.program"].create(
            {
                "name": "POS Club",
                "earn_rate": 10.0,
                "spend_cap_percent": 50.0,
                "hold_days": 14,
                "card_prefix": "27",
            }
        )
        admin_env["lp.tier"].create(
            {"name": "Base", "program_id": cls.program.id, "threshold": 0}
        )
        cls.excluded = cls.create_product("Tobacco", cls.categ_basic, 50.0)
        cls.program.earn_excluded_product_ids = cls.excluded
        cls.program = cls.program.with_env(cls.env)
        cls.item = cls.create_product("Tea", cls.categ_basic, 100.0)
        cls.customer = cls.env["res.partner"].create({"name": "Till Customer"})
        cls.member = admin_env["lp.member"].create(
            {"partner_id": cls.customer.id, "program_id": cls.program.id}
        )
        cls.member = cls.member.with_env(cls.env)
        cls.points_product = cls.env.ref("loyalty_program.product_lp_points_discount")

    def setUp(self):
        super().setUp()
        self.open_new_session()

    def order_data(self, lines, uuid=None, customer=None):
        return self.create_ui_order_data(
            lines, customer=customer or self.customer, uuid=uuid
        )

    def sync(self, *orders):
        self.env["pos.order"].sync_from_ui(list(orders))
        return self.env["pos.order"].search(
            [("uuid", "in", [order["uuid"] for order in orders])]
        )

    def goods(self, amount):
        """The lines a till sends for ``amount`` of tea."""
        return [{"product_id": self.item.id, "amount": amount}]

    def points_line(self, points):
        return {
            "product": self.points_product,
            "quantity": 1,
            "price_unit": -points,
            "price_subtotal": -points,
            "price_subtotal_incl": -points,
        }

    def share_line(self, amount):
        """The line a refund adds to keep back the points share (money)."""
        return {
            "product": self.points_product,
            "quantity": -1,
            "price_unit": -amount,
            "price_subtotal": amount,
            "price_subtotal_incl": amount,
        }

    def refund_line(self, line, quantity=1):
        return {
            "product": line.product_id,
            "quantity": -quantity,
            "refunded_orderline_id": line.id,
        }

    def gift(self, points, member=None):
        self.env["lp.ledger"]._post(
            [
                {
                    "member_id": (member or self.member).id,
                    "kind": "gift",
                    "amount": points,
                }
            ]
        )

    def exceptions(self, order):
        return self.env["lp.pos.exception"].sudo().search([("order_id", "=", order.id)])
