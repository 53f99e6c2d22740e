from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common_portal import PortalFixture


@tagged("post_install", "-at_install")
class TestPortalOutsider(PortalFixture, HttpCase):
    """What a customer reads of the program tells nothing about the other
    members (not their ids, not how many they are), and what she reads of
    her own history tells nothing about the staff: a manual adjustment
    shows its reason, not who made it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._lp_portal_setup()
        cls.staff = new_test_user(
            cls.env(su=True),
            login="lp_outsider_staff",
            groups="base.group_user,loyalty_program.group_lp_manager",
            name="Svetlana Staffova",
        )
        cls.adjustment = cls.member.with_user(cls.staff)._adjust(
            15, "Sorry for the broken cup"
        )

    def test_program_gives_no_member_ids(self):
        portal = self.portal_user
        program = self.program.with_user(portal)
        others = self.env["lp.member"].search([("id", "!=", self.member.id)])
        self.assertTrue(others)
        for model, records, fields in (
            ("lp.program", program, ("member_ids", "member_count", "card_next_serial")),
            ("lp.tier", program.tier_ids, ("member_count",)),
        ):
            for field in fields:
                with (
                    self.subTest(model=model, field=field),
                    self.assertRaises(AccessError),
                ):
                    records.read([field])
        with self.assertRaises(AccessError):
            self.env["lp.program"].with_user(portal).search(
                [("member_ids", "in", others.ids)]
            )
        # No other relation to the members is readable either.
        for records in (program, program.tier_ids):
            for name, field in records._fields.items():
                if field.comodel_name == "lp.member":
                    with self.subTest(field=name), self.assertRaises(AccessError):
                        records.read([name])
        # She counts herself only.
        self.assertEqual(self.env["lp.member"].with_user(portal).search_count([]), 1)

    def test_program_gives_no_member_ids_over_json_rpc(self):
        self.authenticate("lp_portal", "lp_portal")

        def read(fields):
            return self.make_jsonrpc_request(
                "/web/dataset/call_kw/lp.program/read",
                {
                    "model": "lp.program",
                    "method": "read",
                    "args": [self.program.ids, fields],
                    "kwargs": {},
                },
            )

        for field in ("member_ids", "member_count", "card_next_serial"):
            with self.subTest(field=field), self.assertRaises(JsonRpcException):
                read([field])
        (row,) = read(["name", "tier_ids", "point_value"])
        self.assertEqual(row["name"], "Portal Club")

    def test_adjustment_shows_its_reason_not_the_staff(self):
        entry = self.adjustment.with_user(self.portal_user)
        for field in ("user_id", "res_id", "source_display", "create_uid"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                entry.read([field])
        (row,) = entry.read(["kind", "amount", "reason", "date", "member_id"])
        self.assertEqual(row["reason"], "Sorry for the broken cup")
        self.assertNotIn("Svetlana", str(row))
        self.authenticate("lp_portal", "lp_portal")
        html = self.url_open("/my/loyalty").text
        history = html[html.index('id="lp_history"') :]
        self.assertIn("Sorry for the broken cup", history)
        self.assertIn("Manual adjustment", history)
        self.assertNotIn("Svetlana", html)
