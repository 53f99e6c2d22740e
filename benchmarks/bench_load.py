"""Benchmark under real load: Odoo as a multi-worker server, N tills as HTTP
clients ringing up orders at once, PostgreSQL durable (fsync and
synchronous_commit on), then the books checked.

Run it with ``benchmarks/run bench_load.py [--workers 2,4] [--tills 1,4,16,32]
[--phases plain,earn,spend,mix,hot] [--seconds 60]``. The database
``lp_bench_load`` is a fresh copy of ``lp_bench_<size>`` of ``bench_core.py``
(``--size``, default small) at every run, with the addon updated to the code
under test (``benchmarks/run``'s ``LOYALTY_BENCH_ADDON`` measures another
tree), so runs start alike and the core databases stay as generated; it is
dropped at the end unless ``--keep``.

A member order makes the requests of the till's front end of the code under
test (``_load_till.py``). Per phase and number of tills it prints orders
per minute, the server's CPU per order (the customer statistics job that
refreshes the queue every minute is run at the end of each phase and
counted in it), the p50/p95/p99 latency of each call and of whole orders,
the serialization failures (and lock or deadlock errors) Odoo retried,
counted from the server's log, and the requests that failed for good. The
books are checked at the end:
every order once and paid, one earn per member order and one spend per
reservation, reversals for refunds, nothing on anonymous orders, no
negative balance, ``lp.ledger._check_consistency()`` empty, no reservation
left open, and the customer statistics current.
"""

import inspect
import os
import re
import shutil
import signal
import sys
import threading
import time
from collections import Counter

import _cpu
from _common import (
    ODOO_ARGS,
    SIZES,
    bench_args,
    log,
    open_env,
    percentile,
    prepare_core_database,
    print_table,
    start_server,
    stop_server,
    update_modules,
)
from _load_till import Rpc, RpcError, Till

import odoo
from odoo import Command
from odoo.modules.registry import Registry
from odoo.sql_db import close_db
from odoo.tools import SQL, config

LOAD_DB = "lp_bench_load"
PASSWORD = "bench-till-password"
CALLS = (
    "lookup",
    "partner read",
    "spend limit",
    "reserve",
    "sync member",
    "sync earn",
    "sync plain",
    "sync refund",
    "stats job",
    "ping",
)
MODES = ("plain", "earn", "spend", "member", "mix", "hot", "ping")
RETRY_RE = re.compile(r"(\w+), (\d+) tries left, try again")
GAVE_UP_RE = re.compile(r"(\w+), maximum number of tries reached")
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


# Database


def copy_database(template, target=LOAD_DB):
    """``target`` as a fresh copy of ``template`` (and its filestore)."""
    for dbname in (target, template):
        Registry.delete(dbname)
        close_db(dbname)
    with admin_cursor() as cr:
        cr.execute(SQL("DROP DATABASE IF EXISTS %s", SQL.identifier(target)).code)
        cr.execute(
            SQL(
                "CREATE DATABASE %s TEMPLATE %s",
                SQL.identifier(target),
                SQL.identifier(template),
            ).code
        )
    shutil.rmtree(config.filestore(target), ignore_errors=True)
    if os.path.isdir(config.filestore(template)):
        shutil.copytree(config.filestore(template), config.filestore(target))


def drop_load_database(target=LOAD_DB):
    Registry.delete(target)
    close_db(target)
    with admin_cursor() as cr:
        cr.execute(SQL("DROP DATABASE IF EXISTS %s", SQL.identifier(target)).code)
    shutil.rmtree(config.filestore(target), ignore_errors=True)


class admin_cursor:
    """An autocommit cursor on the ``postgres`` database."""

    def __enter__(self):
        from _common import _connect

        self.conn = _connect("postgres")
        self.conn.autocommit = True
        return self.conn.cursor()

    def __exit__(self, *exc):
        self.conn.close()


