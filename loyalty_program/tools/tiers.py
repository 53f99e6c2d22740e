"""Tier thresholds.

>>> levels = [Level(1, 0), Level(2, 30000), Level(3, 100000)]
>>> tier_for(levels, 45000)
2
>>> tier_for(levels, -5)
1
>>> tier_for([], 100) is None
True
"""

from collections import namedtuple

Level = namedtuple("Level", "id threshold")


def tier_for(levels, spend):
    """Id of the highest level whose threshold ``spend`` reaches; the lowest
    level when none is reached (everyone is at least in the base tier)."""
    ordered = sorted(levels, key=lambda level: level.threshold)
    if not ordered:
        return None
    best = ordered[0].id
    for level in ordered:
        if spend >= level.threshold:
            best = level.id
    return best
