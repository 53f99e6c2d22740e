"""Offers: does an order meet an offer's condition, and what is the offer
worth on it. Plain Python: the server runs it when a paid till order or a
confirmed sales order is posted, and when the till asks which money
discounts to propose.

An order is a list of :class:`Line` (goods only: no points or offer
discount lines, no returned goods): a key (the order line's id), the
product, its category and every parent category, quantity and amount paid
(tax included). An offer's condition and reward are :class:`Terms`.

Coffee x2 on weekdays: the coffee lines match, the tea does not.

>>> coffee = Line(1, 10, frozenset({3, 1}), 2.0, 300.0)
>>> tea = Line(2, 11, frozenset({4, 1}), 1.0, 100.0)
>>> terms = Terms(product_ids=frozenset({10}), reward_type="multiply", value=2.0)
>>> [line.key for line in match(terms, [coffee, tea], WEDNESDAY_NOON, "pos")]
[1]

A category matches its subcategories; no product and no category: the
whole basket. Below the minimum quantity or amount, nothing matches:

>>> [line.key for line in match(Terms(categ_ids=frozenset({1})), [coffee, tea],
...                             WEDNESDAY_NOON, "pos")]
[1, 2]
>>> match(terms._replace(min_qty=3.0), [coffee, tea], WEDNESDAY_NOON, "pos")
[]
>>> match(Terms(basket_min=500.0), [coffee, tea], WEDNESDAY_NOON, "pos")
[]

Days, hours and channels:

>>> match(terms._replace(weekdays=frozenset({5, 6})), [coffee], WEDNESDAY_NOON, "pos")
[]
>>> match(terms._replace(hour_from=8.0, hour_to=11.5), [coffee], WEDNESDAY_NOON, "pos")
[]
>>> len(match(terms._replace(hour_from=22.0, hour_to=13.0), [coffee],
...           WEDNESDAY_NOON, "pos"))
1
>>> match(terms._replace(channel="sale"), [coffee], WEDNESDAY_NOON, "pos")
[]

What the offer gives on the matching amount: x2 doubles what the
matching goods earn (``earned``, already rounded by the program), a
percentage credits that share of the amount as points, a discount takes
that share off in money; the cap per order (points, or money for a
discount) and what is left of the customer's cap bound it:

>>> worth(terms, 300.0, earned=15.0)
Worth(points=15.0, discount=0.0)
>>> worth(terms._replace(value=3.0, order_cap=20.0), 300.0, earned=15.0)
Worth(points=20.0, discount=0.0)
>>> worth(Terms(reward_type="points", value=50.0), 300.0, earned=15.0)
Worth(points=50.0, discount=0.0)
>>> worth(Terms(reward_type="percent", value=10.0), 300.0, earned=15.0, point_value=0.5)
Worth(points=60.0, discount=0.0)
>>> worth(Terms(reward_type="discount", value=20.0), 300.0, earned=15.0)
Worth(points=0.0, discount=60.0)
>>> worth(Terms(reward_type="discount", value=20.0), 300.0, 15.0, left=25.0)
Worth(points=0.0, discount=25.0)
"""

from collections import namedtuple
from datetime import datetime

Line = namedtuple("Line", "key product_id categ_ids qty amount")

TERMS_FIELDS = (
    "product_ids categ_ids min_qty min_amount basket_min weekdays hour_from "
    "hour_to channel reward_type value order_cap"
)
Terms = namedtuple("Terms", TERMS_FIELDS)
Terms.__new__.__defaults__ = (
    frozenset(),  # product_ids
    frozenset(),  # categ_ids
    0.0,  # min_qty
    0.0,  # min_amount
    0.0,  # basket_min
    frozenset(range(7)),  # weekdays (Monday is 0)
    0.0,  # hour_from
    24.0,  # hour_to
    "any",  # channel
    "multiply",  # reward_type
    2.0,  # value
    0.0,  # order_cap (0: none)
)

