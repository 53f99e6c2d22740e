"""Where the server time of a member order goes: each request the till's
front end makes for a member order, in one process on ``lp_bench_<size>``
of ``bench_core.py``, each with a cold ORM cache, in one transaction rolled
back at the end, next to the sync of the same order without a customer and
with a customer who is not a member (core's own cost of a customer).

The requests are those of the till's front end for the code installed (see
``_load_till.front_end``): with the member lookup that carries the
customer's POS data and a spend dialog computed by the till (this code),
``lp_pos_lookup``, ``lp_pos_reserve`` (spending only) and ``sync_from_ui``;
with the former front end (main at 9255811), also ``res.partner.read`` and,
for a spend, ``lp_pos_spend_limit``. Then the customers' statistics: what
the former code refreshed after each member order's commit (one customer),
and what the job that refreshes the queue every minute spends per customer
when it takes the run's customers at once.

For each call it prints the median wall time, the median CPU time of this
process (less sensitive than wall time to other work on the machine), the
PostgreSQL backend's CPU per call (whole run, from ``/proc``; 10 ms ticks, so
only the average means something) and the SQL statements. Then
each kind of order as the sum of its requests, and its ratio to a plain
order; Odoo's fixed cost of a request (3-4 ms of CPU, ``bench_load.py``'s
``ping`` phase) comes on top of each request.

``--show-sql`` lists the statements of one order of each call, with the
addon's innermost frame that made each; ``--profile 'sync member, spends'``
adds a cProfile of those calls.

Run it with ``benchmarks/run bench_member_path.py [--size small] [--orders 30]``.
"""

import argparse
import collections
import cProfile
import inspect
import os
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
TICKS = os.sysconf("SC_CLK_TCK")


class Recorder:
    """Counts the statements ``Cursor.execute`` runs while ``on``; with
    ``trace``, each is tagged with the addon's frame that made it: the
    innermost module frame on the stack when it is the addon's (ORM frames
    skipped), else None (core's module code, called through one of the
    addon's overrides). Tracing costs time: the timings are taken without."""

    def __init__(self, trace):
        self.on = False
        self.trace = trace
        self.rows = []
        original = odoo.sql_db.Cursor.execute
        recorder = self

        def execute(cr, query, params=None, log_exceptions=True):
            if recorder.on:
                frame = None
                if recorder.trace:
                    frame = addon_frame()
                text = query.code if hasattr(query, "code") else str(query)
                recorder.rows.append((frame, " ".join(text.split())[:160]))
            return original(cr, query, params, log_exceptions)

        odoo.sql_db.Cursor.execute = execute

    def run(self, func, *args):
        """(result, wall seconds, CPU seconds, statements) of ``func(*args)``
        and the flush it leaves (as the request's commit would)."""
        self.rows = []
        self.on = True
        started = time.perf_counter()
        cpu = time.process_time()
        try:
            result = func(*args)
        finally:
            self.on = False
        return (
            result,
            time.perf_counter() - started,
            time.process_time() - cpu,
            list(self.rows),
        )


def addon_frame():
    for entry in reversed(traceback.extract_stack(limit=60)):
        if ADDON in entry.filename and "benchmarks" not in entry.filename:
            name = entry.filename.split(ADDON)[-1]
            return f"{name}:{entry.lineno} {entry.name}"
        if "/addons/" in entry.filename:
            return None  # core's module code made it (through our override)
    return None


def backend_seconds(env):
    """CPU seconds of this transaction's PostgreSQL backend so far."""
    env.cr.execute("SELECT pg_backend_pid()")
    pid = env.cr.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            data = handle.read()
    except OSError:  # a server on another machine
        return 0.0
    utime, stime = (int(x) for x in data[data.rindex(")") + 2 :].split()[11:13])
    return (utime + stime) / TICKS


class Measure:
    """The figures of every call: [(wall, cpu, statements)] per name and the
    backend's CPU per name."""

    def __init__(self, env, recorder, profiler=None, profiled=()):
        self.env = env
        self.recorder = recorder
        self.profiler = profiler
        self.profiled = profiled
        self.runs = collections.defaultdict(list)
        self.backend = collections.Counter()

    def call(self, name, func, *args, flush=True):
        """Run ``func(*args)`` as one request: cold cache, flushed after."""
        env = self.env
        env.invalidate_all()

        def request():
            result = func(*args)
            if flush:
                env.cr.flush()
            return result

        before = backend_seconds(env)
        profiling = self.profiler and name in self.profiled
        if profiling:
            self.profiler.enable()
        try:
            result, wall, cpu, rows = self.recorder.run(request)
        finally:
            if profiling:
                self.profiler.disable()
        self.backend[name] += backend_seconds(env) - before
        self.runs[name].append((wall, cpu, rows))
        return result


