"""loyalty_program against core ``pos_loyalty``, side by side under the
same load: the server CPU a member order costs, as a ratio to a plain order
of the same system in the same run, and what each system lets happen when
two tills spend one card's points at the same moment.

Two databases on the same PostgreSQL, each served by an Odoo server of its
own (``--workers``), the tills as HTTP clients (``_load_till.py`` for this
addon, its till's front end; ``_peer.py`` for core's, ``pos_loyalty``'s
front end): ``lp_bench_load``, a copy of ``lp_bench_<size>`` of
``bench_core.py`` with the addon updated to the code under test, and
``lp_bench_peer_load``, a copy of ``lp_bench_peer_<size>`` (``point_of_sale``
and ``pos_loyalty``, the same number of customers, each with a card of a
"Loyalty Cards" program and its history). PostgreSQL is made durable for the
run, as ``bench_load.py`` does.

Phases of ``--seconds`` alternate between the systems: for each round, each
number of tills and each kind of order (``plain``: no customer; ``earn``: a
member who only earns; ``spend``: a member who earns and pays part with
points; ``hot``: every till on one card), one phase of each system, the
system that goes first alternating from round to round. The customer
statistics job of the addon (every minute in a shop) runs at the end of
each of its phases and counts in it. Then, in both systems, ``--race-tries``
times two tills spend 90 of a card's 100 points at the same moment.

It prints per system, kind and tills: paid orders per minute, the server's
CPU per order (Odoo and PostgreSQL, from ``/proc``; median of the rounds),
its ratio to the plain order of the same system, round and tills (median),
the 95th percentile of a whole order as the till sees it, and the requests
Odoo retried and those that failed; then the books of both systems and the
race. Exits non-zero when a book is wrong.

Run it with ``benchmarks/run bench_peer.py [--tills 4,16] [--seconds 30]
[--rounds 2]``; ``LOYALTY_BENCH_ADDON`` (see ``benchmarks/run``) measures
another tree of the addon against the same peer.
"""

import os
import signal
import statistics
import sys
import threading
import time
from collections import Counter
from uuid import uuid4

import _peer
import bench_load
from _common import (
    SIZES,
    bench_args,
    log,
    open_env,
    percentile,
    prepare_core_database,
    print_table,
    update_modules,
)
from _load_till import RpcError, Till

from odoo.tools import config

PEER_DB = "lp_bench_peer_load"
KINDS = ("plain", "earn", "spend", "hot")
RACE_POINTS, RACE_SPEND = 100.0, 90.0


