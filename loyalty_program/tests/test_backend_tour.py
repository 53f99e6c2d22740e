from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestBackendTour(HttpCase):
    """The harness reaches a real browser: a manager opens the Loyalty app,
    opens a member and sees the balance, the ledger and the card."""

    def test_backend_member_tour(self):
        program = self.env["lp.program"].create(
            {"name": "Tour Club", "card_prefix": "27", "welcome_points": 150}
        )
        self.env["lp.tier"].create(
            {"name": "Base", "program_id": program.id, "threshold": 0}
        )
        partner = self.env["res.partner"].create({"name": "Tour Customer"})
        card = self.env["lp.card.batch"]._generate(program, 1).card_ids
        self.env["lp.member"]._enrol(partner, program, card=card)
        self.start_tour(
            "/odoo/action-loyalty_program.action_lp_member",
            "loyalty_program_backend_member",
            login="admin",
        )
