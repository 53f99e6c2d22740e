"""Pacing the bot's queue within Telegram's limits: about 30 messages a
second for the whole bot, and one a second to the same chat. The sender
works in rounds: each round takes at most the room :class:`Pace` leaves
in the last second, one message per chat (:func:`pick`), sends them side
by side and waits for the next round.

>>> pace = Pace(per_second=3)
>>> pace.room(10.0)
3
>>> pace.spend(10.0, 2); pace.room(10.5)
1
>>> pace.spend(10.5); pace.room(10.6), round(pace.wait(10.6), 2)
(0, 0.4)
>>> pace.room(11.01)  # the first two left the window
2
>>> pace.wait(11.01)
0.0

One message per chat in a round, and none to a chat that got one less
than a second ago:

>>> rows = [(1, "a"), (2, "a"), (3, "b"), (4, "c"), (5, "d")]
>>> pick(rows, limit=3, busy_until={"c": 5.5}, now=5.0)
[1, 3, 5]
>>> pick(rows, limit=10, busy_until={}, now=5.0)
[1, 3, 4, 5]

A failed send is tried again later, at most ``MAX_TRIES`` times:

>>> [retry_delay(tries) for tries in (1, 2, 3, 8)]
[30, 60, 120, 3600]
"""

from collections import deque

PER_SECOND = 30  # messages a second for one bot (Telegram's broadcast limit)
PER_CHAT_SECONDS = 1.0  # seconds between two messages to one chat
MAX_TRIES = 5  # a message failing for a transient reason this often fails
THREADS = 8  # sends in flight at once (each waits ~100 ms for Telegram)


class Pace:
    """Sends of the last second, to keep within ``per_second``."""

    def __init__(self, per_second=PER_SECOND):
        self.per_second = per_second
        self.times = deque()

    def _forget(self, now):
        while self.times and self.times[0] <= now - 1.0:
            self.times.popleft()

    def room(self, now):
        """How many may go now."""
        self._forget(now)
        return max(self.per_second - len(self.times), 0)

    def wait(self, now):
        """Seconds before one more may go."""
        self._forget(now)
        if len(self.times) < self.per_second:
            return 0.0
        return max(self.times[0] + 1.0 - now, 0.0)

    def spend(self, now, count=1):
        self.times.extend([now] * count)


def pick(rows, limit, busy_until, now):
    """Ids of at most ``limit`` of ``rows`` ((id, chat) in sending order),
    one per chat, none to a chat in ``busy_until`` ({chat: moment}) before
    its moment."""
    chosen, seen = [], set()
    for message_id, chat in rows:
        if len(chosen) >= limit:
            break
        if chat in seen or busy_until.get(chat, 0.0) > now:
            continue
        seen.add(chat)
        chosen.append(message_id)
    return chosen


def retry_delay(tries):
    """Seconds before trying a failed send again: 30 s, doubling, at most
    an hour."""
    return min(30 * 2 ** (max(tries, 1) - 1), 3600)
