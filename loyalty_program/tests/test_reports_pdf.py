import io
import re
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools.pdf import PdfFileReader

from ..tools.amount_words import amount_in_words
from .common import LoyaltyCase

STATEMENT = "loyalty_program.action_report_member_statement"
CERTIFICATE = "loyalty_program.action_report_gift_certificate"


def words(text):
    """The words of ``text``, without digits and punctuation."""
    return " ".join(re.findall(r"[^\W\d_]+", text))


def pdf_words(content):
    """The words of every page of a PDF. Only the text wkhtmltopdf writes
    with a font it embeds can be read back: the report's Latin font (Lato,
    a web font) comes out as drawn outlines, so digits and Latin letters do
    not; Cyrillic falls back to DejaVu Sans, an embedded font."""
    reader = PdfFileReader(io.BytesIO(content))
    return words(" ".join(page.extract_text() for page in reader.pages))


@tagged("post_install", "-at_install")
class TestDocumentsPdf(LoyaltyCase, HttpCase):
    """The statement and the gift certificate come out of wkhtmltopdf as
    real PDF documents. Odoo renders HTML instead under tests unless told
    otherwise (``force_report_rendering``); without wkhtmltopdf Odoo raises
    "Unable to find Wkhtmltopdf", and this test fails: ``scripts/test`` and
    ``scripts/run`` install it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.env["ir.module.module"]._load_module_terms(["loyalty_program"], ["ru_RU"])
        card = cls.env["lp.card.batch"]._generate(cls.program, 1).card_ids
        cls.partner_ru = cls.env["res.partner"].create(
            {"name": "Мария Соколова", "lang": "ru_RU", "email": "m.s@example.com"}
        )
        cls.member_ru = cls.env["lp.member"]._enrol(
            cls.partner_ru, cls.program, card=card
        )
        now = fields.Datetime.now()
        cls.member_ru._earn(1000, source_key="pdf:earn", date=now - timedelta(days=20))
        cls.gift = cls.member_ru._grant("gift", 21, lifetime_days=10, source_key="g")
        cls.member_ru._spend(30, source_key="pdf:spend")
        cls.program.point_value = 1.5

    def setUp(self):
        super().setUp()
        # wkhtmltopdf fetches the report's styles from this test's server.
        self.env["ir.config_parameter"].sudo().set_param("report.url", self.base_url())

    def render_pdf(self, report, records, data=None):
        content, kind = (
            self.env["ir.actions.report"]
            .with_user(self.user)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report, records.ids, data=data)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(content.startswith(b"%PDF-"), content[:40])
        return pdf_words(content)

    def test_russian_statement_is_a_pdf(self):
        today = fields.Date.today()
        data = {"date_from": str(today - timedelta(days=10)), "date_to": str(today)}
        text = self.render_pdf(STATEMENT, self.member_ru, data)
        self.assertEqual(self.member_ru.balance, 141.0)  # 50 + 100 + 21 - 30
        self.assertIn("Выписка по баллам", text)
        self.assertIn("Исходящий остаток", text)
        self.assertIn("Приветственный бонус", text)
        currency = self.env.company.currency_id.name
        # 141 points worth 211.50, in Russian words.
        self.assertIn(words(amount_in_words(211.5, currency, "ru_RU")), text)

    def test_gift_certificate_is_a_pdf(self):
        text = self.render_pdf(CERTIFICATE, self.gift)
        self.assertIn("Подарочный сертификат", text)
        self.assertIn("Мария Соколова", text)
        currency = self.env.company.currency_id.name
        self.assertIn(words(amount_in_words(31.5, currency, "ru_RU")), text)

    def test_several_documents_in_one_file(self):
        """Debian's plain-Qt wkhtmltopdf converts one document per call:
        two statements printed at once still make one PDF, a page each."""
        other = self.env["lp.member"]._enrol(
            self.env["res.partner"].create({"name": "Пётр Орлов", "lang": "ru_RU"}),
            self.program,
        )
        members = self.member_ru | other
        content, kind = (
            self.env["ir.actions.report"]
            .with_user(self.user)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(STATEMENT, members.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertEqual(len(PdfFileReader(io.BytesIO(content)).pages), 2)
        text = pdf_words(content)
        self.assertIn("Мария Соколова", text)
        self.assertIn("Пётр Орлов", text)
