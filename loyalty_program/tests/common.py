from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, new_test_user


class LoyaltyCase(TransactionCase):
    """A bonus program with three tiers, a manager, a user and members.
    No demo data is used."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.program = cls.env["lp.program"].create(
            {
                "name": "Test Club",
                "program_type": "bonus",
                "point_value": 1.0,
                "earn_rate": 5.0,
                "spend_cap_percent": 50.0,
                "hold_days": 14,
                "lifetime_days": 365,
                "welcome_points": 100.0,
                "welcome_lifetime_days": 30,
                "birthday_points": 200.0,
                "card_prefix": "27",
            }
        )
        Tier = cls.env["lp.tier"]
        cls.tier_base = Tier.create(
            {"name": "Base", "program_id": cls.program.id, "threshold": 0}
        )
        cls.tier_silver = Tier.create(
            {
                "name": "Silver",
                "program_id": cls.program.id,
                "threshold": 30000,
                "earn_rate": 7.0,
            }
        )
        cls.tier_gold = Tier.create(
            {
                "name": "Gold",
                "program_id": cls.program.id,
                "threshold": 100000,
                "earn_rate": 10.0,
            }
        )
        cls.manager = new_test_user(
            cls.env,
            login="lp_manager",
            groups="base.group_user,loyalty_program.group_lp_manager",
        )
        cls.user = new_test_user(
            cls.env,
            login="lp_user",
            groups="base.group_user,loyalty_program.group_lp_user",
        )
        cls.partner = cls.env["res.partner"].create(
            {"name": "Anna Ivanova", "phone": "+7 912 345 67 89"}
        )
        # Joined before the welcome bonus existed: its balance starts at 0.
        cls.member = cls.env["lp.member"]._enrol(
            cls.partner, cls.program, welcome=False
        )

    # Helpers

    def credit(self, member, points, kind="gift", expiry_days=None, key=None):
        """Credit ``points`` spendable now, expiring in ``expiry_days``."""
        expiry = (
            fields.Date.today() + timedelta(days=expiry_days)
            if expiry_days is not None
            else False
        )
        return self.env["lp.ledger"]._post(
            [
                {
                    "member_id": member.id,
                    "kind": kind,
                    "amount": points,
                    "expiry_date": expiry,
                    "source_key": key,
                }
            ]
        )

    def assertConsistent(self, members=None):
        problems = self.env["lp.ledger"]._check_consistency(
            members.ids if members is not None else None
        )
        self.assertEqual(problems, [], "stored balances differ from the ledger")
