from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestCampaignTour(HttpCase):
    """A manager starts a campaign from a segment, sees the preview counts
    and the SMS parts, and schedules it."""

    def test_campaign_tour(self):
        program = self.env["lp.program"].create({"name": "Tour Club"})
        partners = self.env["res.partner"].create(
            [
                {"name": "Olga Tour", "phone": "+79001112233", "lp_consent_sms": True},
                {"name": "Ivan Tour", "phone": "+79001112244", "lp_consent_sms": True},
                {"name": "Pavel Tour", "phone": "+79001112255"},
            ]
        )
        for partner in partners:
            self.env["lp.member"].create(
                {"partner_id": partner.id, "program_id": program.id}
            )
        segment = self.env["lp.segment"].create(
            {"name": "Tour segment", "domain": repr([("id", "in", partners.ids)])}
        )
        segment._refresh()
        self.start_tour(
            "/odoo/action-loyalty_program.action_lp_segment",
            "loyalty_program_campaign",
            login="admin",
        )
        campaign = self.env["lp.campaign"].search([("segment_id", "=", segment.id)])
        self.assertEqual(campaign.state, "scheduled")
        self.assertEqual(campaign.sms_count, 2)
        self.assertEqual(
            campaign.recipient_ids.filtered(
                lambda r: r.state == "scheduled"
            ).partner_id,
            partners[:2],
        )
        self.assertTrue(campaign.mailing_ids)
