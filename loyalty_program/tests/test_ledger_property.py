from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import LoyaltyCase

OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.integers(min_value=1, max_value=50000)),
        st.tuples(
            st.just("gift"),
            st.integers(min_value=1, max_value=500),
            st.integers(min_value=-3, max_value=400),
        ),
        st.tuples(st.just("spend"), st.integers(min_value=1, max_value=800)),
        st.tuples(st.just("release"), st.integers(min_value=0, max_value=30)),
        st.tuples(st.just("expire"), st.integers(min_value=0, max_value=800)),
        st.tuples(
            st.just("reverse"),
            st.integers(min_value=0, max_value=50),
            st.sampled_from([0.25, 0.5, 1.0]),
        ),
    ),
    min_size=1,
    max_size=25,
)


@tagged("post_install", "-at_install")
class TestLedgerProperty(LoyaltyCase):
    """Random sequences of earn / gift / spend / hold release / expiry /
    reversal keep the ledger's invariants after every step."""

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
        ],
    )
    @given(OPERATIONS)
    def test_invariants_hold(self, operations):
        partner = self.env["res.partner"].create({"name": "Hypothesis"})
        member = self.env["lp.member"].create(
            {"partner_id": partner.id, "program_id": self.program.id}
        )
        Ledger = self.env["lp.ledger"]
        now = fields.Datetime.now()
        for step, operation in enumerate(operations):
            kind = operation[0]
            if kind == "earn":
                member._earn(float(operation[1]), source_key=f"e{step}")
            elif kind == "gift":
                self.credit(member, operation[1], expiry_days=operation[2])
            elif kind == "spend":
                points = operation[1]
                before = member.balance
                if points > before:
                    with self.assertRaises(UserError):
                        member._spend(points)
                    self.assertEqual(member.balance, before)
                else:
                    member._spend(points)
                    self.assertAlmostEqual(member.balance, before - points, places=2)
            elif kind == "release":
                Ledger._release_held(now=now + timedelta(days=operation[1]))
            elif kind == "expire":
                Ledger._expire_due(today=now.date() + timedelta(days=operation[1]))
            else:
                entries = member.ledger_ids.filtered(
                    lambda e: e.kind in ("earn", "spend", "gift")
                ).sorted("id")
                if entries:
                    entry = entries[operation[1] % len(entries)]
                    entry._reverse(ratio=operation[2], source_key=f"r{step}")
            self.assertGreaterEqual(member.balance, 0.0)
            self.assertGreaterEqual(member.pending, 0.0)
            self.assertConsistent(member)
            total = sum(member.ledger_ids.mapped("amount"))
            self.assertAlmostEqual(total, member.balance + member.pending, places=2)
            for credit in member.ledger_ids.filtered(lambda e: e.amount > 0):
                consumed = sum(credit.consumed_by_ids.mapped("amount"))
                self.assertAlmostEqual(
                    credit.amount - consumed, credit.remaining, places=2
                )
