"""When a trigger is due for a customer: the plain-Python twin of the SQL
in ``models/lp_trigger_due.py`` (and of the birthday bonus job).

A birthday is kept on the day it falls in a given year; 29 February falls
on 28 February in the years without it. A greeting is due ``lead_days``
before that day; a run that did not happen is caught up by the next ones
for ``catch_up_days`` days (the occasion key, the birthday's year, makes
sure it is sent once).

>>> from datetime import date
>>> observed_birthday(date(1992, 2, 29), 2027)
datetime.date(2027, 2, 28)
>>> observed_birthday(date(1992, 2, 29), 2028)
datetime.date(2028, 2, 29)
>>> birthday_due(date(1990, 5, 17), date(2026, 5, 17))
(2026, datetime.date(2026, 5, 17))
>>> birthday_due(date(1990, 5, 17), date(2026, 5, 18), catch_up_days=1)
(2026, datetime.date(2026, 5, 17))
>>> birthday_due(date(1990, 5, 17), date(2026, 5, 19), catch_up_days=1) is None
True
>>> birthday_due(date(1990, 1, 2), date(2026, 12, 30), lead_days=3)
(2027, datetime.date(2027, 1, 2))
>>> birthday_due(date(1990, 12, 31), date(2027, 1, 1), catch_up_days=1)
(2026, datetime.date(2026, 12, 31))
>>> birthday_due(date(1992, 2, 29), date(2027, 2, 28))
(2027, datetime.date(2027, 2, 28))
"""

import calendar
from datetime import date, timedelta


def observed_birthday(birthday, year):
    """The day ``birthday`` is celebrated in ``year``."""
    day = birthday.day
    if birthday.month == 2 and day == 29 and not calendar.isleap(year):
        day = 28
    return date(year, birthday.month, day)


def birthday_due(birthday, today, lead_days=0, catch_up_days=0):
    """(year, observed birthday) when a greeting ``lead_days`` before the
    birthday is due on ``today`` (or was due at most ``catch_up_days``
    earlier), else None."""
    for year in (today.year - 1, today.year, today.year + 1):
        observed = observed_birthday(birthday, year)
        due = observed - timedelta(days=lead_days)
        if today - timedelta(days=catch_up_days) <= due <= today:
            return year, observed
    return None


def downgrade_day(window_spend, threshold, dropouts, window_days):
    """The first day the tier-period spend falls below ``threshold`` when
    nothing more is bought, and what is left to spend by the day before to
    keep the tier: ``(day, spend_left)`` or None. ``dropouts`` are
    ``(purchase day, amount)`` of the spend still in the period, the
    ``window_days`` period being counted up to and including today.

    >>> downgrade_day(35000, 30000, [(date(2026, 1, 10), 8000)], 365)
    (datetime.date(2027, 1, 11), 3000)
    >>> downgrade_day(35000, 30000, [(date(2026, 1, 10), 2000)], 365) is None
    True
    """
    spend = window_spend
    for day, amount in sorted(dropouts):
        spend -= amount
        if spend < threshold:
            return day + timedelta(days=window_days + 1), threshold - spend
    return None
