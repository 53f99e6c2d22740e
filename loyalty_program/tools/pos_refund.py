"""What a POS refund gives back, in money and in points.

A points discount ``discount`` (money) was spread over the order's goods
that points may pay for, in proportion to their price. A refund returns
quantities of some lines; each line can be returned at most once in all
(``before``: quantity returned by earlier refunds).

``Line(value, qty, before, now, spendable, earns)``: the original line's
price tax included (all units), its quantity, what earlier refunds returned,
what this refund returns, whether points could pay for it, whether it earned.

Tea 100 and coffee 100 paid 150 + 50 points; the tea comes back: 75 in money,
25 as points, half of the earn is taken back:

>>> tea = Line(100.0, 1, 0, 1, True, True)
>>> coffee = Line(100.0, 1, 0, 0, True, True)
>>> refund_figures([tea, coffee], discount=50.0)
Figures(goods=100.0, money=75.0, points_money=25.0, excess=0.0, earn_ratio=0.5)

The same tea returned again: nothing is left to give back; what a till paid
anyway is ``excess``:

>>> refund_figures([tea._replace(before=1), coffee], discount=50.0)
Figures(goods=0.0, money=0.0, points_money=0.0, excess=100.0, earn_ratio=0.0)

Cigarettes that earn but points may not pay for: they earned on their full
price, the tea on 75; returning the cigarettes takes back 100 / 175 of the
earn:

>>> cigs = Line(100.0, 1, 0, 1, False, True)
>>> refund_figures([cigs, tea._replace(now=0)], discount=25.0).earn_ratio == 100 / 175
True

The ratio is exact: on a large order a rounded one would take back cents
more than the goods returned from the tier spend. 150 cartons of 200 earn
on 30,000 beside 20,000 of tea paid 50 in points (an earn base of 49,950):
returning them takes back 30,000, not 30,000.02:

>>> cartons = Line(30000.0, 150, 0, 150, False, True)
>>> teas = Line(20000.0, 200, 0, 0, True, True)
>>> round(49950 * refund_figures([cartons, teas], discount=50.0).earn_ratio, 6)
30000.0

Tobacco (points may not pay for it, it earns nothing) carries no share:

>>> tobacco = Line(50.0, 1, 0, 1, False, False)
>>> refund_figures([tobacco, coffee._replace(now=0)], discount=50.0)
Figures(goods=50.0, money=50.0, points_money=0.0, excess=0.0, earn_ratio=0.0)
"""

from collections import namedtuple

Line = namedtuple("Line", "value qty before now spendable earns")
Figures = namedtuple("Figures", "goods money points_money excess earn_ratio")


def _r(amount):
    return round(amount + 0.0, 2)


def refund_figures(lines, discount):
    """The refund's :class:`Figures`: ``goods`` (shelf value returned),
    ``money`` (what the customer gets back in money, net of the points
    share), ``points_money`` (the share of the points discount, to give back
    as points), ``excess`` (money for quantities beyond what was sold) and
    ``earn_ratio`` (the part of the order's earn to take back)."""
    spend_total = sum(line.value for line in lines if line.spendable and line.value > 0)
    goods = spendable = earning = earning_spendable = excess = 0.0
    for line in lines:
        if not line.qty or line.now <= 0:
            continue
        left = max(0.0, abs(line.qty) - line.before)
        taken = min(line.now, left)
        unit = line.value / abs(line.qty)
        value = unit * taken
        excess += unit * (line.now - taken)
        goods += value
        if line.spendable and line.value > 0:
            spendable += value
        if line.earns and line.value > 0:
            earning += value
            if line.spendable:
                earning_spendable += value
    points_money = discount * spendable / spend_total if spend_total > 0 else 0.0
    points_money = min(points_money, discount)
    # The earn lay on the earning goods net of the points share of those
    # points may pay for (tools.sale_points.earn_base): reverse in that measure.
    net = 1.0 - min(discount / spend_total, 1.0) if spend_total > 0 else 1.0
    earn_net = sum(
        line.value * (net if line.spendable else 1.0)
        for line in lines
        if line.earns and line.value > 0
    )
    earning = earning_spendable * net + (earning - earning_spendable)
    # Not rounded: the ratio applies to the earn's points and to its tier
    # spend, which on a large order would move by cents.
    earn_ratio = min(1.0, earning / earn_net) if earn_net > 0 else 0.0
    return Figures(
        _r(goods),
        _r(goods - points_money),
        _r(points_money),
        _r(excess),
        earn_ratio,
    )
