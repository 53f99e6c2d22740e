"""Money arithmetic of bonus points on a sales document or a till order,
without the ORM: one rule for every channel (sales orders, POS).

A document line is a :class:`Line`: the amount the customer pays for it (taxes
included, after line discounts, negative for a discount line), whether it
earns points, whether points may pay for it, and whether it is itself a
bonus-points discount line.

>>> lines = [Line(100.0, True, True, False), Line(50.0, False, True, False),
...          Line(30.0, True, False, False), Line(-30.0, False, False, True)]
>>> order_total(lines), spendable_total(lines), points_discount(lines)
(180.0, 150.0, 30.0)

The points discount lies on the spendable lines in proportion to their
amounts: here 20 of it on the 100 that earns, so 100 - 20 + 30 earns.

>>> earn_base(lines)
110.0
"""

from collections import namedtuple

Line = namedtuple("Line", "amount earns spendable points")

EPSILON = 1e-6


def order_total(lines):
    """What the lines cost before the points discount."""
    return round(sum(line.amount for line in lines if not line.points), 6)


def spendable_total(lines):
    """The part of :func:`order_total` points may pay for."""
    return round(
        sum(line.amount for line in lines if line.spendable and not line.points), 6
    )


def points_discount(lines):
    """The money the points pay (positive).

    >>> points_discount([Line(80.0, True, True, False)])
    0.0
    """
    return round(-sum(line.amount for line in lines if line.points), 6) or 0.0


def earn_base(lines):
    """The amount that earns points: the lines that earn, less the share of
    the points discount that lies on them (never below zero). The discount
    lies on the lines points may pay for. It is also what counts toward the
    tier, on every channel.

    >>> earn_base([Line(100.0, True, True, False), Line(-100.0, False, False, True)])
    0.0
    >>> earn_base([Line(60.0, False, True, False), Line(40.0, True, False, False),
    ...            Line(-30.0, False, False, True)])
    40.0
    """
    discount = points_discount(lines)
    spendable = spendable_total(lines)
    earning = sum(line.amount for line in lines if line.earns and not line.points)
    earning_spendable = sum(
        line.amount
        for line in lines
        if line.earns and line.spendable and not line.points
    )
    share = discount * earning_spendable / spendable if spendable > EPSILON else 0.0
    return round(max(earning - share, 0.0), 6)


def points_share(lines):
    """The part (0 to 1) of each line points may pay for that the points
    discount paid, the rest being money: what each such line earns on is
    its amount times one less this.

    >>> points_share([Line(100.0, True, True, False), Line(50.0, True, False, False),
    ...               Line(-25.0, False, False, True)])
    0.25
    >>> points_share([Line(100.0, True, False, False)])
    0.0
    """
    spendable = spendable_total(lines)
    if spendable <= EPSILON:
        return 0.0
    return round(min(points_discount(lines) / spendable, 1.0), 9)


def reversed_share(amount, base_amount, reversals):
    """Share (0 to 1) of a ledger entry already reversed, from its reversals
    ``[(amount, shortfall, base_amount)]``. A credit counts what was taken
    back plus what could not be (the shortfall); a debit counts what was
    given back; an entry of 0 points counts its purchase amount.

    >>> reversed_share(100.0, 2000.0, [(-30.0, 0.0, -600.0), (-10.0, 10.0, -400.0)])
    0.5
    >>> reversed_share(-40.0, 0.0, [(10.0, 0.0, 0.0)])
    0.25
    >>> reversed_share(0.0, 500.0, [(0.0, 0.0, -500.0)])
    1.0
    >>> reversed_share(0.0, 0.0, [])
    1.0
    """
    if amount > EPSILON:
        done = sum(-rev_amount + shortfall for rev_amount, shortfall, _b in reversals)
        share = done / amount
    elif amount < -EPSILON:
        share = sum(rev_amount for rev_amount, _s, _b in reversals) / -amount
    elif abs(base_amount) > EPSILON:
        share = sum(-rev_base for _a, _s, rev_base in reversals) / base_amount
    else:
        return 1.0
    return min(max(share, 0.0), 1.0)


def ratio_left(requested, done):
    """The part of ``requested`` (a share of an entry) still reversible when
    ``done`` of it was reversed already: several partial refunds add up to
    100% at most.

    >>> ratio_left(0.5, 0.75)
    0.25
    >>> ratio_left(0.3, 1.0)
    0.0
    """
    left = max(0.0, min(requested, 1.0 - done))
    return 0.0 if left < EPSILON else round(left, 9)


def format_points(points):
    """Points as people write them: no useless decimals.

    >>> format_points(150.0), format_points(12.5), format_points(0.25)
    ('150', '12.5', '0.25')
    """
    text = f"{points:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
