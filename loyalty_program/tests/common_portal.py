import base64
from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user

# A 1x1 PNG: products with a picture.
PIXEL = base64.b64encode(
    base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
)


class PortalFixture:
    """A bonus program open to joining, with tiers (Silver gives 5% off), and
    a portal customer whose account holds: the welcome bonus, an older
    purchase (spendable), a big purchase (on hold, reaching Silver), a
    purchase with the Silver discount paid partly with points, and a gift.

    Figures: balance 145 (100 welcome - 30 spent + 50 + 25 gift), pending
    2,046 (2,000 + 46), tier spend 41,920, Silver, 58,080 to Gold (41%),
    saved 30 (points) + 50 (tier discount) = 80."""

    PHONE = "+79120001122"

    @classmethod
    def _lp_portal_setup(cls):
        env = cls.env(su=True)
        env.company.country_id = env.ref("base.ru")
        env["lp.program"].search([]).active = False
        cls.program = env["lp.program"].create(
            {
                "name": "Portal Club",
                "program_type": "bonus",
                "point_value": 1.0,
                "earn_rate": 5.0,
                "spend_cap_percent": 50.0,
                "hold_days": 14,
                "lifetime_days": 365,
                "welcome_points": 100.0,
                "welcome_lifetime_days": 30,
                "card_prefix": "27",
            }
        )
        Tier = env["lp.tier"]
        cls.tier_base = Tier.create(
            {"name": "Base", "program_id": cls.program.id, "threshold": 0}
        )
        cls.tier_silver = Tier.create(
            {
                "name": "Silver",
                "program_id": cls.program.id,
                "threshold": 30000,
                "discount_percent": 5.0,
            }
        )
        cls.tier_gold = Tier.create(
            {"name": "Gold", "program_id": cls.program.id, "threshold": 100000}
        )
        cls.manager = new_test_user(
            env,
            login="lp_portal_manager",
            groups="base.group_user,loyalty_program.group_lp_manager",
            name="Loyalty Manager",
        )
        cls.program.feedback_user_id = cls.manager
        cls.portal_user = new_test_user(
            env,
            login="lp_portal",
            groups="base.group_portal",
            name="Maria Petrova",
            email="maria@example.com",
        )
        cls.customer = cls.portal_user.partner_id
        cls.customer.phone = cls.PHONE
        cls.member = cls._lp_enrol(cls.customer)
        cls.other_user = new_test_user(
            env,
            login="lp_portal_other",
            groups="base.group_portal",
            name="Oleg Sidorov",
        )
        cls.other_user.partner_id.phone = "+79120003344"
        cls.other_member = cls._lp_enrol(cls.other_user.partner_id)
        Product = env["product.product"]
        cls.tea = Product.create(
            {
                "name": "LP Portal Tea",
                "list_price": 20000,
                "taxes_id": False,
                "image_1920": PIXEL,
            }
        )
        cls.cup = Product.create(
            {"name": "LP Portal Cup", "list_price": 1000, "taxes_id": False}
        )
        member = cls.member
        now = fields.Datetime.now()
        old_order = cls._lp_order(cls.cup, 1)
        member._earn(
            1000, source=old_order, source_key="t:old", date=now - timedelta(days=30)
        )
        cls.big_order = cls._lp_order(cls.tea, 2)
        member._earn(40000, source=cls.big_order, source_key="t:big")
        # Silver now: the next order's line gets the 5% tier discount.
        cls.discount_order = cls._lp_order(cls.cup, 1)
        member._spend(30, source=cls.discount_order, source_key="t:disc:spend")
        member._earn(920, source=cls.discount_order, source_key="t:disc:earn")
        member._grant("gift", 25, 60, source_key="t:gift")

    @classmethod
    def _lp_enrol(cls, partner):
        env = cls.env(su=True)
        card = env["lp.card"].create(
            {"program_id": cls.program.id, "card_type": "virtual"}
        )
        return env["lp.member"]._enrol(partner, cls.program, card=card, source="portal")

    @classmethod
    def _lp_order(cls, product, qty):
        return (
            cls.env["sale.order"]
            .sudo()
            .create(
                {
                    "partner_id": cls.customer.id,
                    "order_line": [
                        fields.Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": qty,
                                "tax_ids": False,
                            }
                        )
                    ],
                }
            )
        )
