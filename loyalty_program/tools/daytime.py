"""When a message may go out: a sending window in local time (say 10:00 to
21:00) in each customer's time zone, turned into a UTC moment. Mass mailing
has one send date per mailing, so the customers are grouped into buckets of
the same UTC moment (one mailing per bucket).

The day is a calendar day in the customer's zone; pytz gives the offset of
that very day, so daylight saving time is right. A customer whose window of
that day is already over when ``not_before`` comes gets the next day's
start; one inside the window gets ``not_before`` itself.

>>> from datetime import date, datetime
>>> send_time("Asia/Vladivostok", date(2026, 3, 2), 10, 21)
datetime.datetime(2026, 3, 2, 0, 0)
>>> send_time("Europe/Kaliningrad", date(2026, 3, 2), 10, 21)
datetime.datetime(2026, 3, 2, 8, 0)
>>> send_time("Europe/Berlin", date(2026, 7, 1), 10, 21)  # summer time
datetime.datetime(2026, 7, 1, 8, 0)
>>> send_time("Europe/Berlin", date(2026, 1, 5), 10, 21)
datetime.datetime(2026, 1, 5, 9, 0)
>>> send_time("Europe/Moscow", date(2026, 3, 2), 10, 21,
...           not_before=datetime(2026, 3, 2, 12, 30))  # 15:30 in Moscow
datetime.datetime(2026, 3, 2, 12, 30)
>>> send_time("Europe/Moscow", date(2026, 3, 2), 10, 21,
...           not_before=datetime(2026, 3, 2, 19, 0))  # 22:00: tomorrow
datetime.datetime(2026, 3, 3, 7, 0)
>>> send_time("Nowhere/Unknown", date(2026, 3, 2), 10, 21)  # falls back to UTC
datetime.datetime(2026, 3, 2, 10, 0)
"""

import functools
from datetime import datetime, time, timedelta

import pytz


def zone(tz_name, default="UTC"):
    """The pytz zone of ``tz_name``, ``default`` when unknown or empty."""
    try:
        return pytz.timezone(tz_name or default)
    except pytz.UnknownTimeZoneError:
        return pytz.timezone(default)


def hour_to_time(hour):
    """9.5 -> 09:30. Hours at or past 24 are 23:59."""
    if hour >= 24:
        return time(23, 59)
    minutes = round(hour * 60)
    return time(minutes // 60, minutes % 60)


def to_utc(tz, day, hour):
    """Naive UTC datetime of local ``hour`` on ``day`` in zone ``tz``."""
    local = tz.localize(datetime.combine(day, hour_to_time(hour)), is_dst=None)
    return local.astimezone(pytz.utc).replace(tzinfo=None)


def _safe_to_utc(tz, day, hour):
    try:
        return to_utc(tz, day, hour)
    except (pytz.AmbiguousTimeError, pytz.NonExistentTimeError):
        local = tz.localize(datetime.combine(day, hour_to_time(hour)), is_dst=False)
        return local.astimezone(pytz.utc).replace(tzinfo=None)


@functools.lru_cache(maxsize=32768)
def window(tz_name, day, hour_from, hour_to):
    """(start, end) of the sending window of ``day``, naive UTC. Kept:
    the runs of one day (every trigger, every campaign) ask each zone's
    window again, and a zone's window of a day never changes."""
    tz = zone(tz_name)
    return _safe_to_utc(tz, day, hour_from), _safe_to_utc(tz, day, hour_to)


def send_time(tz_name, day, hour_from, hour_to, not_before=None, max_days=7):
    """The first UTC moment (naive), on ``day`` or after, inside the local
    window [hour_from, hour_to) of zone ``tz_name``, not before
    ``not_before`` (naive UTC). Seconds are dropped."""
    if not 0 <= hour_from < hour_to <= 24:
        raise ValueError("the sending window must be within a day")
    for offset in range(max_days + 1):
        start, end = window(tz_name, day + timedelta(days=offset), hour_from, hour_to)
        if not_before is None or not_before <= start:
            return start
        if not_before < end:
            return not_before.replace(second=0, microsecond=0)
    raise ValueError("no sending window found")


def buckets(tz_names, day, hour_from, hour_to, not_before=None):
    """{tz_name: UTC send moment} for each zone of ``tz_names``."""
    return {
        name: send_time(name, day, hour_from, hour_to, not_before)
        for name in set(tz_names)
    }
