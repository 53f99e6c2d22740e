"""The story the demo database tells: a shop's customers over one year.

Plain Python, seeded, so that every demo database tells the same story
(relative to the day it is built). :mod:`..models.lp_demo` turns it into
partners, members, POS and sales orders posted through the real paths.

Each customer follows a persona: how often they come, how much they spend,
when they first and last came (days before today)::

>>> customers = build(random.Random(7), members=40, others=10)
>>> len(customers), sum(c.member for c in customers)
(50, 40)
>>> sorted({c.persona for c in customers if c.member}) == sorted(PERSONAS)
True

Visits lie in the persona's window, oldest first, one a day at most:

>>> champion = next(c for c in customers if c.persona == "champion")
>>> days = [v.days_ago for v in champion.visits]
>>> days == sorted(days, reverse=True) and len(set(days)) == len(days)
True
>>> PERSONAS["champion"].last[0] <= days[-1] <= days[0] <= DAYS
True
>>> [c.visits for c in customers if not c.visits]
[]

Phones and emails are unique, so that a lookup finds one customer:

>>> len({c.phone for c in customers}) == len({c.email for c in customers}) == 50
True

Members join on the day of one of their visits (most at the first; a few
bought before joining); in a shop of a few hundred members somebody joins
every week of the year:

>>> all(c.joined in [v.days_ago for v in c.visits] for c in customers if c.member)
True
>>> shop = build(random.Random(7), members=200, others=40)
>>> set(range(DAYS // 7)) <= {c.joined // 7 for c in shop if c.member}
True
"""

import random  # noqa: F401  (used by the doctests)
from collections import namedtuple
from datetime import date, timedelta

DAYS = 365

# visits: (min, max) purchases in the year; ticket: (min, max) amount of one
# purchase; first/last: (min, max) days ago of the first and last purchase;
# spend: chance to pay with points when the balance allows; share: weight
# among members, among other customers.
Persona = namedtuple("Persona", "visits ticket first last spend share other_share")

PERSONAS = {
    "champion": Persona((18, 28), (60, 140), (330, 364), (0, 8), 0.35, 8, 0),
    "loyal": Persona((10, 16), (45, 100), (240, 364), (0, 20), 0.3, 17, 0),
    "regular": Persona((5, 9), (30, 85), (150, 364), (0, 40), 0.25, 26, 35),
    "occasional": Persona((2, 4), (20, 70), (30, 364), (15, 110), 0.2, 17, 45),
    "new": Persona((1, 2), (25, 80), (0, 45), (0, 3), 0.1, 10, 0),
    "sleeping": Persona((4, 7), (30, 90), (250, 364), (100, 170), 0.2, 13, 0),
    "lost": Persona((1, 3), (20, 60), (300, 364), (250, 290), 0.0, 9, 20),
}

# Where members joined, with weights; the till hands out printed cards, the
# messenger bot (the till's QR code) gives a virtual one in the chat.
SOURCES = [
    ("pos", 52),
    ("backend", 12),
    ("sale", 10),
    ("portal", 12),
    ("import", 6),
    ("bot", 8),
]

FIRST_NAMES = (  # noqa: SIM905
    "Emma Olivia Ava Sophia Mia Amelia Harper Evelyn Abigail Emily Ella "
    "Grace Chloe Lily Zoe Nora Hannah Layla Aria Ruby Liam Noah Oliver "
    "James Elijah William Henry Lucas Benjamin Theodore Jack Levi Daniel "
    "Owen Samuel Leo Ethan Mason Logan Caleb"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez "
    "Martinez Hernandez Lopez Wilson Anderson Thomas Taylor Moore Jackson "
    "Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young "
    "Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson "
    "Baker"
).split()
AREA_CODES = (202, 212, 312, 415, 617, 646, 702, 718, 773, 206)

# joined: days ago the customer joined (a visit's day), None for others.
Customer = namedtuple(
    "Customer",
    "name email phone birthday consent_email consent_sms channel persona "
    "member source visits joined",
)
# days_ago: whole days before today; hour: local time of day; channel: "pos"
# or "sale"; spend: share (0-1) of the allowed points paid with points;
# refund_after: days after which part of it comes back (None: kept).
Visit = namedtuple("Visit", "days_ago hour channel spend refund_after")


