import doctest
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import BaseCase, new_test_user, tagged

from ..report.lp_member_statement import default_statement_period
from ..tools import amount_words
from ..tools.amount_words import amount_in_words
from .common import LoyaltyCase

STATEMENT = "loyalty_program.action_report_member_statement"
CERTIFICATE = "loyalty_program.action_report_gift_certificate"


@tagged("post_install", "-at_install")
class TestAmountWords(BaseCase):
    """Amounts in words with num2words, in Russian and English."""

    def test_doctests(self):
        result = doctest.testmod(amount_words)
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)

    def test_russian_agreement(self):
        cases = {
            1: "Один рубль, ноль копеек",
            2: "Два рубля, ноль копеек",
            5: "Пять рублей, ноль копеек",
            21: "Двадцать один рубль, ноль копеек",
            1000001: "Один миллион один рубль, ноль копеек",
            0.01: "Ноль рублей, одна копейка",
            2.02: "Два рубля, две копейки",
            5.05: "Пять рублей, пять копеек",
            1234.56: "Одна тысяча двести тридцать четыре рубля, пятьдесят шесть копеек",
        }
        for amount, words in cases.items():
            self.assertEqual(amount_in_words(amount, "RUB", "ru_RU"), words)

    def test_english(self):
        cases = {
            1: "One rouble, zero kopeks",
            2: "Two roubles, zero kopeks",
            5: "Five roubles, zero kopeks",
            21: "Twenty-one roubles, zero kopeks",
            1000001: "One million and one roubles, zero kopeks",
            0.01: "Zero roubles, one kopek",
            21.21: "Twenty-one roubles, twenty-one kopeks",
        }
        for amount, words in cases.items():
            self.assertEqual(amount_in_words(amount, "RUB", "en_US"), words)
        self.assertEqual(
            amount_in_words(1000001.99, "USD", "en_US"),
            "One million and one dollars, ninety-nine cents",
        )

    def test_an_int_is_not_read_as_kopecks(self):
        self.assertEqual(
            amount_in_words(100, "RUB", "ru_RU"), "Сто рублей, ноль копеек"
        )
        self.assertEqual(
            amount_in_words(0.1 + 0.2, "RUB", "ru_RU"), "Ноль рублей, тридцать копеек"
        )


