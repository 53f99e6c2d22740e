import logging

from odoo.tests import tagged

from .offer_common import OfferMixin
from .test_pos_query_budget import TestPosQueryBudget

_logger = logging.getLogger(__name__)

# A member with 3 active offers that all apply, against the same order of
# the same member without offers: the lookup reads them (one statement);
# the paid order reads and locks their rows (one), records the uses (one)
# and moves the rows' counters (one); their entries post with the earn
# (their keys looked up and the entries inserted with the earn's).
OFFERS_LOOKUP_EXTRA = 1
OFFERS_POSTING_EXTRA = 3


@tagged("post_install", "-at_install")
class TestOfferQueryBudget(OfferMixin, TestPosQueryBudget):
    """The till's member path with offers: a member without offers costs
    what it cost before offers existed (the member row's hint answers, no
    statement); a member with three offers that apply costs a pinned number
    more, with the points right."""

    def test_member_without_offers_costs_nothing_more(self):
        # Another member's offer does not make this one's path longer.
        other = self.env(su=True)["lp.member"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "O"}).id,
                "program_id": self.program.id,
            }
        )
        self.make_offer([other], reward_type="points", reward_value=5.0)
        self.test_member_order_stays_within_its_budget()

    def test_member_with_three_offers(self):
        till = self.env["pos.order"]
        warm = self.create_random_uid()
        till.lp_pos_lookup(self.card.number, warm)
        self.sync(self.order_data([(self.item, 1)], uuid=warm))
        # The same order without offers, then with three that apply.
        before = self.create_random_uid()
        _info, lookup_before = self.count(till.lp_pos_lookup, self.card.number, before)
        self.count(self.sync, self.order_data([(self.item, 2)], uuid=before))
        posting_before = self.loyalty_statements()
        for value in (5.0, 10.0, 15.0):
            self.make_offer(
                [self.member],
                reward_type="points",
                reward_value=value,
                uses_per_customer=0,
            )
        uuid = self.create_random_uid()
        info, statements = self.count(till.lp_pos_lookup, self.card.number, uuid)
        self.assertEqual(len(info["offers"]), 3)
        _logger.info(
            "lookup: %s statements, %s with 3 offers", lookup_before, statements
        )
        with self.subTest("lookup"):
            self.assertLessEqual(
                statements - lookup_before, OFFERS_LOOKUP_EXTRA, self.last
            )
        data = self.order_data([(self.item, 2)], uuid=uuid)
        order, _statements = self.count(self.sync, data)
        mine = self.loyalty_statements()
        _logger.info(
            "posting: %s loyalty statements, %s with 3 offers", posting_before, mine
        )
        with self.subTest("posting"):
            self.assertLessEqual(mine - posting_before, OFFERS_POSTING_EXTRA, self.last)
        self.assertEqual(order.lp_offer_points, 30.0)
        self.assertEqual(order.lp_points_earned, 20.0)
        self.assertEqual(self.env["lp.ledger"]._check_consistency([self.member.id]), [])
