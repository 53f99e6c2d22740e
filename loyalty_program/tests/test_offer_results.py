from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from .offer_common import OfferPosCommon


@tagged("post_install", "-at_install")
class TestOfferResults(OfferPosCommon):
    """An offer's results: rows made and used, what target and control
    customers bought while their rows were open, incremental revenue, cost
    and ROI; and the dashboard's offer figures."""

    def test_target_against_control(self):
        admin = self.env(su=True)
        members = self.member | admin["lp.member"].create(
            [
                {
                    "partner_id": admin["res.partner"].create({"name": n}).id,
                    "program_id": self.program.id,
                }
                for n in ("T2", "T3", "C1", "C2")
            ]
        )
        _t1, t2, t3, c1, c2 = members
        offer = self.make_offer(
            reward_type="points", reward_value=25.0, audience="everyone"
        )
        rows = self.rows(offer)
        self.assertEqual(len(rows), 5)
        # Who is held out, set for the test (the seed decides otherwise).
        self.env.cr.execute(
            SQL(
                'UPDATE lp_offer_member SET "group" = CASE WHEN member_id IN %s '
                "THEN 'control' ELSE 'target' END WHERE offer_id = %s",
                (c1.id, c2.id),
                offer.id,
            )
        )
        rows.invalidate_recordset(["group"])
        # T1 uses the offer at the till; T2 and C1 buy; T3 and C2 do not.
        order = self.sync(self.order_data([(self.item, 1)]))
        self.assertEqual(order.lp_offer_points, 25.0)
        self.bought(t2, 0, [(self.item, 2)])
        self.bought(c1, 0, [(self.item, 1)])
        self.bought(t3, 40, [(self.item, 5)])  # before the offer: not counted
        offer.sudo()._lp_compute_results()
        self.assertEqual(
            (offer.sent_count, offer.redeemed_count, round(offer.redemption_rate, 1)),
            (3, 1, 33.3),
        )
        self.assertEqual((offer.target_customers, offer.target_buyers), (3, 2))
        self.assertEqual((offer.control_customers, offer.control_buyers), (2, 1))
        self.assertEqual((offer.target_revenue, offer.control_revenue), (300.0, 100.0))
        # 100 per target customer against 50 per control one, x 3.
        self.assertEqual(offer.incremental_revenue, 150.0)
        self.assertEqual((offer.points_given, offer.cost), (25.0, 25.0))
        self.assertEqual(offer.roi, 500.0)
        # The dashboard, over the last month.
        today = fields.Date.context_today(offer)
        figures = self.env["lp.figures"]._compute_figures(
            self.env.company, today - timedelta(days=29), today
        )
        self.assertEqual(figures["offer_points"], 25.0)
        self.assertAlmostEqual(figures["offer_redemption"], 100.0 / 3)
        self.assertEqual(figures["offer_discounts"], 0.0)
        self.assertEqual(figures["incremental_revenue"], 150.0)
