"""What offers add to a member order at the till (issue 21): the lookup
and the paid order's sync of members without offers against members with
three active offers that all apply (points: a fixed bonus, a percentage,
a multiplier), in one process on ``lp_bench_offers`` of
``bench_offers.py``, each call with a cold ORM cache, the two kinds of
members alternated so that drift hits both alike, in one transaction
rolled back at the end.

For each call it prints the median time and the SQL statements, and the
ratio of the medians. ``--show-sql`` lists the addon's statements of the
last order with offers (and splits the counts between the addon and core:
slower, reading the stack of each statement makes every statement cost a
few milliseconds more).

Run it after ``bench_offers.py`` made the database::

    benchmarks/run bench_offer_posting.py [--orders 40]
"""

import argparse
import cProfile
import pstats
import statistics
import sys
import time

from _argv import split_argv
from _common import log, open_env, setup_odoo
from bench_member_path import Recorder
from bench_offers import DBNAME
from bench_pos import Till

import odoo.sql_db


class Counter:
    """Counts the statements ``Cursor.execute`` runs while ``on``, without
    reading the stack (``Recorder`` does, which costs milliseconds per
    statement: the times would favour the calls with fewer statements)."""

    def __init__(self):
        self.on = False
        self.count = 0
        original = odoo.sql_db.Cursor.execute
        counter = self

        def execute(cr, query, params=None, log_exceptions=True):
            if counter.on:
                counter.count += 1
            return original(cr, query, params, log_exceptions)

        odoo.sql_db.Cursor.execute = execute

    def run(self, func, *args):
        self.count = 0
        self.on = True
        started = time.perf_counter()
        cpu = time.process_time()
        try:
            result = func(*args)
        finally:
            self.on = False
        self.cpu = time.process_time() - cpu
        return result, time.perf_counter() - started, [(None, "")] * self.count


def make_offers(env, program, members):
    """Three running personal offers that apply to any basket, made to
    ``members``."""
    Offer = env["lp.offer"]
    offers = Offer.create(
        [
            {
                "name": f"Bench offer {kind}",
                "program_id": program.id,
                "audience": "personal",
                "reward_type": kind,
                "reward_value": value,
                "uses_per_customer": 0,
                "control_percent": 0.0,
                "state": "running",
            }
            for kind, value in (("points", 10.0), ("percent", 2.0), ("multiply", 2.0))
        ]
    )
    env["lp.offer.member"].create(
        [
            {"offer_id": offer.id, "member_id": member.id}
            for offer in offers
            for member in members
        ]
    )
    return offers


def main():
    own, odoo_args = split_argv(sys.argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=DBNAME)
    parser.add_argument("--orders", type=int, default=40)
    parser.add_argument("--show-sql", action="store_true")
    parser.add_argument(
        "--profile", action="store_true", help="profile the syncs with 3 offers"
    )
    args = parser.parse_args(own)
    setup_odoo(odoo_args)
    # Times without the stack of each statement; its lines with --show-sql.
    recorder = Recorder() if args.show_sql else Counter()
    profiler = cProfile.Profile() if args.profile else None
    figures = {}
    cpu = {}
    last_rows = []
    with open_env(args.db) as env:
        env.company.point_of_sale_update_stock_quantities = "closing"
        till = Till("offers", env)
        program = env["lp.member"]._lp_pos_programs()[:1]
        members = env["lp.member"].search(
            [("program_id", "=", program.id), ("state", "=", "active")],
            limit=args.orders * 2,
            order="id desc",
        )
        # Nobody holds an offer but those given three here.
        env.cr.execute(
            "UPDATE lp_offer_member SET state = 'cancelled' WHERE member_id IN %s",
            [tuple(members.ids)],
        )
        env.cr.execute(
            "UPDATE lp_member SET offer_until = NULL WHERE id IN %s",
            [tuple(members.ids)],
        )
        env.invalidate_all()
        with_offers = members[1::2]
        make_offers(env, program, with_offers)
        env.flush_all()
        log(f"{len(members)} members, {len(with_offers)} with 3 offers")
        orders = till.orders
        for index, member in enumerate(members):
            kind = "3 offers" if member in with_offers else "no offer"
            payload = till.order_payload(member.partner_id, index)
            env.invalidate_all()
            info, seconds, rows = recorder.run(
                orders.lp_pos_member_for_partner, member.partner_id.id, payload["uuid"]
            )
            assert len(info["offers"]) == (3 if kind == "3 offers" else 0), info
            figures.setdefault(f"lookup, {kind}", []).append((seconds, rows))
            cpu.setdefault(f"lookup, {kind}", []).append(getattr(recorder, "cpu", 0.0))
            env.invalidate_all()
            profiling = profiler and kind == "3 offers"
            if profiling:
                profiler.enable()
            result, seconds, rows = recorder.run(orders.sync_from_ui, [payload])
            env.cr.flush()
            if profiling:
                profiler.disable()
            order = env["pos.order"].browse(result["pos.order"][0]["id"])
            assert order.lp_posted, order.name
            if kind == "3 offers":
                assert order.lp_offer_points > 0, order.name
                last_rows = rows
            figures.setdefault(f"sync, {kind}", []).append((seconds, rows))
            cpu.setdefault(f"sync, {kind}", []).append(getattr(recorder, "cpu", 0.0))
    print(
        f"{'call':<24}{'n':>4}{'median ms':>11}{'CPU ms':>8}{'queries':>9}{'addon':>7}"
    )
    medians, cpus = {}, {}
    for name, runs in sorted(figures.items()):
        times = [seconds for seconds, _rows in runs]
        counts = [len(rows) for _s, rows in runs]
        addon = [sum(1 for frame, _q in rows if frame) for _s, rows in runs]
        medians[name] = statistics.median(times)
        cpus[name] = statistics.median(cpu[name])
        print(
            f"{name:<24}{len(runs):>4}{medians[name] * 1000:>11.1f}"
            f"{cpus[name] * 1000:>8.1f}"
            f"{statistics.median(counts):>9.0f}{statistics.median(addon):>7.0f}"
        )
    for call in ("lookup", "sync"):
        ratio = medians[f"{call}, 3 offers"] / medians[f"{call}, no offer"]
        cpu_ratio = cpus[f"{call}, 3 offers"] / (cpus[f"{call}, no offer"] or 1)
        print(
            f"{call}: 3 offers / no offer = {ratio:.3f} (time), "
            f"{cpu_ratio:.3f} (this process's CPU)"
        )
    if profiler:
        print("\n== profile of the syncs with 3 offers (the addon's functions)")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats("loyalty_program", 30)
        stats.print_callees("_lp_record_uses|_create_credits|_lp_plan")
    if args.show_sql:
        print("\n== sync with 3 offers, the addon's statements")
        for frame, query in last_rows:
            if frame:
                print(f"  [{frame}] {query}")


if __name__ == "__main__":
    main()
