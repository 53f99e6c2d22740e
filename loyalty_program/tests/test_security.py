from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestSecurity(LoyaltyCase):
    def test_user_reads_but_cannot_touch_the_ledger(self):
        entry = self.credit(self.member, 10)
        as_user = entry.with_user(self.user)
        self.assertEqual(as_user.amount, 10.0)
        for operation in ("write", "create", "unlink"):
            with self.assertRaises(AccessError):
                as_user.check_access(operation)
        with self.assertRaises(AccessError):
            self.program.with_user(self.user).write({"earn_rate": 50})

    def test_companies_see_only_their_programs(self):
        other_company = self.env["res.company"].create({"name": "Other Shop"})
        other_program = self.env["lp.program"].create(
            {"name": "Other", "company_id": other_company.id, "card_prefix": "26"}
        )
        other_member = self.env["lp.member"].create(
            {"partner_id": self.partner.id, "program_id": other_program.id}
        )
        Program = self.env["lp.program"].with_user(self.manager)
        self.assertNotIn(other_program, Program.search([]))
        self.assertIn(self.program, Program.search([]))
        self.assertNotIn(
            other_member, self.env["lp.member"].with_user(self.manager).search([])
        )
        with self.assertRaises(AccessError):
            other_program.with_user(self.manager).read(["name"])

    def test_pos_user_reads_members_without_loyalty_group(self):
        cashier = new_test_user(
            self.env,
            login="lp_cashier",
            groups="base.group_user,point_of_sale.group_pos_user",
        )
        member = self.member.with_user(cashier)
        self.assertEqual(member.balance, 0.0)
        with self.assertRaises(AccessError):
            member.write({"state": "blocked"})
