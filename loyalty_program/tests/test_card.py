import base64

from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
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
        card = self.env["lp.card"].create(
            {"program_id": self.program.id, "member_id": self.member.id}
        )
        self.assertEqual(card.card_type, "virtual")
        new = card._replace_with(reason="damaged")
        self.assertEqual(card.state, "replaced")
        self.assertEqual(new.state, "active")
        self.assertEqual(new.member_id, self.member)

    def test_unknown_card(self):
        with self.assertRaisesRegex(UserError, "No loyalty card"):
            self.env["lp.card"]._lookup(card_number.make_number("27", 999999999))
