"""The period a dashboard period is compared with.

By default, the same number of days just before:

>>> previous(date(2026, 12, 1), date(2026, 12, 30))
(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))

A calendar period is compared with the same part of the calendar period
before (``compare``: ``month``, ``quarter`` or ``year``): this month so far
with the same days of last month, a whole month with the whole month
before, this year so far with the same days of last year:

>>> previous(date(2026, 12, 1), date(2026, 12, 6), "month")
(datetime.date(2026, 11, 1), datetime.date(2026, 11, 6))
>>> previous(date(2026, 3, 1), date(2026, 3, 31), "month")
(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
>>> previous(date(2026, 3, 1), date(2026, 3, 30), "month")
(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
>>> previous(date(2026, 10, 1), date(2026, 11, 15), "quarter")
(datetime.date(2026, 7, 1), datetime.date(2026, 8, 15))
>>> previous(date(2026, 1, 1), date(2026, 12, 6), "year")
(datetime.date(2025, 1, 1), datetime.date(2025, 12, 6))
>>> previous(date(2024, 2, 1), date(2024, 2, 29), "year")
(datetime.date(2023, 2, 1), datetime.date(2023, 2, 28))
"""

import calendar
from datetime import date, timedelta

SHIFTS = {"month": 1, "quarter": 3, "year": 12}


def last_day(year, month):
    return date(year, month, calendar.monthrange(year, month)[1])


def shift(day, months):
    """``day`` ``months`` months earlier, the month's last day when the
    earlier month is shorter, or when ``day`` is its own month's last day.

    >>> shift(date(2026, 3, 31), 1), shift(date(2026, 2, 28), 1)
    (datetime.date(2026, 2, 28), datetime.date(2026, 1, 31))
    """
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    end = last_day(year, month + 1)
    if day == last_day(day.year, day.month):
        return end
    return end.replace(day=min(day.day, end.day))


def previous(date_from, date_to, compare=None):
    """(from, to) of the period ``date_from``..``date_to`` is compared with:
    see the module's docstring. An unknown ``compare`` is the default."""
    months = SHIFTS.get(compare)
    if months:
        return shift(date_from, months), shift(date_to, months)
    length = date_to - date_from + timedelta(days=1)
    return date_from - length, date_from - timedelta(days=1)
