"""RFM scores and customer groups.

A score goes from 1 (worst) to 5 (best). Each dimension is cut by four
ascending breakpoints: the quintiles of the company's customers
(:func:`quantile_breaks`, the nightly job computes them) or values the
manager sets. The same breakpoints score everyone, in the nightly SQL and
when a single order refreshes one customer, so both agree.

Recency is the number of days since the last purchase, fewer is better:

>>> breaks = [10, 30, 90, 180]
>>> [recency_score(days, breaks) for days in (0, 10, 11, 30, 200)]
[5, 5, 4, 4, 1]

Frequency (purchases in the window) and monetary value (revenue in the
window), more is better; a value equal to a breakpoint stays below it:

>>> [score(value, [1, 2, 4, 8]) for value in (0, 1, 2, 3, 9)]
[1, 1, 2, 3, 5]

Quintiles follow PostgreSQL's ``percentile_disc``: the first value whose
position reaches the fraction. Ties keep the lower score, so the many
customers with a single purchase all score 1 on frequency:

>>> frequencies = [1, 1, 1, 1, 1, 1, 2, 2, 3, 5]
>>> quantile_breaks(frequencies)
[1, 1, 1, 2]
>>> sorted({score(f, quantile_breaks(frequencies)) for f in frequencies})
[1, 4, 5]
>>> quantile_breaks([])
[]

The group decides how a manager talks to the customer. The first rule that
holds wins: lost (no purchase for ``lost_days``), sleeping (see
:func:`is_sleeping`), new (first purchase within ``new_days``), at risk
(recency score 1-2), champions (4+ on all three), loyal (frequency 4+),
active (everyone else):

>>> s = Settings(new_days=30, sleeping_factor=3.0, sleeping_min_purchases=3,
...              sleeping_days=90, lost_days=365)
>>> rfm_group(5, 5, 5, days_since_last=3, days_since_first=400,
...           purchases=40, average_interval=10, settings=s)
'champions'
>>> rfm_group(5, 1, 1, 3, 3, 1, None, s)
'new'
>>> rfm_group(3, 4, 2, 20, 300, 12, 25, s)
'loyal'
>>> rfm_group(2, 3, 3, 60, 300, 6, 40, s)
'at_risk'
>>> rfm_group(4, 2, 3, 20, 300, 5, 5, s)
'sleeping'
>>> rfm_group(1, 1, 1, 400, 800, 9, 40, s)
'lost'
>>> rfm_group(0, 0, 0, None, None, 0, None, s) is None
True
"""

import math
from collections import namedtuple

FRACTIONS = (0.2, 0.4, 0.6, 0.8)

GROUPS = [
    ("new", "New customers"),
    ("active", "Active customers"),
    ("loyal", "Loyal"),
    ("champions", "Champions"),
    ("at_risk", "At risk"),
    ("sleeping", "Sleeping"),
    ("lost", "Lost customers"),
]

Settings = namedtuple(
    "Settings",
    "new_days sleeping_factor sleeping_min_purchases sleeping_days lost_days",
)


def quantile_breaks(values, fractions=FRACTIONS):
    """Breakpoints of ``values`` at ``fractions`` with the semantics of
    PostgreSQL's ``percentile_disc`` (row ``ceil(fraction * n)`` of the
    sorted values). An empty list gives no breakpoints."""
    ordered = sorted(values)
    if not ordered:
        return []
    count = len(ordered)
    return [ordered[max(math.ceil(fraction * count), 1) - 1] for fraction in fractions]


def score(value, breaks):
    """1 + the number of breakpoints ``value`` exceeds: more is better."""
    return 1 + sum(1 for bound in breaks if value > bound)


def recency_score(days, breaks):
    """5 - the number of breakpoints ``days`` exceeds: fewer is better."""
    return 5 - sum(1 for bound in breaks if days > bound)


def is_sleeping(days_since_last, purchases, average_interval, settings):
    """A customer sleeps when the time since the last purchase exceeds
    ``sleeping_factor`` times their own average interval, or, with fewer
    than ``sleeping_min_purchases`` purchases (no usual interval yet), the
    program-wide ``sleeping_days``.

    >>> s = Settings(30, 3.0, 3, 90, 365)
    >>> is_sleeping(31, 4, 10, s), is_sleeping(30, 4, 10, s)
    (True, False)
    >>> is_sleeping(60, 2, 10, s), is_sleeping(91, 2, 10, s)
    (False, True)
    """
    if purchases >= settings.sleeping_min_purchases and average_interval:
        return days_since_last > settings.sleeping_factor * average_interval
    return days_since_last > settings.sleeping_days


def rfm_group(
    recency,
    frequency,
    monetary,
    days_since_last,
    days_since_first,
    purchases,
    average_interval,
    settings,
):
    """Name of the customer's RFM group (a key of :data:`GROUPS`), or None
    for a customer who has never bought."""
    if not purchases or days_since_last is None:
        return None
    if days_since_last > settings.lost_days:
        return "lost"
    if is_sleeping(days_since_last, purchases, average_interval, settings):
        return "sleeping"
    if days_since_first <= settings.new_days:
        return "new"
    if recency <= 2:
        return "at_risk"
    if recency >= 4 and frequency >= 4 and monetary >= 4:
        return "champions"
    if frequency >= 4:
        return "loyal"
    return "active"