def set_durability(values):
    """ALTER SYSTEM the given settings (None resets them) and reload;
    returns the values in force before."""
    with admin_cursor() as cr:
        before = {}
        for name in values:
            cr.execute(SQL("SHOW %s", SQL.identifier(name)).code)
            before[name] = cr.fetchone()[0]
        for name, value in values.items():
            if value is None:
                cr.execute(SQL("ALTER SYSTEM RESET %s", SQL.identifier(name)).code)
            else:
                query = SQL("ALTER SYSTEM SET %s = %s", SQL.identifier(name), value)
                cr.execute(query.code, query.params)
        cr.execute("SELECT pg_reload_conf()")
        time.sleep(0.5)
    return before


STOCK = {"real": "per order (real time)", "closing": "per session (at closing)"}


def setup_tills(count, pool_size, seed, stock="real"):
    """Cashiers, tills, products and the members the tills serve, committed
    in ``LOAD_DB``; returns what the tills need to know. ``stock`` is the
    company's *Update quantities in stock* (core's default ``real``: a
    picking per paid order; ``closing``: one per session, at its closing)."""
    with open_env(LOAD_DB) as env:
        env.cr.execute(SQL("SELECT setseed(%s)", seed))
        env.company.country_id = env.ref("base.ru")
        env.company.point_of_sale_update_stock_quantities = stock
        journal = env["account.journal"].search(
            [("type", "=", "cash"), ("company_id", "=", env.company.id)], limit=1
        )
        cash = env["pos.payment.method"].create(
            {"name": "Bench cash", "journal_id": journal.id, "is_cash_count": True}
        )
        products = env["product.product"].create(
            [
                {
                    "name": f"Bench product {index}",
                    "list_price": 100.0 + 37 * index,
                    "available_in_pos": True,
                    "taxes_id": [Command.clear()],
                }
                for index in range(5)
            ]
        )
        groups = [
            env.ref("base.group_user").id,
            env.ref("point_of_sale.group_pos_user").id,
        ]
        users = env["res.users"].create(
            [
                {
                    "name": f"Bench cashier {index}",
                    "login": f"bench_till_{index}",
                    "group_ids": [Command.set(groups)],
                }
                for index in range(count)
            ]
        )
        # Who runs the statistics job at the end of each phase, as the
        # scheduler would (ir.cron.method_direct_trigger over RPC).
        admin = env["res.users"].create(
            {
                "name": "Bench administrator",
                "login": "bench_admin",
                "group_ids": [Command.set([env.ref("base.group_system").id])],
            }
        )
        # One password hash for all (hashing is slow by design).
        users[:1].password = PASSWORD
        env.flush_all()
        env.cr.execute(
            "UPDATE res_users SET password = (SELECT password FROM res_users "
            "WHERE id = %s) WHERE id = ANY(%s)",
            [users[0].id, (users | admin).ids],
        )
        tills = []
        for index, user in enumerate(users):
            pos_config = env["pos.config"].create(
                {
                    "name": f"Bench till {index}",
                    "payment_method_ids": [Command.set(cash.ids)],
                }
            )
            tills.append(
                {
                    "login": user.login,
                    "uid": user.id,
                    "config_id": pos_config.id,
                    "pricelist_id": pos_config.pricelist_id.id,
                    "payment_method_id": cash.id,
                }
            )
        members = pick_members(env, pool_size)
        hot = members.pop()
        # The family card every till serves in the hot case: plenty to spend.
        env["lp.ledger"]._post(
            [
                {
                    "member_id": hot["member_id"],
                    "kind": "gift",
                    "amount": 10_000_000.0,
                    "reason": "Benchmark: the family card",
                }
            ]
        )
        points = env.ref("loyalty_program.product_lp_points_discount")
        setup = {
            "db": LOAD_DB,
            "password": PASSWORD,
            "admin": admin.login,
            "stats_cron": env.ref("loyalty_program.cron_lp_customer_stats_queue").id,
            "front_end": front_end(env),
            "partner_fields": env["res.partner"]._load_pos_data_fields(pos_config),
            "tills": tills,
            "products": [{"id": p.id, "price": p.list_price} for p in products],
            "points_product": {"id": points.id, "price": 0.0},
            "members": members,
            "hot": hot,
        }
        env.cr.commit()
    return setup