@tagged("post_install", "-at_install")
class TestMemberDocuments(LoyaltyCase):
    """The statement and the gift certificate, rendered as HTML, in the
    customer's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.env["ir.module.module"]._load_module_terms(["loyalty_program"], ["ru_RU"])
        cls.currency = cls.env.company.currency_id
        cls.today = fields.Date.today()
        batch = cls.env["lp.card.batch"]._generate(cls.program, 2)
        cls.cards = batch.card_ids.sorted("number")
        cls.anna, cls.anna_gift = cls._member("Анна Петрова", "ru_RU", cls.cards[0])
        cls.bob, cls.bob_gift = cls._member("Bob Smith", "en_US", cls.cards[1])
        cls.program.point_value = 1.5  # after the earns: 5% of 1000 = 50 points

    @classmethod
    def _member(cls, name, lang, card):
        partner = cls.env["res.partner"].create(
            {"name": name, "lang": lang, "email": f"{card.number}@example.com"}
        )
        member = cls.env["lp.member"]._enrol(partner, cls.program, card=card)
        now = fields.Datetime.now()
        member._earn(1000, source_key="old", date=now - timedelta(days=20))
        gift = member._grant("gift", 21, lifetime_days=10, source_key="gift")
        member._spend(30, source_key="spend")
        return member, gift

    def render(self, report, records, data=None, user=None):
        Report = self.env["ir.actions.report"]
        if user:
            Report = Report.with_user(user)
        html, _kind = Report._render_qweb_html(report, records.ids, data=data)
        return html.decode()

    def statement(self, member, user=None):
        data = {
            "date_from": str(self.today - timedelta(days=10)),
            "date_to": str(self.today),
        }
        return self.render(STATEMENT, member, data, user)

    def test_statement_in_russian(self):
        member = self.anna
        self.assertEqual(member.balance, 141.0)  # 50 + 100 welcome + 21 - 30
        html = self.statement(member, self.user)
        self.assertIn("Выписка по баллам", html)
        self.assertIn("Входящий остаток", html)
        self.assertIn("Исходящий остаток", html)
        self.assertIn("Приветственный бонус", html)
        self.assertIn(member.card_number, html)
        self.assertIn("Base", html)
        self.assertIn(amount_in_words(75, self.currency.name, "ru_RU"), html)
        self.assertIn(amount_in_words(211.5, self.currency.name, "ru_RU"), html)
        if self.currency.name == "USD":
            self.assertIn("Двести одиннадцать долларов, пятьдесят центов", html)
        self.assertIn("91,00", html)  # welcome points left after FIFO, due in 30 days
        self.assertNotIn("Opening balance", html)

    def test_statement_in_english(self):
        html = self.statement(self.bob, self.user)
        self.assertIn("Points statement", html)
        self.assertIn("Opening balance", html)
        self.assertIn("Welcome bonus", html)
        self.assertIn(amount_in_words(211.5, self.currency.name, "en_US"), html)
        if self.currency.name == "USD":
            self.assertIn("Two hundred and eleven dollars, fifty cents", html)
        # Rows: opening, welcome, gift, spend, closing (the earn is before).
        self.assertEqual(html.count('class="lp_entry"'), 3)
        self.assertIn("50.00", html)
        self.assertIn("141.00", html)

    def test_statement_default_period_and_context(self):
        html = self.render(STATEMENT, self.bob)  # the previous month
        date_from, date_to = default_statement_period(self.today)
        self.assertEqual(date_from.day, 1)
        self.assertEqual((date_to + timedelta(days=1)).day, 1)
        self.assertIn(date_from.strftime("%m/%d/%Y"), html)
        self.assertIn(date_to.strftime("%m/%d/%Y"), html)
        html = (
            self.env["ir.actions.report"]
            .with_context(
                lp_statement_from=str(self.today - timedelta(days=30)),
                lp_statement_to=str(self.today),
            )
            ._render_qweb_html(STATEMENT, self.bob.ids)[0]
            .decode()
        )
        self.assertEqual(html.count('class="lp_entry"'), 4)

    def test_gift_certificate(self):
        gift = self.anna_gift
        html = self.render(CERTIFICATE, gift, user=self.user)
        self.assertIn("Подарочный сертификат", html)
        self.assertIn("21,00", html)  # Russian decimal comma
        self.assertIn(amount_in_words(31.5, self.currency.name, "ru_RU"), html)
        self.assertIn(self.anna.card_number, html)
        expiry = self.today + timedelta(days=10)
        self.assertIn(expiry.strftime("%d.%m.%Y"), html)
        html = self.render(CERTIFICATE, self.bob_gift, user=self.user)
        self.assertIn("Gift certificate", html)
        self.assertIn(amount_in_words(31.5, self.currency.name, "en_US"), html)
        if self.currency.name == "USD":
            self.assertIn("Thirty-one dollars, fifty cents", html)

    def test_refusals(self):
        spend = self.env["lp.ledger"].search(
            [("member_id", "=", self.bob.id), ("kind", "=", "spend")]
        )
        with self.assertRaises(UserError):
            self.render(CERTIFICATE, spend, user=self.user)
        with self.assertRaises(UserError):
            spend.with_user(self.user).action_print_gift_certificate()
        company_b = self.env["res.company"].create({"name": "Documents B"})
        user_b = new_test_user(
            self.env,
            login="lp_user_b",
            groups="base.group_user,loyalty_program.group_lp_user",
            company_id=company_b.id,
            company_ids=[Command.set([company_b.id])],
        )
        with self.assertRaises(AccessError):
            self.statement(self.bob, user_b)
        with self.assertRaises(AccessError):
            self.bob_gift.with_user(user_b).action_send_gift_certificate()
        salesperson = new_test_user(
            self.env, login="doc_sales", groups="sales_team.group_sale_salesman"
        )
        with self.assertRaises(AccessError):
            self.bob_gift.with_user(salesperson).action_send_gift_certificate()
        with self.assertRaises(AccessError):
            self.statement(self.bob, salesperson)

    def test_portal_customer_prints_own_documents_only(self):
        portal = new_test_user(
            self.env,
            login="doc_portal",
            groups="base.group_portal",
            partner_id=self.bob.partner_id.id,
        )
        html = self.statement(self.bob, portal)
        self.assertIn("Points statement", html)
        html = self.render(CERTIFICATE, self.bob_gift, user=portal)
        self.assertIn("Gift certificate", html)
        with self.assertRaises(AccessError):
            self.statement(self.anna, portal)
        with self.assertRaises(AccessError):
            self.render(CERTIFICATE, self.anna_gift, user=portal)

    def test_print_buttons(self):
        action = self.bob.with_user(self.user).action_print_gift_certificate()
        self.assertEqual(
            action["report_name"], "loyalty_program.report_gift_certificate"
        )
        self.assertEqual(action["context"]["active_ids"], self.bob_gift.ids)
        wizard = (
            self.env["lp.statement.wizard"]
            .with_user(self.user)
            .create({"member_id": self.bob.id})
        )
        first = self.today.replace(day=1)
        self.assertEqual(wizard.date_to, first - timedelta(days=1))
        wizard.date_from = self.today - timedelta(days=10)
        wizard.date_to = self.today
        action = wizard.action_print()
        self.assertEqual(
            action["data"]["date_from"], str(self.today - timedelta(days=10))
        )
        wizard.date_to = self.today - timedelta(days=20)
        with self.assertRaises(UserError):
            wizard.action_print()

    def test_send_gift_certificate(self):
        gift = self.anna_gift
        gift.with_user(self.user).action_send_gift_certificate()
        mail = self.env["mail.mail"].search(
            [("model", "=", "lp.ledger"), ("res_id", "=", gift.id)]
        )
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.anna.partner_id)
        self.assertIn("21", mail.subject)
        attachment = mail.attachment_ids
        self.assertEqual(len(attachment), 1)
        self.assertIn(
            amount_in_words(31.5, self.currency.name, "ru_RU"), attachment.raw.decode()
        )
        self.assertIn("Gift certificate", self.anna.message_ids[0].body)

    def test_send_statement(self):
        wizard = (
            self.env["lp.statement.wizard"]
            .with_user(self.user)
            .create(
                {
                    "member_id": self.bob.id,
                    "date_from": self.today - timedelta(days=10),
                    "date_to": self.today,
                }
            )
        )
        action = wizard.action_send()
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.user)
            .with_context(**action["context"])
            .create({})
        )
        self.assertIn(self.bob.partner_id, composer.partner_ids)
        composer.action_send_mail()
        message = self.bob.message_ids[0]
        self.assertEqual(message.partner_ids, self.bob.partner_id)
        self.assertEqual(len(message.attachment_ids), 1)
        html = message.attachment_ids.raw.decode()
        self.assertIn("Points statement", html)
        self.assertIn(amount_in_words(211.5, self.currency.name, "en_US"), html)
