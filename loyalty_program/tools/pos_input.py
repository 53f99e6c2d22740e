"""Checks of what a till sends: points, order uuids, member ids, lines.

Each function returns the clean value or raises ``ValueError`` (``TypeError``
for a value of the wrong type) with a short
English reason (the caller turns it into a translated ``UserError``).

>>> parse_points(12.5)
12.5
>>> parse_points(3)
3.0
>>> parse_points("12")
Traceback (most recent call last):
TypeError: not a number
>>> parse_points(float("nan"))
Traceback (most recent call last):
ValueError: not a finite number
>>> parse_points(-1)
Traceback (most recent call last):
ValueError: negative
>>> parse_points(0.001)
Traceback (most recent call last):
ValueError: more than two decimals
>>> parse_points(10**12)
Traceback (most recent call last):
ValueError: too large
>>> parse_uuid("0f8fad5b-d9cb-469f-a165-70867728950e")
'0f8fad5b-d9cb-469f-a165-70867728950e'
>>> parse_uuid("'; DROP TABLE")
Traceback (most recent call last):
ValueError: not an order id
>>> parse_id(7)
7
>>> parse_id(True)
Traceback (most recent call last):
ValueError: not a record id
>>> parse_lines([{"product_id": 3, "amount": 10.5}])
[{'product_id': 3, 'amount': 10.5}]
>>> parse_lines([{"product_id": 3, "amount": 10.5, "qty": 2}])
[{'product_id': 3, 'amount': 10.5, 'qty': 2.0}]
>>> parse_lines([{"product_id": 3, "amount": "10"}])
Traceback (most recent call last):
TypeError: a line amount is not a number
"""

import math
import re

MAX_POINTS = 1e9
MAX_AMOUNT = 1e12
MAX_LINES = 2000
# A till makes uuid4s; tests and other clients use other hex-and-dash ids.
_UUID = re.compile(r"^[0-9a-fA-F][0-9a-fA-F-]{7,63}$")


def _number(value, reason="not a number"):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(reason)
    value = float(value)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def parse_points(value):
    """A number of points: finite, not negative, at most two decimals."""
    points = _number(value)
    if points < 0:
        raise ValueError("negative")
    if points > MAX_POINTS:
        raise ValueError("too large")
    if abs(round(points, 2) - points) > 1e-9:
        raise ValueError("more than two decimals")
    return round(points, 2)


def parse_uuid(value):
    """The uuid of a till order (as the till makes them)."""
    if not isinstance(value, str) or not _UUID.match(value):
        raise ValueError("not an order id")
    return value


def parse_id(value):
    """A database id: a positive integer."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError("not a record id")
    return value


def parse_lines(lines):
    """``[{"product_id": id, "amount": price incl. tax}]`` as the till sends
    (and ``qty``, a number, when the caller needs it)."""
    if not isinstance(lines, list) or len(lines) > MAX_LINES:
        raise ValueError("the order lines are not a list")
    clean = []
    for line in lines:
        if not isinstance(line, dict):
            raise TypeError("an order line is not a mapping")
        product_id = parse_id(line.get("product_id"))
        amount = _number(line.get("amount"), "a line amount is not a number")
        if abs(amount) > MAX_AMOUNT:
            raise ValueError("a line amount is too large")
        item = {"product_id": product_id, "amount": amount}
        if "qty" in line:
            qty = _number(line["qty"], "a line quantity is not a number")
            if abs(qty) > MAX_AMOUNT:
                raise ValueError("a line quantity is too large")
            item["qty"] = qty
        clean.append(item)
    return clean
