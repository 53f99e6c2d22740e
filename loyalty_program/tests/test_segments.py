from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .stats_common import StatsCase


@tagged("post_install", "-at_install")
class TestSegments(StatsCase):
    """Segment membership, refresh, size history and mailing audience."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.olga = cls.make_partner(
            "Olga Seg", email="olga@example.com", lp_consent_sms=True
        )
        cls.petr = cls.make_partner(
            "Petr Seg", email="petr@example.com", lp_consent_sms=True
        )
        cls.rita = cls.make_partner(
            "Rita Seg", email="rita@example.com", lp_consent_sms=False
        )
        for partner in (cls.olga, cls.petr, cls.rita):
            cls.sale(partner, 100, days_ago=30)
            cls.sale(partner, 100, days_ago=10)
        cls.segment = cls.env["lp.segment"].create(
            {
                "name": "Repeat buyers who accept SMS",
                "domain": repr(
                    [("lp_consent_sms", "=", True), ("lp_purchase_count", ">=", 2)]
                ),
            }
        )
        cls.marketer = new_test_user(
            cls.env,
            login="lp_marketer",
            groups="base.group_user,loyalty_program.group_lp_manager,"
            "mass_mailing.group_mass_mailing_user",
        )

    def members(self, segment):
        self.env.cr.execute(
            "SELECT partner_id FROM lp_segment_partner_rel WHERE segment_id = %s "
            "ORDER BY partner_id",
            [segment.id],
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def test_membership_follows_changes(self):
        self.segment.with_user(self.manager).action_refresh()
        self.assertEqual(self.segment.partner_ids, self.olga | self.petr)
        self.assertEqual(self.segment.size, 2)
        self.assertIn(self.segment, self.olga.lp_segment_ids)
        # Olga withdraws her consent, Rita gives hers; Petr cancels a purchase
        self.olga.lp_consent_sms = False
        self.rita.lp_consent_sms = True
        self.env["sale.order"].search(
            [("partner_id", "=", self.petr.id)], limit=1
        )._action_cancel()
        self.refresh_queued()
        self.segment._refresh()
        self.assertEqual(self.segment.partner_ids, self.rita)
        self.assertEqual(self.segment.size, 1)
        last = self.segment.size_ids[:1]
        self.assertRecordValues(last, [{"size": 1, "added": 1, "removed": 2}])

    def test_refresh_is_idempotent(self):
        self.segment._refresh()
        first = self.members(self.segment)
        self.segment._refresh()
        self.assertEqual(self.members(self.segment), first)
        self.assertEqual(len(first), 2)
        self.assertEqual(len(self.segment.size_ids), 2, "one size record per refresh")
        self.assertRecordValues(
            self.segment.size_ids.sorted("id"),
            [
                {"size": 2, "added": 2, "removed": 0},
                {"size": 2, "added": 0, "removed": 0},
            ],
        )

    def test_rfm_segment(self):
        lost = self.make_partner("Lost Seg")
        self.sale(lost, 50, days_ago=500)
        self.run_nightly()
        segment = self.env.ref("loyalty_program.segment_rfm_lost")
        self.assertEqual(segment.company_id, self.env.company)
        self.assertIn(lost, segment.partner_ids)
        self.assertNotIn(self.olga, segment.partner_ids)
        expected = self.env["res.partner"].search([("lp_rfm_group", "=", "lost")])
        self.assertEqual(segment.partner_ids, expected)
        self.assertEqual(segment.size, len(expected))
        # the seven groups are ready segments
        ready = self.env["lp.segment"].search(
            [("kind", "=", "rfm"), ("company_id", "=", self.env.company.id)]
        )
        self.assertEqual(
            sorted(ready.mapped("rfm_group")),
            sorted(
                ["new", "active", "loyal", "champions", "at_risk", "sleeping", "lost"]
            ),
        )

    def test_new_company_gets_rfm_segments(self):
        company = self.env["res.company"].create({"name": "Segments Co"})
        self.env["lp.stats.config"]._for_companies(company)
        segments = (
            self.env["lp.segment"].sudo().search([("company_id", "=", company.id)])
        )
        self.assertEqual(len(segments), 7)
        self.assertEqual(set(segments.mapped("kind")), {"rfm"})

    def test_segment_rules_on_tier_balance_birthday(self):
        self.credit(self.member, 250)
        self.partner.lp_birthday = "1990-05-17"
        segment = self.env["lp.segment"].create(
            {
                "name": "Base tier, May birthdays, 200+ points",
                "domain": repr(
                    [
                        ("lp_tier_id", "=", self.tier_base.id),
                        ("lp_birthday_month", "=", 5),
                        ("lp_balance", ">=", 200),
                    ]
                ),
            }
        )
        segment._refresh()
        self.assertEqual(segment.partner_ids, self.partner)

    def test_invalid_domain_is_refused(self):
        with self.assertRaises(ValidationError):
            self.env["lp.segment"].create(
                {"name": "Broken", "domain": "[('no_such_field', '=', 1)]"}
            )
        with self.assertRaises(ValidationError):
            self.env["lp.segment"].create({"name": "Broken", "domain": "[('name', '="})

    def test_mailing_audience_is_the_segment(self):
        """The segment's Email and SMS buttons reach only its customers who
        consented to that channel."""
        self.petr.lp_consent_email = True
        self.segment._refresh()
        segment = self.segment.with_user(self.marketer)
        expected = {"mail": self.petr, "sms": self.olga | self.petr}
        for mailing_type in ("mail", "sms"):
            action = (
                segment.action_new_email()
                if mailing_type == "mail"
                else segment.action_new_sms()
            )
            mailing = (
                self.env["mailing.mailing"]
                .with_user(self.marketer)
                .browse(action["res_id"])
            )
            self.assertEqual(mailing.mailing_type, mailing_type)
            self.assertEqual(mailing.mailing_model_real, "res.partner")
            self.assertEqual(
                sorted(mailing._get_recipients()), sorted(expected[mailing_type].ids)
            )
        # the audience follows the stored membership and consent at send time
        self.petr.lp_consent_sms = False
        self.assertEqual(mailing._get_recipients(), self.olga.ids)
        self.olga.lp_consent_sms = False
        self.segment._refresh()
        self.assertEqual(mailing._get_recipients(), [])

    def test_access(self):
        segment_as_user = self.segment.with_user(self.user)
        self.assertEqual(segment_as_user.name, self.segment.name)
        with self.assertRaises(AccessError):
            segment_as_user.action_refresh()
        with self.assertRaises(AccessError):
            segment_as_user.write({"name": "Renamed"})
        other = self.env["res.company"].create({"name": "Other Seg Co"})
        foreign = self.env["lp.segment"].create(
            {"name": "Foreign", "company_id": other.id}
        )
        visible = self.env["lp.segment"].with_user(self.manager).search([])
        self.assertNotIn(foreign, visible)
        self.assertIn(self.segment, visible)

    def test_nightly_refreshes_segments(self):
        self.run_nightly()
        self.assertEqual(self.segment.size, 2)
        self.assertTrue(self.segment.last_refresh)
        manual = self.env["lp.segment"].create(
            {"name": "Manual only", "auto_refresh": False, "domain": "[]"}
        )
        self.run_nightly()
        self.assertFalse(manual.last_refresh)
        self.assertEqual(len(self.segment.size_ids), 2)

    def test_actions_and_views(self):
        self.segment._refresh()
        action = self.segment.action_view_partners()
        self.assertEqual(
            self.env["res.partner"].search(action["domain"]), self.segment.partner_ids
        )
        history = self.segment.action_view_size_history()
        self.assertEqual(history["res_model"], "lp.segment.size")
        self.assertEqual(
            self.env["lp.segment.size"].search(history["domain"]), self.segment.size_ids
        )
        settings = (
            self.env["lp.stats.config"]
            .with_user(self.manager)
            .action_open_company_settings()
        )
        self.assertEqual(settings["res_id"], self.stats_config.id)
        with self.assertRaises(AccessError):
            self.env["lp.stats.config"].with_user(
                self.user
            ).action_open_company_settings()
        for model, view_types in (
            ("lp.segment", ["kanban", "list", "form", "search"]),
            ("lp.segment.size", ["graph", "list", "search"]),
            ("lp.customer.stats", ["pivot", "graph", "list", "form", "search"]),
        ):
            views = (
                self.env[model]
                .with_user(self.manager)
                .get_views([(False, view_type) for view_type in view_types])
            )
            self.assertEqual(set(views["views"]), set(view_types))