def front_end(env):
    """The till's front end of the code installed: ``lookup`` when its
    member lookup answers with the customer (the till reads nothing more and
    computes the spend dialog itself), else ``former`` (main at 9255811:
    lookup, ``res.partner.read``, ``lp_pos_spend_limit``, reserve, sync)."""
    lookup = type(env["pos.order"]).lp_pos_lookup
    return "lookup" if "config_id" in inspect.signature(lookup).parameters else "former"


def pick_members(env, count):
    """``count`` random active members with an active card, a Russian mobile
    and points to spend: card number, phone typed 8 (9xx) xxx-xx-xx."""
    env.cr.execute(
        """
        SELECT c.number, p.lp_phone_e164, p.id, m.id
          FROM lp_card c
          JOIN lp_member m ON m.id = c.member_id
          JOIN res_partner p ON p.id = m.partner_id
         WHERE c.state = 'active' AND m.state = 'active' AND m.balance >= 50
           AND p.lp_phone_e164 LIKE '+79%%'
         ORDER BY random() LIMIT %s
        """,
        [count],
    )
    members = []
    for number, e164, partner_id, member_id in env.cr.fetchall():
        d = e164[2:]
        members.append(
            {
                "card": number,
                "phone": f"8 ({d[:3]}) {d[3:6]}-{d[6:8]}-{d[8:]}",
                "partner_id": partner_id,
                "member_id": member_id,
            }
        )
    return members


# Server


class Server:
    """``odoo-bin`` in multi-worker mode on ``db`` (``LOAD_DB``), loopback
    only, no cron, its log in a file of its own."""

    def __init__(self, workers, port, logfile, db=LOAD_DB):
        self.db = db
        self.workers = workers
        self.port = port
        self.logfile = logfile
        self.url = f"http://127.0.0.1:{port}"
        self.process = None

    def start(self):
        odoo_home = os.environ.get("ODOO_HOME") or os.path.dirname(
            os.path.dirname(os.path.abspath(odoo.release.__file__))
        )
        keep = []
        skip = False
        for arg in ODOO_ARGS:  # our own log file and level
            if skip:
                skip = False
                continue
            if arg in ("--logfile", "--log-level"):
                skip = True
                continue
            if arg.startswith(("--logfile=", "--log-level=")):
                continue
            keep.append(arg)
        cmd = [
            sys.executable, os.path.join(odoo_home, "odoo-bin"), *keep,
            "-d", self.db, "--db-filter", f"^{self.db}$", "--no-database-list",
            "--workers", str(self.workers), "--max-cron-threads", "0",
            "--http-interface", "127.0.0.1", "--http-port", str(self.port),
            "--gevent-port", str(self.port + 1),
            "--limit-time-real", "600", "--limit-time-cpu", "300",
            "--logfile", self.logfile, "--log-level", "warn",
            "--log-handler", "odoo.service.model:INFO",
            "--log-handler", "odoo.service.server:INFO",
        ]  # fmt: skip
        log(f"starting Odoo, {self.workers} workers, port {self.port}")
        self.process = start_server(cmd, self.url)

    def stop(self):
        stop_server(self.process)

    def log_size(self):
        return os.path.getsize(self.logfile) if os.path.exists(self.logfile) else 0

    def retries_since(self, offset):
        """(retried errors by code, requests given up) logged after
        ``offset``."""
        retried, gave_up = Counter(), Counter()
        if not os.path.exists(self.logfile):
            return retried, gave_up
        with open(self.logfile, encoding="utf-8", errors="replace") as handle:
            handle.seek(offset)
            for line in handle:
                if match := RETRY_RE.search(line):
                    retried[match.group(1)] += 1
                elif match := GAVE_UP_RE.search(line):
                    gave_up[match.group(1)] += 1
        return retried, gave_up


# Where the retries come from: PostgreSQL's own log names the statement


