from pathlib import Path

import polib

from odoo.tests import BaseCase, tagged

I18N = Path(__file__).resolve().parent.parent / "i18n"


@tagged("post_install", "-at_install")
class TestTranslations(BaseCase):
    """The Russian translation is complete: every string of the template
    (refreshed by scripts/i18n) has a non-fuzzy translation that keeps the
    same placeholders."""

    def test_ru_po_is_complete(self):
        template = polib.pofile(str(I18N / "sms_smsc.pot"))
        russian = polib.pofile(str(I18N / "ru.po"))
        self.assertGreater(len(template), 40)
        translated = {
            (entry.msgctxt, entry.msgid): entry
            for entry in russian
            if entry.msgstr and "fuzzy" not in entry.flags and not entry.obsolete
        }
        missing = [
            entry.msgid
            for entry in template
            if (entry.msgctxt, entry.msgid) not in translated
        ]
        self.assertEqual(
            missing, [], f"{len(missing)} strings lack a Russian translation"
        )

    def test_placeholders_kept(self):
        import re

        placeholder = re.compile(r"%\(\w+\)s|%s|\{\w*\}")
        for entry in polib.pofile(str(I18N / "ru.po")):
            if entry.msgstr:
                self.assertEqual(
                    sorted(placeholder.findall(entry.msgid)),
                    sorted(placeholder.findall(entry.msgstr)),
                    entry.msgid,
                )
