"""Where the server time of a member order goes: the till's three calls
(``lp_pos_lookup``, ``lp_pos_reserve``, ``sync_from_ui``) of a member order
with a points discount, and the sync of the same order without a customer
and with a customer who is not a member (core's own cost of a customer),
and the customer's statistics refresh the server runs after the member
order's commit,
in one process on ``lp_bench_<size>`` of ``bench_core.py``, each with a
cold ORM cache, in one transaction rolled back at the end.

For each call it prints the median time and the SQL statements, and splits
the statements of the sync between the addon (a ``loyalty_program`` frame
on the stack) and core. ``--show-sql`` lists the addon's statements of one
order, with the addon's innermost frame that made each.

Run it with ``benchmarks/run bench_member_path.py [--size small] [--orders 30]``.
"""

import argparse
import collections
import cProfile
import pstats
import statistics
import sys
import time
import traceback

from _argv import split_argv
from _common import log, open_env, prepare_core_database, setup_odoo, update_modules
from bench_pos import Till

import odoo.sql_db

ADDON = "/loyalty_program/"


class Recorder:
    """Counts the statements ``Cursor.execute`` runs while ``on``; each is
    tagged with the addon's frame that made it: the innermost module frame
    on the stack when it is the addon's (ORM frames skipped), else None
    (core's module code, called through one of the addon's overrides)."""

    def __init__(self):
        self.on = False
        self.rows = []
        original = odoo.sql_db.Cursor.execute
        recorder = self

        def execute(cr, query, params=None, log_exceptions=True):
            if recorder.on:
                frame = None
                for entry in reversed(traceback.extract_stack(limit=60)):
                    if ADDON in entry.filename and "benchmarks" not in entry.filename:
                        name = entry.filename.split(ADDON)[-1]
                        frame = f"{name}:{entry.lineno} {entry.name}"
                        break
                    if "/addons/" in entry.filename:
                        break  # core's module code made it (through our override)
                text = query.code if hasattr(query, "code") else str(query)
                recorder.rows.append((frame, " ".join(text.split())[:160]))
            return original(cr, query, params, log_exceptions)

        odoo.sql_db.Cursor.execute = execute

    def run(self, func, *args):
        self.rows = []
        self.on = True
        started = time.perf_counter()
        try:
            result = func(*args)
        finally:
            self.on = False
        return result, time.perf_counter() - started, list(self.rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="small")
    parser.add_argument("--orders", type=int, default=30)
    parser.add_argument("--show-sql", action="store_true")
    parser.add_argument("--no-update", action="store_true")
    parser.add_argument(
        "--stock",
        default="closing",
        choices=["real", "closing"],
        help="the company's 'Update quantities in stock' (see bench_load.py)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile (cProfile) the member orders' syncs",
    )
    own, odoo_args = split_argv(sys.argv[1:])
    args = parser.parse_args(own)
    setup_odoo(odoo_args)
    dbname, _info = prepare_core_database(args.size)
    if not args.no_update:
        update_modules(dbname)
    recorder = Recorder()
    profiler = cProfile.Profile() if args.profile else None
    figures = collections.defaultdict(list)
    sample = {}
    with open_env(dbname) as env:
        env.company.point_of_sale_update_stock_quantities = args.stock
        till = Till(args.size, env)
        till.pick_members(args.orders)
        till.make_strangers(args.orders)
        points_product = env.ref("loyalty_program.product_lp_points_discount")
        orders = till.orders
        log(f"{len(till.codes)} members on {dbname}")
        for index, (number, _local, _e164) in enumerate(till.codes):
            partner = till.customers[index]
            env.invalidate_all()
            plain = till.order_payload(env["res.partner"], index)
            _r, seconds, rows = recorder.run(orders.sync_from_ui, [plain])
            env.cr.flush()
            figures["sync plain"].append((seconds, rows))
            env.invalidate_all()
            stranger = till.order_payload(till.strangers[index], index)
            _r, seconds, rows = recorder.run(orders.sync_from_ui, [stranger])
            env.cr.flush()
            figures["sync customer, not a member"].append((seconds, rows))
            payload = till.order_payload(partner, index)
            env.invalidate_all()
            info, seconds, rows = recorder.run(
                orders.lp_pos_lookup, number, payload["uuid"]
            )
            figures["lookup"].append((seconds, rows))
            points = min(20.0, int(info["balance"] - info["reserved"]))
            if points >= 1:
                amounts = [
                    {"product_id": v["product_id"], "amount": v["price_subtotal_incl"]}
                    for _c, _i, v in payload["lines"]
                ]
                env.invalidate_all()
                _r, seconds, rows = recorder.run(
                    orders.lp_pos_reserve,
                    info["member_id"],
                    points,
                    payload["uuid"],
                    amounts,
                )
                figures["reserve"].append((seconds, rows))
                payload["lines"].append(
                    (
                        0,
                        0,
                        {
                            **payload["lines"][0][2],
                            "product_id": points_product.id,
                            "qty": 1,
                            "price_unit": -points,
                            "price_subtotal": -points,
                            "price_subtotal_incl": -points,
                        },
                    )
                )
                for key in ("amount_paid", "amount_total"):
                    payload[key] -= points
                payload["payment_ids"][0][2]["amount"] -= points
            env.invalidate_all()
            if profiler:
                profiler.enable()
            result, seconds, rows = recorder.run(orders.sync_from_ui, [payload])
            env.cr.flush()
            if profiler:
                profiler.disable()
            order = env["pos.order"].browse(result["pos.order"][0]["id"])
            assert order.lp_posted, order.name
            figures["sync member" if points >= 1 else "sync member, no spend"].append(
                (seconds, rows)
            )
            # What the request does after its commit (a post-commit hook in
            # the server; here, in this transaction): the customer's
            # statistics refresh.
            env.invalidate_all()
            _r, seconds, rows = recorder.run(
                env["lp.customer.stats.queue"]._process, [partner.id]
            )
            figures["statistics after commit"].append((seconds, rows))
            sample.setdefault("member", rows)
    print(f"{'call':<28}{'n':>4}{'median ms':>11}{'queries':>9}{'addon':>7}")
    for name, runs in figures.items():
        times = [seconds for seconds, _rows in runs]
        counts = [len(rows) for _s, rows in runs]
        addon = [sum(1 for frame, _q in rows if frame) for _s, rows in runs]
        print(
            f"{name:<28}{len(runs):>4}{statistics.median(times) * 1000:>11.1f}"
            f"{statistics.median(counts):>9.0f}{statistics.median(addon):>7.0f}"
        )
    if profiler:
        print("\n== profile of the member orders' syncs")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(ADDON.strip("/"), 40)
        stats.sort_stats("tottime").print_stats(30)
    if args.show_sql:
        for name in ("sync plain", "lookup", "reserve", "sync member"):
            if not figures.get(name):
                continue
            print(f"\n== {name}")
            for frame, query in figures[name][-1][1]:
                print(f"  [{frame or 'core'}] {query}")


if __name__ == "__main__":
    main()
