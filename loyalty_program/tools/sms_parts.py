"""How many parts an SMS takes, as the operator bills it.

A text made only of GSM 03.38 characters is sent in GSM-7: 160 characters
in one part, 153 per part when it needs several (the user data header takes
the rest). Characters of the GSM extension table (``^{}\\[~]|€`` and form
feed) are sent as an escape plus the character, so they count twice. Any
other character (Cyrillic, emoji...) makes the whole text UCS-2: 70
characters in one part, 67 per part beyond; a character outside the Basic
Multilingual Plane (most emoji) takes two UTF-16 units.

>>> count("Hello")
Segments(encoding='gsm7', units=5, parts=1)
>>> count("a" * 160).parts, count("a" * 161).parts, count("a" * 306).parts
(1, 2, 2)
>>> count("я" * 70).parts, count("я" * 71).parts, count("я" * 134).parts
(1, 2, 2)
>>> count("€" * 80)
Segments(encoding='gsm7', units=160, parts=1)
>>> count("")
Segments(encoding='gsm7', units=0, parts=0)

Odoo's mass SMS does not send the text as written: :func:`as_sent` gives
the body the operator bills, which is what the parts are counted on.
"""

import math
import re
from collections import namedtuple

# Odoo's own pattern of a link in a text (odoo.tools.mail.TEXT_URL_REGEX)
URL = re.compile(r"https?://[\w@:%.+&~#=/-]+(?:\?\S+)?")
URL_END = r"(?![\w@:%.+&~#=/-])"

Segments = namedtuple("Segments", "encoding units parts")

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

LIMITS = {
    # encoding: (single part, per part when concatenated)
    "gsm7": (160, 153),
    "ucs2": (70, 67),
}


def units(text):
    """(encoding, length in that encoding's units) of ``text``."""
    gsm = 0
    for char in text:
        if char in GSM7_BASIC:
            gsm += 1
        elif char in GSM7_EXTENSION:
            gsm += 2
        else:
            return "ucs2", sum(2 if ord(c) > 0xFFFF else 1 for c in text)
    return "gsm7", gsm


def parts_for(encoding, length):
    """Parts a text of ``length`` units in ``encoding`` takes."""
    single, multi = LIMITS[encoding]
    if length == 0:
        return 0
    if length <= single:
        return 1
    return math.ceil(length / multi)


def count(text):
    """The :class:`Segments` (encoding, units, parts) of ``text``."""
    encoding, length = units(text or "")
    return Segments(encoding, length, parts_for(encoding, length))


def as_sent(text, base_url, short_link, sms_id, opt_out=""):
    """The body Odoo's mass SMS hands to the operator for ``text``: each
    link (but short links and opt-out links of ``base_url``) replaced by
    ``short_link(url)`` (``mail.render.mixin._shorten_links_text``), every
    short link of ``base_url`` followed by ``/s/<sms_id>``
    (``sms.sms._update_body_short_links``), and the ``opt_out`` line added
    on a line of its own (``sms.composer._prepare_mass_sms_trace_values``).

    >>> as_sent("See https://shop.example.com/sale now", "http://my.shop",
    ...         lambda url: "http://my.shop/r/Ab1", 12345,
    ...         "STOP SMS: http://my.shop/sms/7/xY2")
    'See http://my.shop/r/Ab1/s/12345 now\\nSTOP SMS: http://my.shop/sms/7/xY2'
    >>> as_sent("Hello", "http://my.shop", None, 1)
    'Hello'
    """
    short_prefix, opt_out_prefix = base_url + "/r/", base_url + "/sms/"
    for url in set(URL.findall(text)):
        if url.startswith((short_prefix, opt_out_prefix)):
            continue
        short = short_link(url)
        if short:
            text = re.sub(re.escape(url) + URL_END, short, text)
    if opt_out:
        text = f"{text}\n{opt_out}"
    for url in set(URL.findall(text)):
        if url.startswith(short_prefix):
            text = re.sub(re.escape(url) + URL_END, f"{url}/s/{sms_id}", text)
    return text