def main():
    parser = bench_args(__doc__.splitlines()[0])
    parser.add_argument("--size", default="small", choices=sorted(SIZES))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--tills", default="4,16", type=lambda s: [int(x) for x in s.split(",")]
    )
    parser.add_argument(
        "--kinds",
        default="plain,earn,spend",
        type=lambda s: [x for x in s.split(",") if x],
        help="plain, earn, spend, hot (every till on one card)",
    )
    parser.add_argument("--seconds", type=float, default=30, help="per phase")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--warmup", type=float, default=8, help="seconds per kind, unmeasured"
    )
    parser.add_argument("--orders", type=int, default=400, help="at most, per till")
    parser.add_argument("--pool", type=int, default=2000, help="members served")
    parser.add_argument("--race-tries", type=int, default=5)
    parser.add_argument("--port", type=int, default=18800)
    parser.add_argument("--no-update", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep both databases")
    parser.add_argument(
        "--stock", default="real", choices=["real", "closing"], help="see bench_load"
    )
    args = parser.parse_args()
    for kind in args.kinds:
        if kind not in KINDS:
            parser.error(f"unknown kind {kind!r}")
    # bench_load's phases read these.
    args.refund_every, args.member_share = 0, 1.0
    signal.signal(signal.SIGTERM, lambda *_a: sys.exit("stopped"))
    signal.signal(signal.SIGINT, lambda *_a: sys.exit("interrupted"))

    template, info = prepare_core_database(args.size, seed=args.seed)
    members = info.get("members", SIZES[args.size])
    peer_template = _peer.prepare_peer_database(args.size, members, seed=args.seed)
    log(f"copying {template} to {bench_load.LOAD_DB}, {peer_template} to {PEER_DB}")
    bench_load.copy_database(template)
    bench_load.copy_database(peer_template, PEER_DB)
    if not args.no_update:
        update_modules(bench_load.LOAD_DB)
    count = max(max(args.tills), 2)
    ours = bench_load.setup_tills(count, args.pool, args.seed, args.stock)
    ours["system"] = "loyalty_program"
    peer = _peer.setup_peer(
        PEER_DB, count, args.pool, args.seed, args.stock, bench_load.PASSWORD
    )
    log(f"loyalty_program's till front end: {ours['front_end']}")
    logdir = os.path.dirname(config["logfile"] or "") or "logs"
    stamp = time.strftime("%Y%m%d_%H%M%S")
    servers = {
        "loyalty_program": bench_load.Server(
            args.workers, args.port, f"{logdir}/bench-peer-{stamp}-ours.log"
        ),
        "pos_loyalty": bench_load.Server(
            args.workers,
            args.port + 10,
            f"{logdir}/bench-peer-{stamp}-pos_loyalty.log",
            db=PEER_DB,
        ),
    }
    systems = {"loyalty_program": (ours, Till), "pos_loyalty": (peer, _peer.PeerTill)}
    results, races = [], {}
    before = bench_load.set_durability(bench_load.DURABLE)
    try:
        for server in servers.values():
            server.start()
        for name, (setup, till_class) in systems.items():
            bench_load.warm_up(
                servers[name], setup, args.kinds, args, till_class=till_class
            )
        peer_before = card_points(peer)
        index = 0
        for round_ in range(args.rounds):
            order = list(systems)
            if round_ % 2:
                order.reverse()
            for tills in args.tills:
                for kind in args.kinds:
                    for name in order:
                        setup, till_class = systems[name]
                        index += 1
                        log(f"round {round_ + 1}: {name}, {tills} tills, {kind}")
                        result = bench_load.run_phase(
                            servers[name], setup, kind, tills, args, index, till_class
                        )
                        result.update(system=name, round=round_, kind=kind)
                        results.append(result)
        if args.race_tries:
            races["loyalty_program"] = race_ours(servers["loyalty_program"], ours, args)
            races["pos_loyalty"] = race_peer(servers["pos_loyalty"], peer, args)
    finally:
        for server in servers.values():
            server.stop()
        bench_load.set_durability(dict.fromkeys(bench_load.DURABLE))
    print(
        f"loyalty_program against pos_loyalty: {os.cpu_count()} CPUs, {members:,} "
        f"customers each, {args.workers} workers each, PostgreSQL durable (was "
        f"{before}), {args.seconds:.0f} s phases, {args.rounds} rounds, stock "
        f"updated {bench_load.STOCK[args.stock]}, the addon's till front end "
        f"{ours['front_end']!r}; server logs {logdir}/bench-peer-{stamp}-*.log"
    )
    report(results)
    checks = [
        (f"loyalty_program: {c}", o, ok)
        for c, o, ok in bench_load.check_books(
            [r for r in results if r["system"] == "loyalty_program"], ours
        )
    ]
    checks += [
        (f"pos_loyalty: {c}", o, ok)
        for c, o, ok in check_peer_books(
            [r for r in results if r["system"] == "pos_loyalty"], peer, peer_before
        )
    ]
    print_table(
        "The books",
        [(c, o, "ok" if ok else "WRONG") for c, o, ok in checks],
        ("check", "outcome", ""),
    )
    if races:
        report_races(races)
    if not args.keep:
        bench_load.drop_load_database()
        bench_load.drop_load_database(PEER_DB)
    if not all(ok for _c, _o, ok in checks):
        sys.exit(1)


# Figures


def report(results):
    groups = {}
    for r in results:
        groups.setdefault((r["system"], r["kind"], r["tills"]), []).append(r)
    plain = {
        (r["system"], r["round"], r["tills"]): bench_load.server_cpu_ms(r)
        for r in results
        if r["kind"] == "plain"
    }
    rows = []
    for (system, kind, tills), runs in sorted(groups.items()):
        cpu = [c for c in map(bench_load.server_cpu_ms, runs) if c]
        ratios = [
            c / plain[(system, r["round"], tills)]
            for r, c in zip(runs, map(bench_load.server_cpu_ms, runs), strict=True)
            if c and plain.get((system, r["round"], tills))
        ]
        per_min = [
            sum(1 for *_x, ok in r["orders"] if ok) * 60.0 / r["span"] for r in runs
        ]
        whole = [s for r in runs for _k, s, ok in r["order_seconds"] if ok]
        failed = sum(1 for r in runs for _n, _s, error in r["calls"] if error)
        failed += sum(len(r["fatal"]) for r in runs)
        retried = sum((r["retried"] for r in runs), Counter())
        rows.append(
            (
                system,
                kind,
                tills,
                f"{statistics.median(per_min):.0f}",
                f"{statistics.median(cpu):.0f}" if cpu else "-",
                f"{statistics.median(ratios):.2f}" if ratios else "-",
                " / ".join(f"{c:.0f}" for c in cpu),
                f"{percentile(whole, 95) * 1000:.0f}" if whole else "-",
                sum(retried.values()),
                failed,
            )
        )
    print_table(
        "Per paid order: server CPU (Odoo + PostgreSQL) and its ratio to a plain "
        "order of the same system, round and tills (medians of the rounds)",
        rows,
        (
            "system",
            "kind",
            "tills",
            "orders/min",
            "CPU ms",
            "x plain",
            "CPU ms per round",
            "p95 order ms",
            "retried",
            "failed",
        ),
    )
    rows = []
    for r in results:
        calls = sorted({name for name, _s, _e in r["calls"]})
        for call in calls:
            times = [s for n, s, e in r["calls"] if n == call and not e]
            if times:
                rows.append(
                    (
                        r["system"],
                        r["round"] + 1,
                        r["kind"],
                        r["tills"],
                        call,
                        len(times),
                        " / ".join(
                            f"{percentile(times, p) * 1000:.0f}" for p in (50, 95)
                        ),
                    )
                )
    print_table(
        "Requests, ms (p50 / p95, as the till sees them)",
        rows,
        ("system", "round", "kind", "tills", "request", "n", "p50 / p95"),
    )
    errors = Counter(
        (r["system"], r["kind"], r["tills"], name, error[:140])
        for r in results
        for name, _s, error in r["calls"]
        if error
    )
    if errors:
        print("\nFailed requests:")
        for key, n in errors.most_common(20):
            print(f"  {' / '.join(map(str, key))}: {n}")


# The peer's books


def card_points(setup):
    """{card id: points} of the cards the tills serve."""
    cards = [m["card_id"] for m in setup["members"]] + [setup["hot"]["card_id"]]
    with open_env(setup["db"]) as env:
        env.cr.execute(
            "SELECT id, points FROM loyalty_card WHERE id = ANY(%s)", [cards]
        )
        return dict(env.cr.fetchall())


def check_peer_books(results, setup, points_before):
    """What core's tills sent is what the cards hold: every order answered
    paid once and paid, one history line per member order with the points
    the till earned and spent, each card moved by the sum of its orders,
    nothing on plain orders."""
    orders = [o for r in results for o in r["orders"]]
    ok_orders = [o for o in orders if o[-1]]
    checks = []
    with open_env(setup["db"]) as env:
        cr = env.cr
        cr.execute(
            "SELECT uuid, count(*), bool_and(state IN ('paid', 'done')), min(id) "
            "FROM pos_order WHERE uuid = ANY(%s) GROUP BY uuid",
            [[o[1] for o in orders]],
        )
        found = {uuid: (n, paid, oid) for uuid, n, paid, oid in cr.fetchall()}
        missing = [o[1] for o in ok_orders if o[1] not in found]
        twice = [u for u, (n, _p, _i) in found.items() if n != 1]
        unpaid = [u for u, (_n, paid, _i) in found.items() if not paid]
        checks.append(
            (
                "orders answered paid are in the database once, paid",
                (
                    f"{len(ok_orders)} answered, {len(missing)} missing, "
                    f"{len(twice)} twice, {len(unpaid)} not paid"
                ),
                not missing and not twice and not unpaid,
            )
        )
        order_ids = {uuid: oid for uuid, (_n, _p, oid) in found.items()}
        cr.execute(
            """
            SELECT order_id, card_id, count(*), sum(issued), sum(used)
              FROM loyalty_history
             WHERE order_model = 'pos.order' AND order_id = ANY(%s)
             GROUP BY order_id, card_id
            """,
            [list(order_ids.values())],
        )
        history = {
            oid: (card, n, issued, used) for oid, card, n, issued, used in cr.fetchall()
        }
        wrong, lost = [], []
        moved = Counter()
        for kind, uuid, card_id, spent, earned, ok in orders:
            line = history.get(order_ids.get(uuid))
            if kind == "plain":
                if line:
                    wrong.append((kind, uuid, line))
                continue
            if not ok:
                if uuid in found and not line:
                    lost.append(uuid)  # paid, its points never posted
                elif line:
                    moved[card_id] += line[2] - line[3]
                continue
            if not line or line[0] != card_id or line[1] != 1:
                wrong.append((kind, uuid, line))
            elif abs(line[2] - earned) > 0.005 or abs(line[3] - spent) > 0.005:
                wrong.append((kind, uuid, line, earned, spent))
            moved[card_id] += earned - spent
        checks.append(
            (
                (
                    "one history line per member order with its points, none on "
                    "plain orders"
                ),
                f"{len(wrong)} wrong" + (f", e.g. {wrong[:2]}" if wrong else ""),
                not wrong,
            )
        )
        checks.append(
            (
                (
                    "member orders paid whose points were never posted (the "
                    "request after the order's commit failed)"
                ),
                str(len(lost)),
                not lost,
            )
        )
        cr.execute(
            "SELECT id, points FROM loyalty_card WHERE id = ANY(%s)",
            [list(points_before)],
        )
        now = dict(cr.fetchall())
        off = [
            (card, points_before[card], moved[card], now[card])
            for card in points_before
            if abs(points_before[card] + moved[card] - now[card]) > 0.01
        ]
        checks.append(
            (
                "each card moved by what its orders earned less what they spent",
                f"{len(off)} of {len(points_before)} cards off"
                + (f", e.g. {off[:2]}" if off else ""),
                not off,
            )
        )
        negative = [card for card, points in now.items() if points < 0]
        checks.append(("cards with negative points", str(len(negative)), not negative))
        cr.rollback()
    return checks


# Two tills, one card, the same moment


def race_ours(server, setup, args):
    """``--race-tries`` members with 100 points; for each, tills 0 and 1
    look the member up, then at the same moment each reserves 90 and pays
    (with its points line when the reservation held, else without).
    Returns [(points spent, balance after)]."""
    phones = []
    with open_env(setup["db"]) as env:
        program = env["lp.program"].search([], limit=1)
        for index in range(args.race_tries):
            phone = f"+7 999 {index:03d}-{int(time.time()) % 10000:04d}"
            partner = env["res.partner"].create(
                {"name": f"Race {index}", "phone": phone}
            )
            member = env["lp.member"]._enrol(partner, program, welcome=False)
            env["lp.ledger"]._post(
                [{"member_id": member.id, "kind": "gift", "amount": RACE_POINTS}]
            )
            phones.append((phone, member.id, partner.id))
        env.cr.commit()
    outcomes = []
    for phone, member_id, partner_id in phones:
        barrier = threading.Barrier(2)

        def till_run(
            index, phone=phone, member_id=member_id, partner_id=partner_id,
            barrier=barrier,
        ):  # fmt: skip
            till = Till(server.url, setup, index, "spend", [], seed=index, options={})
            till.session_id = till.open_session()
            order_uuid = str(uuid4())
            kwargs = {"order_uuid": order_uuid}
            if setup["front_end"] != "former":
                kwargs["config_id"] = till.till["config_id"]
            till.rpc.call("pos.order", "lp_pos_lookup", phone, **kwargs)
            lines = till.goods()
            amounts = [
                {"product_id": v["product_id"], "amount": v["price_subtotal_incl"]}
                for _c, _i, v in lines
            ]
            barrier.wait()
            try:
                till.rpc.call(
                    "pos.order",
                    "lp_pos_reserve",
                    member_id,
                    RACE_SPEND,
                    order_uuid,
                    amounts,
                    False,
                    till.till["config_id"],
                )
                lines.append(till.line(setup["points_product"], 1, -RACE_SPEND))
            except RpcError:
                pass  # refused: the customer pays in money
            payload = till.payload(order_uuid, lines, partner_id)
            payload["lp_till_member_id"] = member_id
            till.sync("sync member", payload)

        outcomes.append(run_pair(till_run))
    with open_env(setup["db"]) as env:
        result = []
        for _phone, member_id, _partner in phones:
            env.cr.execute(
                "SELECT coalesce(-sum(amount), 0) FROM lp_ledger "
                "WHERE member_id = %s AND kind = 'spend'",
                [member_id],
            )
            spent = env.cr.fetchone()[0]
            env.cr.execute("SELECT balance FROM lp_member WHERE id = %s", [member_id])
            result.append((spent, env.cr.fetchone()[0]))
        env.cr.rollback()
    return [(*r, errors) for r, errors in zip(result, outcomes, strict=True)]


def race_peer(server, setup, args):
    """The same in core: cards with 100 points; each till scans the card,
    reads the customer and the card, then at the same moment validates a
    reward of 90 points, pays and confirms."""
    cards = []
    with open_env(setup["db"]) as env:
        for index in range(args.race_tries):
            partner = env["res.partner"].create({"name": f"Race {index}"})
            card = env["loyalty.card"].create(
                {
                    "program_id": setup["program_id"],
                    "partner_id": partner.id,
                    "points": RACE_POINTS,
                }
            )
            cards.append(
                {"card": card.code, "card_id": card.id, "partner_id": partner.id}
            )
        env.cr.commit()
    outcomes = []
    for member in cards:
        barrier = threading.Barrier(2)

        def till_run(index, member=member, barrier=barrier):
            till = RacePeerTill(
                server.url,
                setup,
                index,
                "spend",
                [member],
                seed=index,
                options={"points": (int(RACE_SPEND), int(RACE_SPEND))},
            )
            till.barrier = barrier
            till.session_id = till.open_session()
            till.member_order()

        outcomes.append(run_pair(till_run))
    with open_env(setup["db"]) as env:
        result = []
        for member in cards:
            env.cr.execute(
                "SELECT coalesce(sum(used), 0) FROM loyalty_history WHERE card_id = %s",
                [member["card_id"]],
            )
            spent = env.cr.fetchone()[0]
            env.cr.execute(
                "SELECT points FROM loyalty_card WHERE id = %s", [member["card_id"]]
            )
            result.append((spent, env.cr.fetchone()[0]))
        env.cr.rollback()
    return [(*r, errors) for r, errors in zip(result, outcomes, strict=True)]


class RacePeerTill(_peer.PeerTill):
    """Core's till, waiting for the other till before it validates the
    reward (``self.barrier``): both claim the points at the same moment."""

    barrier = None

    def timed(self, name, model, method, *args, **kwargs):
        if name == "validate":
            self.barrier.wait()
        return super().timed(name, model, method, *args, **kwargs)


def run_pair(till_run):
    """Run ``till_run(0)`` and ``till_run(1)`` in two threads; returns the
    errors (a refused reservation is not one)."""
    errors = []

    def target(index):
        try:
            till_run(index)
        except Exception as error:  # noqa: BLE001 - reported
            errors.append(f"{type(error).__name__}: {error}"[:120])

    threads = [threading.Thread(target=target, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def report_races(races):
    rows = []
    for system, tries in races.items():
        for index, (spent, after, errors) in enumerate(tries, 1):
            rows.append(
                (
                    system,
                    index,
                    f"{RACE_POINTS:g}",
                    f"2 x {RACE_SPEND:g}",
                    f"{spent:g}",
                    f"{RACE_POINTS - spent:g}",
                    f"{after:g}",
                    "; ".join(errors) or "-",
                )
            )
    print_table(
        "Two tills spend one card's points at the same moment: what is left of "
        "its points, the orders' earning apart (the balance after counts what "
        "pos_loyalty credits at once; the addon holds it 14 days)",
        rows,
        (
            "system",
            "try",
            "points",
            "wanted",
            "spent",
            "left, earning apart",
            "balance after",
            "errors",
        ),
    )


if __name__ == "__main__":
    main()