def _pick(rng, weighted):
    names = [name for name, _weight in weighted]
    return rng.choices(names, weights=[w for _name, w in weighted])[0]


def _visits(rng, persona):
    spec = PERSONAS[persona]
    first = rng.randint(*spec.first)
    last = min(rng.randint(*spec.last), first)
    count = min(rng.randint(*spec.visits), first - last + 1)
    days = {first, last}
    while len(days) < count:
        days.add(rng.randint(last, first))
    visits = []
    for days_ago in sorted(days, reverse=True):
        spend = rng.uniform(0.5, 1.0) if rng.random() < spec.spend else 0.0
        refund = rng.randint(1, 10) if rng.random() < 0.04 else None
        if refund is not None and refund >= days_ago:
            refund = None
        channel = "sale" if rng.random() < 0.12 else "pos"
        visits.append(Visit(days_ago, rng.randint(9, 20), channel, spend, refund))
    return visits


def _names(rng, count):
    pairs = [(f, n) for f in FIRST_NAMES for n in LAST_NAMES]
    rng.shuffle(pairs)
    return pairs[:count]


def build(rng, members=200, others=40, today=None):
    """``members`` loyalty members and ``others`` customers who never joined,
    each with a persona and a year of visits."""
    today = today or date.today()
    people = []
    for count, weight_of in ((members, "share"), (others, "other_share")):
        weighted = [(name, getattr(p, weight_of)) for name, p in PERSONAS.items()]
        weighted = [(name, w) for name, w in weighted if w]
        names = list(dict(weighted))
        # Every persona at least once, the rest by weight.
        people += [(name, weight_of == "share") for name in names[:count]]
        people += [
            (_pick(rng, weighted), weight_of == "share")
            for _i in range(count - min(count, len(names)))
        ]
    customers = []
    for index, ((persona, member), (first, last)) in enumerate(
        zip(people, _names(rng, len(people)), strict=True)
    ):
        area = AREA_CODES[index % len(AREA_CODES)]
        birthday = (
            today - timedelta(days=rng.randint(18 * 365, 75 * 365))
            if rng.random() < 0.85
            else None
        )
        consent_email = rng.random() < 0.7
        consent_sms = rng.random() < 0.55
        channel = rng.choice(
            [c for c, ok in (("email", consent_email), ("sms", consent_sms)) if ok]
            or [None]
        )
        customers.append(
            Customer(
                name=f"{first} {last}",
                email=f"{first}.{last}.{index}@example.com".lower(),
                phone=f"+1 {area} 555 {index // len(AREA_CODES):04d}",
                birthday=birthday,
                consent_email=consent_email,
                consent_sms=consent_sms,
                channel=channel,
                persona=persona,
                member=member,
                source=_pick(rng, SOURCES) if member else None,
                visits=(visits := _visits(rng, persona)),
                joined=visits[0].days_ago if member else None,
            )
        )
    return _every_week(rng, customers)


def _every_week(rng, customers):
    """Move a few members' joining to a later visit of theirs so that every
    week of the year has somebody joining: for each week without a join,
    a member who visited that week and whose own joining week has others
    joins that week instead (their earlier visits become purchases of a
    customer not yet a member)."""
    weeks = {}
    for index, customer in enumerate(customers):
        if customer.member:
            weeks.setdefault(customer.joined // 7, []).append(index)
    for week in range(DAYS // 7):
        if weeks.get(week):
            continue
        candidates = [
            (index, visit.days_ago)
            for index, customer in enumerate(customers)
            if customer.member and len(weeks[customer.joined // 7]) > 1
            for visit in customer.visits
            if visit.days_ago // 7 == week and visit.days_ago < customer.joined
        ]
        if not candidates:
            continue
        index, day = rng.choice(candidates)
        weeks[customers[index].joined // 7].remove(index)
        weeks[week] = [index]
        customers[index] = customers[index]._replace(joined=day)
    return customers
