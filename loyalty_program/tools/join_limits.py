"""Limits of the public join page: how often a code may be sent to a phone
and how many attempts one address may make. Times are seconds (floats).

>>> wait_before_send([], now=1000, interval=60, max_sends=3, window=3600)
0
>>> wait_before_send([990], now=1000, interval=60, max_sends=3, window=3600)
50
>>> wait_before_send([100, 200, 300], now=1000, interval=60, max_sends=3, window=3600)
>>> wait_before_send([100, 200, 300], now=4000, interval=60, max_sends=3, window=3600)
0
>>> is_burst([995, 996, 997], now=1000, limit=3, window=60)
True
>>> is_burst([900, 996, 997], now=1000, limit=3, window=60)
False
"""


def wait_before_send(sent_at, now, interval, max_sends, window):
    """Seconds to wait before a code may be sent again to a phone that was
    sent codes at the times ``sent_at``: 0 now, ``None`` when the
    ``max_sends`` codes of the rolling ``window`` are used up."""
    recent = [t for t in sent_at if now - t < window]
    if len(recent) >= max_sends:
        return None
    if recent:
        return max(0, int(interval - (now - max(recent))))
    return 0


def is_burst(attempts_at, now, limit, window):
    """True when ``limit`` attempts or more fall in the last ``window``."""
    return sum(1 for t in attempts_at if now - t < window) >= limit
