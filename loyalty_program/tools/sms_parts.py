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
"""

import math
from collections import namedtuple

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
