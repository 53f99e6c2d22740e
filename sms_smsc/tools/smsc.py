"""SMSC.ru's HTTP API as plain Python: what a request carries, what its
answer means, how the gateway counts and bills parts. No ORM here.

Sending is ``POST <endpoint>/sys/send.php`` with ``fmt=3`` (JSON answer),
``cost=3`` (send, and report the cost and the balance), ``op=1`` (one entry
per phone, with its own cost and error) and ``charset=utf-8``. The same text
to many phones goes as ``phones`` + ``mes``; different texts go as ``list``,
one ``phone:text`` line each, a new line inside a text written ``\\n``.

>>> messages = [("Hi", ["+7 999 000-00-01", "+79990000002"]), ("A", ["+7999"])]
>>> for request in plan(messages, 10):
...     print(request)
('phones', [(0, '79990000001', 'Hi'), (1, '79990000002', 'Hi')])
('phones', [(2, '7999', 'A')])
>>> plan([("A", ["+1"]), ("B", ["+2"]), ("C", ["+1"])], 10)
[('list', [(0, '1', 'A'), (1, '2', 'B')]), ('phones', [(2, '1', 'C')])]
>>> list_line("79990000001", "a\\nb:c")
'79990000001:a\\\\nb:c'

An answer is ``{"id": 5, "cnt": 2, "cost": "3.4", "balance": "10",
"phones": [{"phone": "79990000001", "mccmnc": "25001", "cost": "1.7",
"status": "0", "error": "0"}, ...]}`` or ``{"error": "...",
"error_code": N}``; a status report carries ``id``, ``phone``, ``status``
and ``err``.

>>> send_error(3)
('sms_credit', False)
>>> send_error(9)
('smsc_rate_limit', True)
>>> send_error(42)
('unknown', False)
>>> report(1), report(0), report(22), report(-3)
(('sent', False), ('pending', False), ('error', 'invalid_destination'), (None, False))

Parts, as SMSC bills them: 160 GSM-7 characters in one SMS, 153 per part
of a longer text; any other character (Cyrillic) makes the text UCS-2, 70
characters in one SMS and 67 per part; a GSM-7 extension character
(``^{}\\[~]|€``) takes two places.

>>> parts("Hello"), parts("a" * 161), parts("я" * 70), parts("я" * 71)
(1, 2, 1, 2)
>>> parts("€" * 80), parts("€" * 81), parts("")
(1, 2, 0)
"""

import math
import re

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

# Send errors (``error_code``): our provider state and whether it is
# temporary (the request is tried again later).
SEND_ERRORS = {
    1: ("smsc_parameters", False),  # error in the parameters
    2: ("smsc_authentication", False),  # wrong login or password, IP not allowed
    3: ("sms_credit", False),  # not enough money on the account
    4: ("smsc_blocked", True),  # IP blocked for a while after many errors
    5: ("smsc_parameters", False),  # wrong date format
    6: ("smsc_forbidden", False),  # forbidden by its text or its sender name
    7: ("wrong_number_format", False),  # wrong phone number format
    8: ("smsc_undeliverable", False),  # cannot be delivered to this number
    9: ("smsc_rate_limit", True),  # too many identical or concurrent requests
}
# Provider states that are temporary without an SMSC code.
TEMPORARY = {"smsc_rate_limit", "smsc_blocked", "smsc_unreachable"}

# Provider state -> Odoo's SMS failure type (``sms.sms.failure_type``).
FAILURE_TYPES = {
    "smsc_parameters": "sms_server",
    "smsc_authentication": "sms_acc",
    "sms_credit": "sms_credit",
    "smsc_blocked": "sms_server",
    "smsc_forbidden": "sms_registration_needed",
    "wrong_number_format": "sms_number_format",
    "smsc_undeliverable": "sms_not_allowed",
    "smsc_rate_limit": "sms_server",
    "smsc_unreachable": "sms_server",
}

# Status codes of a delivery report -> (Odoo SMS state, provider error).
# ``None``: nothing to change (still queued, or unknown to the gateway).
STATUSES = {
    -3: (None, False),  # message not found
    -1: (None, False),  # waiting to be sent
    0: ("pending", False),  # handed to the operator
    1: ("sent", False),  # delivered
    2: ("sent", False),  # read
    3: ("error", "expired"),  # expired
    4: ("sent", False),  # link opened
    20: ("error", "not_delivered"),  # impossible to deliver
    22: ("error", "invalid_destination"),  # wrong number
    23: ("error", "rejected"),  # forbidden
    24: ("error", "not_delivered"),  # not enough money
    25: ("error", "invalid_destination"),  # unavailable number
}


def digits(number):
    """The digits of a phone number, as SMSC writes it in its answers."""
    return re.sub(r"\D", "", number or "")


def send_error(code):
    """(provider state, temporary) of a send ``error_code``."""
    try:
        code = int(code)
    except (TypeError, ValueError):
        return ("unknown", False)
    return SEND_ERRORS.get(code, ("unknown", False))


def report(status):
    """(Odoo SMS state or None, provider error or False) of a status code."""
    return STATUSES.get(int(status), (None, False))


def list_line(phone, text):
    """One ``list`` line: the phone, a colon, the text with its new lines
    written as ``\\n``."""
    return f"{phone}:" + text.replace("\r\n", "\n").replace("\n", "\\n")


def plan(messages, size):
    """Requests for ``messages`` ([(text, [number, ...]), ...]): a list of
    ``(mode, [(index, phone digits, text), ...])`` with at most ``size``
    phones each and no phone twice in one request (the answer names
    phones, not messages). ``index`` numbers the (text, number) pairs in
    order. A text with several numbers goes as ``phones``; texts with one
    number each are gathered into ``list`` requests."""
    requests, singles, index = [], [], 0
    for text, numbers in messages:
        items = []
        for number in numbers:
            items.append((index, digits(number), text))
            index += 1
        if len(items) == 1:
            singles += items
        else:
            requests += [("phones", chunk) for chunk in _chunks(items, size)]
    for chunk in _chunks(singles, size):
        requests.append(("list" if len(chunk) > 1 else "phones", chunk))
    return requests


def _chunks(items, size):
    """Chunks of at most ``size`` items, none with a phone twice."""
    chunks, current, seen = [], [], set()
    for item in items:
        if len(current) >= size or item[1] in seen:
            chunks.append(current)
            current, seen = [], set()
        current.append(item)
        seen.add(item[1])
    if current:
        chunks.append(current)
    return chunks


def parts(text):
    """SMS parts SMSC bills for ``text``."""
    text = text or ""
    length, single, multi = 0, 160, 153
    for char in text:
        if char in GSM7_BASIC:
            length += 1
        elif char in GSM7_EXTENSION:
            length += 2
        else:
            length = sum(2 if ord(c) > 0xFFFF else 1 for c in text)
            single, multi = 70, 67
            break
    if not length:
        return 0
    return 1 if length <= single else math.ceil(length / multi)


def number(value):
    """A float from an SMSC amount (``"1.70"``), 0.0 when there is none."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0
