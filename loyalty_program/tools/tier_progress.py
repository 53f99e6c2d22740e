"""Where a member stands against the tiers: the spend left to the next tier
and the spend needed to keep the current one.

``spend`` is the member's spend over the tier period now; ``kept_spend`` the
part of it that will still count at a later date (older purchases leave the
rolling period). Thresholds are amounts in the program's currency.

>>> levels = [Level(1, 0), Level(2, 30000), Level(3, 100000)]
>>> p = progress(levels, 2, 45000, 20000)
>>> p.next_id, p.to_next, p.percent
(3, 55000, 45)
>>> p.to_keep
10000
>>> p = progress(levels, 3, 120000, 120000)
>>> p.next_id, p.to_next, p.percent, p.to_keep
(None, 0, 100, 0)
>>> p = progress(levels, 3, 120000, 70000)
>>> p.to_keep, p.percent
(30000, 70)
>>> progress(levels, 1, 0, 0)
Progress(next_id=2, to_next=30000, percent=0, to_keep=0)
>>> progress([], None, 500, 500)
Progress(next_id=None, to_next=0, percent=0, to_keep=0)
"""

from collections import namedtuple

from .tiers import Level

__all__ = ["Level", "Progress", "progress"]

Progress = namedtuple("Progress", "next_id to_next percent to_keep")


def progress(levels, current_id, spend, kept_spend):
    """Progress of a member in tier ``current_id``.

    ``next_id``/``to_next``: the lowest tier above both the current tier and
    the spend, and the spend it still needs. ``percent``: toward the next tier
    (spend / its threshold), or at the top, how much of the top threshold the
    ``kept_spend`` covers. ``to_keep``: spend needed, on top of
    ``kept_spend``, to stay in the current tier (0 for the lowest tier).
    """
    ordered = sorted(levels, key=lambda level: level.threshold)
    current = next((lvl for lvl in ordered if lvl.id == current_id), None)
    floor = current.threshold if current else 0
    higher = [lvl for lvl in ordered if lvl.threshold > max(floor, spend)]
    to_keep = max(0, floor - kept_spend) if floor > 0 else 0
    if higher:
        nxt = higher[0]
        percent = int(min(100, max(0, spend * 100 // nxt.threshold)))
        return Progress(nxt.id, nxt.threshold - spend, percent, to_keep)
    if not current:
        return Progress(None, 0, 0, 0)
    percent = int(min(100, kept_spend * 100 // floor)) if floor > 0 else 100
    return Progress(None, 0, percent, to_keep)
