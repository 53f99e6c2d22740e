import base64

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..tools import card_number
from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestCards(LoyaltyCase):
    def test_batch_numbers_check_digit_and_csv(self):
        batch = self.env["lp.card.batch"]._generate(self.program, 25)
        self.assertEqual(batch.card_count, 25)
        numbers = batch.card_ids.mapped("number")
        self.assertEqual(len(set(numbers)), 25)
        self.assertTrue(all(len(n) == 13 and n.startswith("27") for n in numbers))
        self.assertTrue(all(c.state == "issued" for c in batch.card_ids))
        csv_text = base64.b64decode(batch.export_file).decode()
        lines = csv_text.strip().splitlines()
        self.assertEqual(lines[0], "number,barcode,symbology,program")
        self.assertEqual(len(lines), 26)
        self.assertIn(f"{batch.first_number},{batch.first_number},EAN13", csv_text)
        # The next batch continues the numbering.
        second = self.env["lp.card.batch"]._generate(self.program, 2)
        self.assertGreater(second.first_number, batch.last_number)

    def test_large_batch_is_set_based_without_chatter(self):
        """Cards are inserted in one statement: as many queries for 3,000
        cards as for 10, and no message, follower or tracking per card."""
        Message = self.env["mail.message"].sudo()
        Follower = self.env["mail.followers"].sudo()
        messages = Message.search_count([("model", "=", "lp.card")])
        followers = Follower.search_count([("res_model", "=", "lp.card")])
        queries = []
        self.env["lp.card.batch"]._generate(self.program, 1)  # warm caches
        for count in (10, 3000):
            before = self.env.cr.sql_log_count
            batch = self.env["lp.card.batch"]._generate(self.program, count)
            queries.append(self.env.cr.sql_log_count - before)
        self.assertEqual(queries[0], queries[1])
        self.assertEqual(batch.card_count, 3000)
        cards = batch.card_ids
        self.assertEqual(len(cards), 3000)
        self.assertEqual(set(cards.mapped("state")), {"issued"})
        self.assertEqual(set(cards.mapped("card_type")), {"physical"})
        self.assertEqual(cards.company_id, self.program.company_id)
        self.assertTrue(all(card_number.is_valid(n) for n in cards.mapped("number")))
        self.assertEqual(min(cards.mapped("number")), batch.first_number)
        self.assertEqual(max(cards.mapped("number")), batch.last_number)
        self.assertEqual(Message.search_count([("model", "=", "lp.card")]), messages)
        self.assertEqual(
            Follower.search_count([("res_model", "=", "lp.card")]), followers
        )
        lines = base64.b64decode(batch.export_file).decode().strip().splitlines()
        self.assertEqual(len(lines), 3001)
        self.assertEqual(lines[1].split(",")[0], batch.first_number)
        # Still found by the till, and used like any card.
        card = self.env["lp.card"]._lookup(batch.last_number)
        card._assign(self.member)
        self.assertEqual(card.state, "active")

    def test_batch_refused_to_loyalty_users(self):
        # A Loyalty User may hand out cards, not order a print run.
        user = self.user
        with self.assertRaises(AccessError):
            self.env["lp.card.batch"].with_user(user)._generate(self.program, 5)
        with self.assertRaisesRegex(UserError, "1 to 100,000"):
            self.env["lp.card.batch"]._generate(self.program, 100_001)

    def test_wrong_check_digit_refused(self):
        good = self.env["lp.card.batch"]._generate(self.program, 1).card_ids.number
        bad = good[:-1] + str((int(good[-1]) + 1) % 10)
        with self.assertRaisesRegex(ValidationError, "check digit"):
            self.env["lp.card"].create({"program_id": self.program.id, "number": bad})
        with self.assertRaisesRegex(UserError, "not a valid card number"):
            self.env["lp.card"]._lookup(bad)
        self.assertEqual(
            self.env["lp.card"]._lookup(f" {good[:4]}-{good[4:]} "),
            self.env["lp.card"].search([("number", "=", good)]),
        )

    @mute_logger("odoo.sql_db")
    def test_unique_number_per_program(self):
        card = self.env["lp.card"].create({"program_id": self.program.id})
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["lp.card"].create(
                {"program_id": self.program.id, "number": card.number}
            )

    def test_card_lifecycle_and_replacement_keeps_balance(self):
        batch = self.env["lp.card.batch"]._generate(self.program, 2)
        first, second = batch.card_ids.sorted("number")
        first._assign(self.member)
        self.assertEqual(first.state, "active")
        self.assertEqual(self.member.card_number, first.number)
        self.credit(self.member, 75)
        first.action_block()
        with self.assertRaisesRegex(UserError, "blocked"):
            first._check_usable()
        first.action_unblock()
        first._check_usable()
        wizard = self.env["lp.card.replace.wizard"].create(
            {"card_id": first.id, "reason": "lost", "new_number": second.number}
        )
        wizard.action_replace()
        self.assertEqual(first.state, "lost")
        self.assertEqual(first.replaced_by_id, second)
        self.assertEqual(second.member_id, self.member)
        self.assertEqual(
            self.env["lp.card"]._lookup(second.number).member_id.balance, 75.0
        )
        with self.assertRaisesRegex(UserError, "reported lost"):
            first._check_usable()
        # A card already in use cannot be handed to someone else.
        other = self.env["lp.member"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "B"}).id,
                "program_id": self.program.id,
            }
        )
        with self.assertRaises(UserError):
            second._assign(other)

    def test_virtual_card_replacement(self):
        card = self.env["lp.card"].create({"program_id": self.program.id})
        card._assign(self.member)
        self.assertEqual(card.card_type, "virtual")
        new = card._replace_with(reason="damaged")
        self.assertEqual(card.state, "replaced")
        self.assertEqual(new.state, "active")
        self.assertEqual(new.member_id, self.member)

    def test_unknown_card(self):
        with self.assertRaisesRegex(UserError, "No loyalty card"):
            self.env["lp.card"]._lookup(card_number.make_number("27", 999999999))
