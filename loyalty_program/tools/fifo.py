"""FIFO allocation of a debit over open credits.

Credits are consumed earliest-expiring first; credits that never expire come
last; ties go to the oldest credit. Amounts are in points, rounded to
``precision`` decimals to stay exact.

>>> credits = [Credit(1, 50, "2026-03-01", 1), Credit(2, 30, "2026-02-01", 2),
...            Credit(3, 100, None, 3)]
>>> allocate(credits, 60)
[(2, 30.0), (1, 30.0)]
>>> allocate(credits, 181)  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
...
InsufficientPoints: 181.0 > 180.0
"""

from collections import namedtuple

Credit = namedtuple("Credit", "id remaining expiry sequence")
"""``expiry`` is any comparable value (a date, an ISO string) or None;
``sequence`` breaks ties (the posting order)."""


class InsufficientPoints(ValueError):
    """The credits do not cover the debit."""


def fifo_order(credit):
    """Sort key: earliest expiry first, never-expiring last, then oldest."""
    return (credit.expiry is None, credit.expiry or 0, credit.sequence)


def allocate(credits, amount, precision=2):
    """Split ``amount`` over ``credits`` FIFO; return ``[(credit_id, part)]``.

    Raises :class:`InsufficientPoints` when the credits hold less than
    ``amount``; nothing is allocated then.
    """
    amount = float(round(amount, precision))
    available = float(round(sum(c.remaining for c in credits), precision))
    if amount > available:
        raise InsufficientPoints(f"{amount} > {available}")
    parts = []
    left = amount
    for credit in sorted(credits, key=fifo_order):
        if left <= 0:
            break
        part = float(round(min(credit.remaining, left), precision))
        if part > 0:
            parts.append((credit.id, part))
            left = round(left - part, precision)
    return parts


def proportional(total, weights, precision=2):
    """Split ``total`` in proportion to ``weights``, rounding so the parts add
    up to ``total`` exactly (the last non-zero weight takes the remainder).

    >>> proportional(10, [1, 1, 1])
    [3.33, 3.33, 3.34]
    >>> proportional(0, [5, 5])
    [0.0, 0.0]
    """
    weight_sum = sum(weights)
    if not weight_sum:
        return [0.0 for _w in weights]
    parts = [float(round(total * w / weight_sum, precision)) for w in weights]
    last = max(i for i, w in enumerate(weights) if w)
    rest = total - sum(parts[:last]) - sum(parts[last + 1 :])
    parts[last] = float(round(rest, precision))
    return parts
