"""Card numbers: digits with a GS1 (EAN) mod-10 check digit.

A 13-digit card number is a valid EAN-13, so any scanner reads it and the
Odoo barcode parser accepts it with the ``ean13`` encoding. Shorter or longer
numbers use the same weighting (3, 1, 3, ... from the right).

>>> check_digit("270000000001")
'4'
>>> is_valid("2700000000014")
True
>>> is_valid("2700000000015")
False
>>> make_number("27", 1, 13)
'2700000000014'
>>> normalize(" 2700-0000 00014 ")
'2700000000014'
>>> mask("2700000000014")
'•••• 0014'
"""

import re

_NON_DIGITS = re.compile(r"[\s\-.]")


def normalize(number):
    """Strip the spaces, dashes and dots people type or printers add."""
    return _NON_DIGITS.sub("", number or "")


def check_digit(body):
    """GS1 mod-10 check digit of the digit string ``body``."""
    if not body.isdigit():
        raise ValueError(f"not a digit string: {body!r}")
    total = sum(
        int(digit) * (3 if index % 2 == 0 else 1)
        for index, digit in enumerate(reversed(body))
    )
    return str((10 - total % 10) % 10)


def is_valid(number):
    """True when ``number`` is all digits and its last digit checks out."""
    return (
        len(number) >= 2 and number.isdigit() and check_digit(number[:-1]) == number[-1]
    )


def make_number(prefix, serial, length=13):
    """The card number ``prefix`` + zero-padded ``serial`` + check digit."""
    body_length = length - 1
    body = f"{prefix}{serial:0{body_length - len(prefix)}d}"
    if len(body) != body_length or not body.isdigit():
        raise ValueError(
            f"serial {serial} does not fit prefix {prefix!r} in {length} digits"
        )
    return body + check_digit(body)


def mask(number):
    """What a receipt or a till screen shows of a card number."""
    return "•••• " + number[-4:] if number else ""