def pg_log_path():
    """The project cluster's server log (``scripts/lib.sh``), if any."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    pgdata = os.environ.get("LOYALTY_PGDATA") or os.path.join(root, ".pgdata")
    path = os.path.join(pgdata, "server.log")
    return path if os.path.exists(path) else None


def statement_kind(statement):
    """A short name for the statement a concurrency error hit."""
    text = " ".join(statement.split()).lower()
    if "with orders as" in text or "lp_customer_stats" in text:
        return "customer statistics"
    if "from lp_member" in text and "for no key update" in text:
        return "member lock"
    return text[:60]


def pg_errors_since(path, offset):
    """{(error, statement kind): count} logged by PostgreSQL after
    ``offset``."""
    found = Counter()
    if not path:
        return found
    with open(path, encoding="utf-8", errors="replace") as handle:
        handle.seek(offset)
        error = None
        statement = None
        for line in handle:
            if " ERROR:  " in line:
                if error and statement is not None:
                    found[(error, statement_kind(statement))] += 1
                message = line.split(" ERROR:  ", 1)[1].strip()
                error = next(
                    (
                        name
                        for key, name in (
                            ("could not serialize", "serialization"),
                            ("deadlock", "deadlock"),
                            ("could not obtain lock", "lock not available"),
                        )
                        if key in message
                    ),
                    None,
                )
                statement = None
            elif error and " STATEMENT:  " in line:
                statement = line.split(" STATEMENT:  ", 1)[1]
            elif error and statement is not None and line[:1] in ("\t", " "):
                statement += line
            elif error and statement is not None:
                found[(error, statement_kind(statement))] += 1
                error = statement = None
        if error and statement is not None:
            found[(error, statement_kind(statement))] += 1
    return found


def file_size(path):
    return os.path.getsize(path) if path and os.path.exists(path) else 0


# Running


_ADMIN = {}


def admin_rpc(server, setup):
    """A session of the bench administrator on ``server``, logged in once
    (logging in hashes a password: not a cost of the orders)."""
    key = (server.url, setup["db"])
    if key not in _ADMIN:
        rpc = Rpc(server.url, setup["db"])
        rpc.login(setup["admin"], setup["password"])
        _ADMIN[key] = rpc
    return _ADMIN[key]


def run_statistics_job(server, setup):
    """The job that refreshes the queued customers' statistics (every
    minute in a shop), run in the server as the scheduler runs it; returns
    (seconds, error or None). With the former code (statistics refreshed
    after each order's commit) the queue is empty."""
    started = time.perf_counter()
    try:
        admin_rpc(server, setup).call(
            "ir.cron", "method_direct_trigger", [setup["stats_cron"]]
        )
    except RpcError as error:
        return time.perf_counter() - started, str(error)
    return time.perf_counter() - started, None


def run_phase(server, setup, mode, count, args, phase_index, till_class=Till):
    """``count`` tills in ``mode`` at once, then the statistics job; returns
    the phase's figures (the job's CPU counted in the phase's)."""
    members = setup["members"]
    offset = server.log_size()
    pg_log = pg_log_path()
    pg_offset = file_size(pg_log)
    pg_pid = _cpu.postmaster_pid(os.path.dirname(pg_log) if pg_log else "")
    if setup.get("stats_cron"):
        admin_rpc(server, setup)
    ready, go = threading.Semaphore(0), threading.Event()
    # Each till serves members of its own (the hot case: all the same one).
    tills = [
        till_class(
            server.url,
            setup,
            index,
            mode,
            members[index :: max(count, 1)] or members,
            seed=args.seed * 1000 + phase_index * 100 + index,
            options={
                "max_orders": args.orders,
                "seconds": args.seconds,
                "refund_every": args.refund_every,
                "member_share": args.member_share,
                "points": (5, 40),
                "ready": ready,
                "go": go,
            },
        )
        for index in range(count)
    ]
    for till in tills:
        till.start()
    # The tills log in and open their sessions first (once a day in a
    # shop): the phase's CPU is that of its orders.
    for _till in tills:
        ready.acquire()
    load_before = os.getloadavg()[0]
    cpu_before = _cpu.snapshot(server.process.pid, pg_pid)
    go.set()
    for till in tills:
        till.join()
    job = run_statistics_job(server, setup) if setup.get("stats_cron") else None
    cpu = _cpu.since(cpu_before, _cpu.snapshot(server.process.pid, pg_pid))
    # Orders/min over the span the tills were ringing up (session opening
    # excluded): from the first call to the last answer.
    calls = [c for till in tills for c in till.calls]
    ran = [t for t in tills if t.first_started]
    span = max(
        max((t.last_ended for t in ran), default=0)
        - min((t.first_started for t in ran), default=0),
        1e-6,
    )
    orders = [o for till in tills for o in till.orders]
    if job:
        calls.append(("stats job", *job))
    retried, gave_up = server.retries_since(offset)
    pg_errors = pg_errors_since(pg_log, pg_offset)
    return {
        "workers": server.workers,
        "mode": mode,
        "tills": count,
        "span": span,
        "orders": orders,
        "order_seconds": [o for till in tills for o in till.order_seconds],
        "calls": calls,
        "retried": retried,
        "gave_up": gave_up,
        "pg_errors": pg_errors,
        "fatal": [t.fatal for t in tills if t.fatal],
        "load": (load_before, os.getloadavg()[0]),
        "cpu": cpu,
    }


def warm_up(server, setup, modes, args, till_class=Till):
    """A short unmeasured phase of each mode on 2 tills: the server's
    workers load what a first order loads (the first measured phase would
    carry it)."""
    if not args.warmup:
        return
    saved = args.seconds
    args.seconds = args.warmup
    try:
        for mode in modes:
            log(f"warming up: {mode}")
            run_phase(server, setup, mode, 2, args, 0, till_class)
    finally:
        args.seconds = saved


def report_phases(results):
    rows = []
    for r in results:
        done = Counter(kind for kind, *_x, ok in r["orders"] if ok)
        failed = sum(1 for name, _s, error in r["calls"] if error)
        per_min = 60.0 / r["span"]
        rows.append(
            (
                r["workers"],
                r["mode"],
                r["tills"],
                sum(done.values()),
                f"{sum(done.values()) * per_min:.0f}",
                f"{(done['member'] + done['earn'] + done['hot']) * per_min:.0f}",
                f"{done['plain'] * per_min:.0f}",
                done["refund"],
                ", ".join(f"{k} {v}" for k, v in sorted(r["retried"].items())) or "0",
                failed + len(r["fatal"]),
                "%.1f / %.1f" % r["load"],
            )
        )
    print_table(
        "Throughput: paid orders per minute (a member order: its front end's requests)",
        rows,
        (
            "workers",
            "phase",
            "tills",
            "orders",
            "orders/min",
            "member/min",
            "plain/min",
            "refunds",
            "retried by Odoo",
            "failed",
            "load 1 min before/after",
        ),
    )
    report_cpu(results)
    rows = []
    for r in results:
        for call in CALLS:
            times = [s for name, s, error in r["calls"] if name == call and not error]
            if not times:
                continue
            rows.append(
                (
                    r["workers"],
                    r["mode"],
                    r["tills"],
                    call,
                    len(times),
                    " / ".join(
                        f"{percentile(times, p) * 1000:.0f}" for p in (50, 95, 99)
                    ),
                    f"{max(times) * 1000:.0f}",
                )
            )
    for r in results:
        kinds = sorted({kind for kind, _s, _ok in r.get("order_seconds", ())})
        for kind in kinds:
            times = [s for k, s, ok in r["order_seconds"] if k == kind and ok]
            if not times:
                continue
            rows.append(
                (
                    r["workers"],
                    r["mode"],
                    r["tills"],
                    f"whole {kind} order",
                    len(times),
                    " / ".join(
                        f"{percentile(times, p) * 1000:.0f}" for p in (50, 95, 99)
                    ),
                    f"{max(times) * 1000:.0f}",
                )
            )
    print_table(
        "Latency per call and per whole order, ms (as the till sees it)",
        rows,
        ("workers", "phase", "tills", "call", "n", "p50 / p95 / p99", "max"),
    )
    rows = [
        (r["workers"], r["mode"], r["tills"], error, kind, n)
        for r in results
        for (error, kind), n in sorted(r["pg_errors"].items())
    ]
    if rows:
        print_table(
            "Concurrency errors by statement (PostgreSQL's log)",
            rows,
            ("workers", "phase", "tills", "error", "statement", "count"),
        )
    errors = Counter(
        (r["mode"], r["tills"], name, error[:160])
        for r in results
        for name, _s, error in r["calls"]
        if error
    )
    fatal = [f for r in results for f in r["fatal"]]
    gave_up = sum((r["gave_up"] for r in results), Counter())
    if errors or fatal or gave_up:
        print("\nFailed requests:")
        for (mode, count, name, error), n in errors.most_common(20):
            print(f"  {mode} x{count} {name}: {n} x {error}")
        for f in fatal:
            print(f"  {f}")
        print(f"  gave up after Odoo's retries (server log): {dict(gave_up)}")


def report_cpu(results):
    """What each order (each request of the ``ping`` phase) cost the
    server's CPU (Odoo's processes and PostgreSQL's), the tills' own CPU
    apart: the tills share this machine's
    cores with the server, and a member order makes three requests where a
    plain one makes one. ``ceiling`` is the orders per minute the server's
    CPU would allow on this machine's cores with the tills elsewhere."""
    cores = os.cpu_count() or 1
    rows = []
    plain = {
        (r["workers"], r["tills"]): server_cpu_ms(r)
        for r in results
        if r["mode"] == "plain" and server_cpu_ms(r)
    }
    for r in results:
        done = sum(1 for *_x, ok in r["orders"] if ok)
        if r["mode"] == "ping":  # per request, not per order
            done = sum(1 for name, _s, error in r["calls"] if not error)
        if not done:
            continue
        odoo_s, pg_s, tills_s = r["cpu"]
        server_ms = (odoo_s + pg_s) * 1000 / done
        base = plain.get((r["workers"], r["tills"]))
        rows.append(
            (
                r["workers"],
                r["mode"],
                r["tills"],
                done,
                f"{odoo_s * 1000 / done:.0f}",
                f"{pg_s * 1000 / done:.0f}",
                f"{server_ms:.0f}",
                f"{tills_s * 1000 / done:.0f}",
                f"{cores * 60_000 / server_ms:.0f}" if server_ms else "-",
                f"{server_ms / base:.2f}" if base and r["mode"] != "ping" else "-",
            )
        )
    print_table(
        "CPU per paid order, ms (server = Odoo + PostgreSQL; the tills' client apart)",
        rows,
        (
            "workers",
            "phase",
            "tills",
            "orders",
            "Odoo",
            "PostgreSQL",
            "server",
            "tills",
            f"ceiling/min on {cores} cores",
            "x plain",
        ),
    )


def server_cpu_ms(result):
    """Server CPU (Odoo + PostgreSQL) per paid order of a phase, ms."""
    done = sum(1 for *_x, ok in result["orders"] if ok)
    odoo_s, pg_s, _tills = result["cpu"]
    return (odoo_s + pg_s) * 1000 / done if done else None


# The books


def check_books(results, setup):
    """Every order once and paid, its points posted once, nothing negative,
    ledger consistent, no reservation left open, statistics current.
    Returns [(check, outcome, ok)]."""
    orders = [o for r in results for o in r["orders"]]
    ok_orders = [o for o in orders if o[-1]]
    failed = [o for o in orders if not o[-1]]
    by_uuid = {o[1]: o for o in orders}
    checks = []
    with open_env(LOAD_DB) as env:
        cr = env.cr
        cr.execute(
            "SELECT uuid, count(*), bool_and(state IN ('paid', 'done')), min(id) "
            "FROM pos_order WHERE uuid = ANY(%s) GROUP BY uuid",
            [list(by_uuid)],
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
        failed_in = [o[1] for o in failed if o[1] in found]
        checks.append(
            (
                "orders whose request failed",
                f"{len(failed)} failed, {len(failed_in)} of them committed anyway",
                True,
            )
        )
        cr.execute(
            """
            SELECT source_key, kind, count(*), sum(amount)
              FROM lp_ledger
             WHERE res_model = 'pos.order' AND source_key LIKE 'pos.order:%%'
               AND split_part(source_key, ':', 2) = ANY(%s)
             GROUP BY source_key, kind
            """,
            [list(found)],
        )
        entries = {}
        for key, kind, n, amount in cr.fetchall():
            _m, uuid, what = key.split(":")[:3]
            entries.setdefault(uuid, []).append((what, kind, n, amount))
        wrong = []
        for kind, uuid, _member, points, _orig, _ok in orders:
            if uuid not in found:
                continue
            got = sorted((w, k, n) for w, k, n, _a in entries.get(uuid, []))
            spend = sum(a for w, k, _n, a in entries.get(uuid, []) if k == "spend")
            if kind == "plain":
                expected = []
            elif kind == "refund":
                expected = None  # one reversal per posted entry of the original
                if not got or any(k != "reversal" or n != 1 for _w, k, n in got):
                    wrong.append((kind, uuid, got))
                continue
            else:
                expected = [("earn", "earn", 1)]
                if points:
                    expected.append(("spend", "spend", 1))
            if got != sorted(expected) or abs(spend + points) > 0.005:
                wrong.append((kind, uuid, got, spend, points))
        checks.append(
            (
                (
                    "one earn per member order, one spend per reservation (its "
                    "points), reversals per refund, nothing on plain orders"
                ),
                f"{len(wrong)} wrong" + (f", e.g. {wrong[:2]}" if wrong else ""),
                not wrong,
            )
        )
        members = sorted({o[2] for o in orders if o[2]})
        cr.execute(
            "SELECT count(*) FROM lp_member WHERE balance < 0 OR pending < 0 "
            "OR window_spend < 0"
        )
        negative = cr.fetchone()[0]
        checks.append(("members with a negative balance", str(negative), not negative))
        inconsistent = env["lp.ledger"]._check_consistency(members)
        checks.append(
            (
                f"lp.ledger._check_consistency() of the {len(members)} members served",
                str(inconsistent[:3]),
                not inconsistent,
            )
        )
        # The reservations of the orders answered paid are all consumed or
        # released; those of orders that failed stay for the till to sync
        # again (or for the stale-reservation job).
        cr.execute(
            """
            SELECT key, state, spend_entry_id IS NOT NULL
              FROM lp_reservation WHERE key = ANY(%s)
            """,
            [[f"pos.order:{uuid}" for uuid in by_uuid]],
        )
        states = Counter()
        for key, state, linked in cr.fetchall():
            answered = by_uuid[key.split(":", 1)[1]][-1]
            if state == "consumed" and not linked:
                state = "consumed without spend"
            elif state == "reserved":
                state = "left open" if answered else "open, order failed"
            states[state] += 1
        checks.append(
            (
                "reservations of the orders",
                ", ".join(f"{n} {state}" for state, n in sorted(states.items())),
                not states["left open"] and not states["consumed without spend"],
            )
        )
        partner_of = {m["member_id"]: m["partner_id"] for m in setup["members"]}
        partner_of[setup["hot"]["member_id"]] = setup["hot"]["partner_id"]
        partners = sorted({partner_of[o[2]] for o in ok_orders if o[2]})
        stale = env["lp.customer.stats"]._compute_figures(partner_ids=partners)
        checks.append(
            (
                "customer statistics current (rows a recompute would change)",
                f"{stale} of {len(partners)} customers",
                not stale,
            )
        )
        cr.rollback()
    return checks


def main():
    parser = bench_args(__doc__.splitlines()[0])
    parser.add_argument("--size", default="small", choices=sorted(SIZES))
    parser.add_argument(
        "--workers", default="2,4", type=lambda s: [int(x) for x in s.split(",")]
    )
    parser.add_argument(
        "--tills", default="1,4,16,32", type=lambda s: [int(x) for x in s.split(",")]
    )
    parser.add_argument(
        "--phases",
        default="plain,earn,spend,mix,hot",
        type=lambda s: [x for x in s.split(",") if x],
        help="plain, earn (members who only earn), spend (members who earn and "
        "pay part with points; 'member' is the same), mix, hot (every till on one "
        "family card), ping (a read of the session: what any request costs)",
    )
    parser.add_argument("--seconds", type=float, default=60, help="per phase")
    parser.add_argument(
        "--warmup", type=float, default=8, help="seconds per phase, unmeasured"
    )
    parser.add_argument("--orders", type=int, default=400, help="at most, per till")
    parser.add_argument("--refund-every", type=int, default=10)
    parser.add_argument("--member-share", type=float, default=0.6, help="mix phase")
    parser.add_argument("--pool", type=int, default=2000, help="members served")
    parser.add_argument("--port", type=int, default=18800)
    parser.add_argument("--no-update", action="store_true")
    parser.add_argument("--keep", action="store_true", help=f"keep {LOAD_DB}")
    parser.add_argument(
        "--stock",
        default="real",
        choices=["real", "closing"],
        help="the company's 'Update quantities in stock': a picking per order "
        "(real, core's default) or per session (closing)",
    )
    parser.add_argument(
        "--no-durable",
        action="store_true",
        help="leave fsync/synchronous_commit as configured",
    )
    args = parser.parse_args()
    # Stopped from outside: still stop the server and restore PostgreSQL.
    signal.signal(signal.SIGTERM, lambda *_a: sys.exit("stopped"))
    signal.signal(signal.SIGINT, lambda *_a: sys.exit("interrupted"))
    for mode in args.phases:
        if mode not in MODES:
            parser.error(f"unknown phase {mode!r}")
    template, info = prepare_core_database(args.size, seed=args.seed)
    log(f"copying {template} to {LOAD_DB}")
    copy_database(template)
    if info.get("reused") and not args.no_update:
        update_modules(LOAD_DB)  # to the code under test; the template stays
    setup = setup_tills(max(args.tills), args.pool, args.seed, args.stock)
    log(f"the till's front end: {setup['front_end']}")
    logdir = os.path.dirname(config["logfile"] or "") or "logs"
    stamp = time.strftime("%Y%m%d_%H%M%S")
    results = []
    before = None
    if not args.no_durable:
        before = set_durability(DURABLE)
        log(f"PostgreSQL made durable: {DURABLE} (was {before})")
    try:
        for workers in args.workers:
            server = Server(
                workers,
                args.port,
                os.path.join(logdir, f"bench-load-{stamp}-w{workers}.log"),
            )
            server.start()
            try:
                warm_up(server, setup, args.phases, args)
                index = 0
                for mode in args.phases:
                    for count in args.tills:
                        log(f"{workers} workers: {count} tills, {mode}")
                        index += 1
                        results.append(
                            run_phase(server, setup, mode, count, args, index)
                        )
            finally:
                server.stop()
    finally:
        if before is not None:
            set_durability(dict.fromkeys(DURABLE))
    with admin_cursor() as cr:
        cr.execute("SHOW fsync")
        fsync = cr.fetchone()[0]
        cr.execute("SHOW synchronous_commit")
        sync_commit = cr.fetchone()[0]
    print(
        f"loyalty_program load benchmark: {os.cpu_count()} CPUs, "
        f"{info.get('members', SIZES[args.size]):,} members ({args.size}), "
        f"PostgreSQL fsync/synchronous_commit "
        f"{'on/on' if before is not None else f'{fsync}/{sync_commit}'} for the run "
        f"({fsync}/{sync_commit} after), {args.seconds:.0f} s or {args.orders} orders "
        f"per till and phase, stock updated {STOCK[args.stock]}, the till's front "
        f"end {setup['front_end']!r}, "
        f"server logs {logdir}/bench-load-{stamp}-w*.log"
    )
    report_phases(results)
    checks = check_books(results, setup)
    print_table("The books", [(c, o, "ok" if ok else "WRONG") for c, o, ok in checks],
                ("check", "outcome", ""))  # fmt: skip
    if not args.keep:
        drop_load_database()
    if not all(ok for _c, _o, ok in checks):
        sys.exit(1)


if __name__ == "__main__":
    main()
