from odoo.tests import new_test_user, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestWelcomeEveryChannel(LoyaltyCase):
    """The welcome bonus is credited whenever a member joins (backend form,
    import, till, web), once, as the program says."""

    def welcome(self, member):
        return member.ledger_ids.filtered(lambda e: e.kind == "welcome")

    def test_backend_creation_by_a_loyalty_user(self):
        partner = self.env["res.partner"].create({"name": "Backend"})
        member = (
            self.env["lp.member"]
            .with_user(self.user)
            .create({"partner_id": partner.id, "program_id": self.program.id})
        )
        self.assertEqual(self.welcome(member).amount, 100.0)
        self.assertEqual(member.balance, 100.0)
        self.assertEqual(
            self.welcome(member).expiry_date.toordinal() - member.join_date.toordinal(),
            30,
        )
        # Once: enrolling again or crediting again changes nothing.
        self.env["lp.member"]._enrol(partner, self.program)
        member._welcome()
        self.assertEqual(len(self.welcome(member)), 1)
        self.assertEqual(member.balance, 100.0)

    def test_import(self):
        partners = self.env["res.partner"].create(
            [{"name": "Imported One"}, {"name": "Imported Two"}]
        )
        result = (
            self.env["lp.member"]
            .with_user(self.user)
            .with_context(import_file=True)
            .load(
                ["partner_id/.id", "program_id/.id", "enrol_source"],
                [[str(p.id), str(self.program.id), "import"] for p in partners],
            )
        )
        self.assertFalse(result["messages"], result["messages"])
        members = self.env["lp.member"].browse(result["ids"])
        self.assertEqual(members.mapped("balance"), [100.0, 100.0])
        self.assertEqual(
            len(members.ledger_ids.filtered(lambda e: e.kind == "welcome")), 2
        )

    def test_till_and_web_go_through_the_same_creation(self):
        cashier = new_test_user(
            self.env,
            login="lp_welcome_cashier",
            groups="base.group_user,point_of_sale.group_pos_user",
        )
        info = (
            self.env["pos.order"]
            .with_user(cashier)
            .lp_pos_enrol({"name": "At the till", "phone": "+7 912 000 11 22"})
        )
        self.assertEqual(info["balance"], 100.0)
        portal_partner = self.env["res.partner"].create({"name": "On the web"})
        member = (
            self.env["lp.member"]
            .sudo()
            ._enrol(portal_partner, self.program, source="portal")
        )
        self.assertEqual(member.balance, 100.0)

    def test_program_setting(self):
        partner = self.env["res.partner"].create({"name": "No welcome"})
        self.program.welcome_points = 0.0
        member = self.env["lp.member"].create(
            {"partner_id": partner.id, "program_id": self.program.id}
        )
        self.assertFalse(self.welcome(member))
        discount = self.env["lp.program"].create(
            {
                "name": "Discounts",
                "program_type": "discount",
                "welcome_points": 50.0,
                "card_prefix": "25",
            }
        )
        member = self.env["lp.member"].create(
            {"partner_id": partner.id, "program_id": discount.id}
        )
        self.assertFalse(self.welcome(member))
        self.assertEqual(member.balance, 0.0)


@tagged("post_install", "-at_install")
class TestNightlyConsistencyCheck(LoyaltyCase):
    """The ledger check runs every night; a discrepancy (which should never
    happen) becomes a to-do activity for the loyalty manager."""

    def test_discrepancy_becomes_an_activity_for_the_manager(self):
        cron = self.env.ref("loyalty_program.cron_lp_check_consistency")
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        self.credit(self.member, 50, key="a")
        self.assertIs(cron.method_direct_trigger(), True)
        self.assertFalse(self.member.activity_ids)
        # Someone writes a balance under the ORM.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE lp_member SET balance = 500 WHERE id = %s", [self.member.id]
        )
        self.member.invalidate_recordset()
        self.assertEqual(cron.code.strip(), "model._cron_check_consistency()")
        self.assertEqual(cron.model_id.model, "lp.ledger")
        Ledger = self.env["lp.ledger"].with_user(cron.user_id)
        with self.assertLogs(
            "odoo.addons.loyalty_program.models.lp_ledger_jobs", "WARNING"
        ):
            problems = Ledger._cron_check_consistency()
        self.assertEqual([row[0] for row in problems], [self.member.id])
        activity = self.member.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.summary, "Loyalty balance differs from the ledger")
        self.assertTrue(activity.user_id.has_group("loyalty_program.group_lp_manager"))
        self.assertIn("500", str(activity.note))
        # The next night does not pile up another one.
        with self.assertLogs(
            "odoo.addons.loyalty_program.models.lp_ledger_jobs", "WARNING"
        ):
            Ledger._cron_check_consistency()
        self.assertEqual(len(self.member.activity_ids), 1)
        # The manager sees it in their own to-do list.
        mine = (
            self.env["mail.activity"]
            .with_user(activity.user_id)
            .search([("res_model", "=", "lp.member"), ("res_id", "=", self.member.id)])
        )
        self.assertEqual(mine, activity)