Worth = namedtuple("Worth", "points discount")
NOTHING = Worth(0.0, 0.0)

POINTS_REWARDS = ("multiply", "points", "percent")
DISCOUNT_REWARDS = ("discount",)

# A Wednesday at noon, for the examples.
WEDNESDAY_NOON = datetime(2026, 3, 4, 12, 0)


def _r(amount):
    return round(amount + 0.0, 2)


def in_hours(hour, hour_from, hour_to):
    """Whether ``hour`` (a float, 13.5 is half past one) lies in
    ``[hour_from, hour_to)``; a window ending before it starts runs over
    midnight.

    >>> in_hours(12.0, 0.0, 24.0), in_hours(23.0, 22.0, 6.0), in_hours(7.0, 22.0, 6.0)
    (True, True, False)
    """
    if hour_from <= hour_to:
        return hour_from <= hour < hour_to
    return hour >= hour_from or hour < hour_to


def matches_line(terms, line):
    """Whether ``line`` is one of the goods the offer is about."""
    if not terms.product_ids and not terms.categ_ids:
        return True
    return line.product_id in terms.product_ids or bool(
        terms.categ_ids & line.categ_ids
    )


def match(terms, lines, when, channel):
    """The lines the offer rewards, or ``[]`` when the order does not meet
    the condition: ``when`` is the order's local time, ``channel`` 'pos'
    or 'sale'."""
    if terms.channel not in ("any", channel):
        return []
    if when.weekday() not in terms.weekdays:
        return []
    if not in_hours(when.hour + when.minute / 60.0, terms.hour_from, terms.hour_to):
        return []
    goods = [line for line in lines if line.qty > 0 and line.amount > 0]
    if sum(line.amount for line in goods) < terms.basket_min - 0.005:
        return []
    matched = [line for line in goods if matches_line(terms, line)]
    if not matched:
        return []
    if sum(line.qty for line in matched) < terms.min_qty - 1e-6:
        return []
    if sum(line.amount for line in matched) < terms.min_amount - 0.005:
        return []
    return matched


def worth(terms, amount, earned, point_value=1.0, left=None):
    """:class:`Worth` of the offer on ``amount`` of matching goods, of
    which the program credits ``earned`` points; ``left``: what remains of
    the customer's cap (points, or money for a discount; None: no cap)."""
    if amount <= 0:
        return NOTHING
    kind, value = terms.reward_type, terms.value
    points = discount = 0.0
    if kind == "multiply":
        points = earned * max(value - 1.0, 0.0)
    elif kind == "points":
        points = value
    elif kind == "percent":
        points = amount * value / 100.0 / point_value
    elif kind == "discount":
        discount = min(amount * value / 100.0, amount)
    caps = [cap for cap in (terms.order_cap or None, left) if cap is not None]
    limit = min(caps) if caps else None
    if limit is not None:
        points, discount = (
            min(points, max(limit, 0.0)),
            min(discount, max(limit, 0.0)),
        )
    return Worth(_r(points), _r(discount))


Returned = namedtuple("Returned", "value qty before now")


def refund_ratio(lines):
    """Share of an offer to take back when a refund returns goods it
    rewarded: the value returned of the matching lines (each returned at
    most once over all refunds: ``before`` is what earlier refunds
    returned) over their value.

    >>> refund_ratio([Returned(300.0, 2, 0, 1), Returned(100.0, 1, 0, 0)])
    0.375
    >>> refund_ratio([Returned(300.0, 2, 1, 2)])
    0.5
    >>> refund_ratio([])
    0.0
    """
    total = sum(line.value for line in lines if line.value > 0)
    if total <= 0:
        return 0.0
    back = 0.0
    for line in lines:
        if not line.qty or line.value <= 0:
            continue
        taken = min(max(line.now, 0.0), max(abs(line.qty) - line.before, 0.0))
        back += line.value * taken / abs(line.qty)
    return round(min(back / total, 1.0), 6)