def points_line(payload, product, points):
    line = dict(payload["lines"][0][2])
    line.update(
        product_id=product.id,
        qty=1,
        price_unit=-points,
        price_subtotal=-points,
        price_subtotal_incl=-points,
    )
    payload["lines"].append((0, 0, line))
    for key in ("amount_paid", "amount_total"):
        payload[key] -= points
    payload["payment_ids"][0][2]["amount"] -= points


def member_order(measure, till, index, code, spend, new_front_end, points_product):
    """The requests of one member order as the till's front end makes them;
    returns the customer."""
    orders = till.orders
    partner = till.customers[index]
    payload = till.order_payload(partner, index)
    if new_front_end:
        info = measure.call(
            "lookup", orders.lp_pos_lookup, code, payload["uuid"], till.config.id
        )
        assert info["pos_partner"]["res.partner"][0]["id"] == partner.id
    else:
        info = measure.call("lookup", orders.lp_pos_lookup, code, payload["uuid"])
        partners = orders.env["res.partner"]
        fields = partners._load_pos_data_fields(till.config)
        measure.call(
            "partner read",
            partners.browse(info["partner_id"]).read,
            fields,
            flush=False,
        )
    payload["lp_till_member_id"] = info["member_id"]
    free = int(info["balance"] - info["reserved"])
    if spend and free >= 1:
        points = float(min(20, free))
        amounts = [
            {"product_id": v["product_id"], "amount": v["price_subtotal_incl"]}
            for _c, _i, v in payload["lines"]
        ]
        if not new_front_end:
            measure.call(
                "spend limit",
                orders.lp_pos_spend_limit,
                info["member_id"],
                payload["uuid"],
                amounts,
            )
        measure.call(
            "reserve",
            orders.lp_pos_reserve,
            info["member_id"],
            points,
            payload["uuid"],
            amounts,
            False,
            till.config.id,
        )
        points_line(payload, points_product, points)
        name = "sync member, spends"
    else:
        name = "sync member, earns only"
    result = measure.call(name, orders.sync_from_ui, [payload])
    order = orders.browse(result["pos.order"][0]["id"])
    assert order.lp_posted, order.name
    return partner


ORDER_KINDS = {
    # kind: the calls of its requests (statistics apart)
    "plain order": ("sync plain",),
    "customer, not a member": ("sync customer, not a member",),
    "member, earns only": ("lookup", "partner read", "sync member, earns only"),
    "member, earns and spends": (
        "lookup",
        "partner read",
        "spend limit",
        "reserve",
        "sync member, spends",
    ),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="small")
    parser.add_argument("--orders", type=int, default=30, help="of each kind")
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
        default="",
        help="calls to profile (cProfile), separated by ;, e.g. "
        "'sync member, spends' or 'lookup;reserve'",
    )
    own, odoo_args = split_argv(sys.argv[1:])
    args = parser.parse_args(own)
    setup_odoo(odoo_args)
    dbname, _info = prepare_core_database(args.size)
    if not args.no_update:
        update_modules(dbname)
    counted = Recorder(trace=False)
    traced = Recorder(trace=True) if args.show_sql else None
    profiler = cProfile.Profile() if args.profile else None
    with open_env(dbname) as env:
        env.company.point_of_sale_update_stock_quantities = args.stock
        till = Till(args.size, env)
        till.pick_members(args.orders * 2 + 2)
        till.make_strangers(args.orders + 1)
        points_product = env.ref("loyalty_program.product_lp_points_discount")
        orders = till.orders
        new_front_end = (
            "config_id" in inspect.signature(type(orders).lp_pos_lookup).parameters
        )
        queue = env["lp.customer.stats.queue"]
        job_only = "after_commit" in inspect.signature(queue._enqueue).parameters
        measure = Measure(
            env, counted, profiler, [n.strip() for n in args.profile.split(";")]
        )
        log(
            f"{len(till.codes)} members on {dbname}, front end: "
            f"{'lookup with the customer' if new_front_end else 'former (5 requests)'}"
        )
        served = []
        for index in range(args.orders):
            anonymous = till.order_payload(env["res.partner"], index)
            measure.call("sync plain", orders.sync_from_ui, [anonymous])
            stranger = till.order_payload(till.strangers[index], index)
            measure.call("sync customer, not a member", orders.sync_from_ui, [stranger])
            for spend, member_index in ((False, 2 * index), (True, 2 * index + 1)):
                code = till.codes[member_index][0]
                served.append(
                    member_order(
                        measure, till, member_index, code, spend, new_front_end,
                        points_product,
                    )
                )  # fmt: skip
            # What the former code ran after each member order's commit.
            measure.call("statistics, one customer", queue._process, [served[-1].id])
        # The job, every minute: all the customers queued meanwhile at once.
        env.invalidate_all()
        for partner in served:
            queue._enqueue(
                partner, env.company, **({"after_commit": False} if job_only else {})
            )
        env.flush_all()
        job = measure.call(
            "statistics job, whole run", queue._process, [p.id for p in served]
        )
        assert job[0] == len(set(served)), job
        sql = {}
        if traced:
            # One more order of each kind, traced (tracing costs time).
            timed_runs, measure.runs = measure.runs, collections.defaultdict(list)
            measure.recorder = traced
            index = 2 * args.orders
            measure.call(
                "sync plain",
                orders.sync_from_ui,
                [till.order_payload(env["res.partner"], index)],
            )
            measure.call(
                "sync customer, not a member",
                orders.sync_from_ui,
                [till.order_payload(till.strangers[-1], index)],
            )
            for spend, member_index in ((False, index), (True, index + 1)):
                code = till.codes[member_index][0]
                member_order(
                    measure, till, member_index, code, spend, new_front_end,
                    points_product,
                )  # fmt: skip
            measure.call("statistics, one customer", queue._process, [served[0].id])
            sql, measure.runs = measure.runs, timed_runs
        report(measure, len(served), job_only, new_front_end)
        for name, runs in sql.items():
            print(f"\n== {name}")
            for frame, query in runs[-1][2]:
                print(f"  [{frame or 'core'}] {query}")
    if profiler:
        print(f"\n== profile of {args.profile}")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(ADDON.strip("/"), 40)
        stats.sort_stats("tottime").print_stats(30)


