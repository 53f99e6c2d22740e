from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class LoyaltySaleCase(AccountTestInvoicingCommon):
    """A company with a chart of accounts, a bonus program (5%, cap 50%, hold
    14 days), taxes of 10% and 20%, products, a member with 500 points, a
    salesperson and an invoicing user. Orders are handled by the
    salesperson; invoices are posted, paid and refunded by the invoicing
    user. No demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        company = cls.env.company
        Lp = cls.env(su=True)
        cls.program = Lp["lp.program"].create(
            {
                "name": "Sale Club",
                "company_id": company.id,
                "program_type": "bonus",
                "point_value": 1.0,
                "earn_rate": 5.0,
                "spend_cap_percent": 50.0,
                "hold_days": 14,
                "lifetime_days": 365,
                "card_prefix": "27",
            }
        )
        Lp["lp.tier"].create(
            [
                {"name": "Base", "program_id": cls.program.id, "threshold": 0},
                {
                    "name": "Gold",
                    "program_id": cls.program.id,
                    "threshold": 100000,
                    "earn_rate": 10.0,
                },
            ]
        )
        Tax = cls.env["account.tax"]
        cls.tax10, cls.tax20 = Tax.create(
            [
                {"name": "VAT 10%", "amount_type": "percent", "amount": 10.0},
                {"name": "VAT 20%", "amount_type": "percent", "amount": 20.0},
            ]
        )
        cls.product10 = cls._create_sale_product("Kettle", 100.0, cls.tax10)
        cls.product20 = cls._create_sale_product("Toaster", 200.0, cls.tax20)
        cls.product_no_spend = cls._create_sale_product("Gift card", 50.0, cls.tax10)
        cls.product_no_earn = cls._create_sale_product("Tobacco", 40.0, cls.tax10)
        cls.program.write(
            {
                "spend_excluded_product_ids": [Command.set(cls.product_no_spend.ids)],
                "earn_excluded_product_ids": [Command.set(cls.product_no_earn.ids)],
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Maria Petrova",
                "property_account_receivable_id": cls.company_data[
                    "default_account_receivable"
                ].id,
            }
        )
        cls.member = Lp["lp.member"].create(
            {"partner_id": cls.customer.id, "program_id": cls.program.id}
        )
        cls.salesman = new_test_user(
            cls.env,
            login="lp_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=company.id,
        )
        cls.invoicer = new_test_user(
            cls.env,
            login="lp_invoicer",
            groups="account.group_account_invoice",
            company_id=company.id,
        )

    @classmethod
    def _create_sale_product(cls, name, price, tax):
        return cls._create_product(
            name=name,
            lst_price=price,
            taxes_id=[Command.set(tax.ids)],
            invoice_policy="order",
        )

    # Helpers

    def credit(self, member, points, key=None):
        """Credit ``points`` spendable now (a gift)."""
        return self.env["lp.ledger"]._post(
            [
                {
                    "member_id": member.id,
                    "kind": "gift",
                    "amount": points,
                    "source_key": key,
                }
            ]
        )

    def as_salesman(self, records):
        return records.with_user(self.salesman)

    def make_order(self, lines, partner=None):
        """A quotation made by the salesperson: ``lines`` is [(product, qty)]."""
        return (
            self.env["sale.order"]
            .with_user(self.salesman)
            .create(
                {
                    "partner_id": (partner or self.customer).id,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": qty}
                        )
                        for product, qty in lines
                    ],
                }
            )
        )

    def apply_points(self, order, points):
        """Through the wizard, as the salesperson does."""
        action = order.action_lp_open_spend_wizard()
        wizard = (
            self.env["lp.sale.spend.wizard"]
            .with_user(order.env.user)
            .with_context(**action["context"])
            .create({"points": points})
        )
        wizard.action_apply()
        return wizard

    def invoice(self, order):
        """The salesperson invoices, the invoicing user posts."""
        invoice = order._create_invoices()
        invoice = invoice.with_user(self.invoicer)
        invoice.action_post()
        return invoice

    def pay(self, invoice):
        return (
            self.env["account.payment.register"]
            .with_user(self.invoicer)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({})
            ._create_payments()
        )

    def credit_note(self, invoice, quantities=None, drop=None):
        """A credit note of ``invoice`` posted by the invoicing user;
        ``quantities`` {product: qty} makes it partial (lines of other
        products are kept whole, a product mapped to 0 is dropped), as does
        ``drop``, a predicate on the lines to remove."""
        reversal = (
            self.env["account.move.reversal"]
            .with_user(self.invoicer)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "return"})
            .reverse_moves()
        )
        refund = (
            self.env["account.move"].with_user(self.invoicer).browse(reversal["res_id"])
        )
        if quantities:
            commands = []
            for line in refund.invoice_line_ids:
                if line.product_id in quantities:
                    qty = quantities[line.product_id]
                    commands.append(
                        Command.update(line.id, {"quantity": qty})
                        if qty
                        else Command.delete(line.id)
                    )
            refund.write({"invoice_line_ids": commands})
        if drop:
            refund.write(
                {
                    "invoice_line_ids": [
                        Command.delete(line.id)
                        for line in refund.invoice_line_ids
                        if drop(line)
                    ]
                }
            )
        refund.action_post()
        return refund

    def entries(self, order, kind=None):
        """What ``order`` earned and spent (``kind`` one of them)."""
        kinds = [kind] if kind else ["earn", "spend"]
        return (
            self.env["lp.ledger"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "sale.order"),
                    ("res_id", "=", order.id),
                    ("kind", "in", kinds),
                ]
            )
        )

    def reversals_of(self, entries):
        return (
            self.env["lp.ledger"]
            .sudo()
            .search([("reversed_entry_id", "in", entries.ids)])
        )

    def assertConsistent(self, members):
        problems = self.env["lp.ledger"]._check_consistency(members.ids)
        self.assertEqual(problems, [], "stored balances differ from the ledger")
