from datetime import timedelta

from odoo import Command, fields

from .common import LoyaltyCase


class StatsCase(LoyaltyCase):
    """Loyalty fixtures plus helpers that build purchase histories from
    confirmed sales orders, and run the nightly job in the transaction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.product = cls.env["product.product"].create(
            {"name": "Stats Widget", "list_price": 1.0, "taxes_id": [Command.clear()]}
        )
        cls.stats_config = cls.env["lp.stats.config"]._for_companies(cls.env.company)

    @classmethod
    def make_partner(cls, name, **vals):
        return cls.env["res.partner"].create({"name": name, **vals})

    @classmethod
    def sale(cls, partner, amount, days_ago=0):
        """A confirmed sales order of ``amount`` (no tax) dated ``days_ago``
        days back."""
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "product_uom_qty": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        if days_ago:
            order.date_order = fields.Datetime.now() - timedelta(days=days_ago)
        cls.refresh_queued()
        return order

    @classmethod
    def refresh_queued(cls):
        """What runs once the order's transaction commits (tests never
        commit): refresh the customers the orders queued."""
        cls.env["lp.customer.stats.queue"].sudo()._process()

    def run_nightly(self):
        self.env["lp.customer.stats"]._run_all(today=self.today)

    def stats(self, partner, company=None):
        return self.env["lp.customer.stats"].search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", (company or self.env.company).id),
            ]
        )

    def days(self, n):
        return self.today - timedelta(days=n)