def report(measure, customers, job_only, new_front_end):
    front = (
        "lookup carries the customer, spend dialog in the till"
        if new_front_end
        else "former: lookup, res.partner.read, lp_pos_spend_limit, lp_pos_reserve, "
        "sync"
    )
    statistics_by = (
        "the job, every minute" if job_only else "refreshed after each order's commit"
    )
    print(f"front end: {front}; statistics: {statistics_by}")
    print(
        f"{'call':<30}{'n':>4}{'wall ms':>9}{'CPU ms':>8}{'PG CPU ms':>10}"
        f"{'statements':>11}"
    )
    medians = {}
    for name, runs in measure.runs.items():
        n = len(runs)
        wall = statistics.median(w for w, _c, _r in runs) * 1000
        cpu = statistics.median(c for _w, c, _r in runs) * 1000
        pg = measure.backend[name] * 1000 / n
        statements = statistics.median(len(r) for _w, _c, r in runs)
        medians[name] = (cpu + pg, statements)
        print(f"{name:<30}{n:>4}{wall:>9.1f}{cpu:>8.1f}{pg:>10.1f}{statements:>11.0f}")
    job_cpu, job_statements = medians.pop("statistics job, whole run")
    one_cpu, one_statements = medians.pop("statistics, one customer")
    stats = (
        (job_cpu / customers, job_statements / customers)
        if job_only
        else (one_cpu, one_statements)
    )
    print(
        f"\nstatistics per member order: {stats[0]:.1f} ms of CPU, "
        f"{stats[1]:.1f} statements "
        f"({'job share' if job_only else 'after its commit'}); "
        f"the job: {job_cpu / customers:.1f} ms and {job_statements / customers:.2f} "
        f"statements per customer, one customer after a commit: {one_cpu:.1f} ms, "
        f"{one_statements:.0f} statements"
    )
    print(
        f"\n{'order':<28}{'requests':>9}{'CPU ms':>8}{'statements':>11}{'x plain':>9}"
    )
    plain = None
    for kind, calls in ORDER_KINDS.items():
        present = [medians[c] for c in calls if c in medians]
        if not present:
            continue
        cpu = sum(c for c, _s in present)
        statements = sum(s for _c, s in present)
        if kind.startswith("member"):
            cpu += stats[0]
            statements += stats[1]
        plain = plain or cpu
        print(
            f"{kind:<28}{len(present):>9}{cpu:>8.1f}{statements:>11.0f}"
            f"{cpu / plain:>9.2f}"
        )


if __name__ == "__main__":
    main()
