"""Money amounts written in words, in the reader's language, with num2words.

Core ``res.currency.amount_to_text`` is not used: in Russian it leaves "and"
untranslated and does not make the currency agree with the number ("Четыре
Рубль"). num2words declines both. It reads an ``int`` as minor units
(kopecks), so the amount is always passed as a float rounded to the cents.

>>> amount_in_words(1, "RUB", "ru_RU")
'Один рубль, ноль копеек'
>>> amount_in_words(2, "RUB", "ru_RU")
'Два рубля, ноль копеек'
>>> amount_in_words(5, "RUB", "ru_RU")
'Пять рублей, ноль копеек'
>>> amount_in_words(21.21, "RUB", "ru_RU")
'Двадцать один рубль, двадцать одна копейка'
>>> amount_in_words(1000001, "RUB", "ru_RU")
'Один миллион один рубль, ноль копеек'
>>> amount_in_words(1.5, "USD", "en_US")
'One dollar, fifty cents'
>>> amount_in_words(-3, "EUR", "en_GB")
'Minus three euro, zero cents'
>>> amount_in_words(12.5, "XYZ", "en_US")
'Twelve XYZ, 50/100'
>>> number_in_words(21, "ru_RU")
'Двадцать один'
"""

from num2words import CONVERTER_CLASSES, num2words

FALLBACK_LANG = "en"


def words_lang(lang):
    """The num2words language for an Odoo language code: the full code when
    num2words knows it (``pt_BR``), else its first part (``ru_RU`` -> ``ru``),
    else English.

    >>> words_lang("ru_RU"), words_lang("pt_BR"), words_lang("xx_YY"), words_lang(None)
    ('ru', 'pt_BR', 'en', 'en')
    """
    if not lang:
        return FALLBACK_LANG
    if lang in CONVERTER_CLASSES:
        return lang
    short = lang.split("_")[0].split("@")[0]
    return short if short in CONVERTER_CLASSES else FALLBACK_LANG


def _capitalize(text):
    return text[:1].upper() + text[1:]


def amount_in_words(amount, currency_code, lang):
    """``amount`` of ``currency_code`` (ISO 4217) in words in ``lang`` (an
    Odoo language code), first letter capitalised, with the minor units.
    A currency num2words does not know in that language gets the whole
    part in words, the code, and the cents as a fraction."""
    code = words_lang(lang)
    value = round(float(amount), 2)
    negative = value < 0
    value = abs(value)
    try:
        text = num2words(value, lang=code, to="currency", currency=currency_code)
    except NotImplementedError:
        whole = int(value)
        cents = round((value - whole) * 100)
        text = f"{num2words(whole, lang=code)} {currency_code}, {cents:02d}/100"
    if negative:
        minus = num2words(-1, lang=code).split()[0]
        text = f"{minus} {text}"
    return _capitalize(text)


def number_in_words(number, lang):
    """A whole ``number`` (points, say) in words in ``lang``, capitalised."""
    return _capitalize(num2words(round(number), lang=words_lang(lang)))
