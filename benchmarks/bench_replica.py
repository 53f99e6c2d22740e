"""The read-only figures on a read replica, tested here (issue 15, "Beyond
one machine"): Odoo's own ``db_replica_host`` and read-only cursors, no
home-made distribution.

Run it with ``benchmarks/run bench_replica.py [--db NAME] [--calls 10]``.
It needs the project's own PostgreSQL cluster (``scripts/lib.sh``), which it
clones into a streaming hot standby for the run:

1. ``pg_basebackup -R -X stream`` of the cluster (as its owner) into
   ``<cluster>/replica/data``, started with ``pg_ctl`` on a socket and port
   of its own; it follows the primary by streaming replication.
2. Odoo as a server, ``--workers 2 --db_replica_host <socket>
   --db_replica_port <port>``, on the benchmark database (``lp_bench_small``
   of ``bench_core.py`` by default, created if missing); a loyalty manager
   logs in over HTTP JSON-RPC and calls the dashboard
   (``lp.figures.get_dashboard``, the last 365 days) and a segment preview
   (``res.partner.search_count`` of a segment's conditions, as the domain
   editor counts), ``--calls`` times each, then adjusts a member's points
   (the adjustment wizard: a write).
3. The same calls on a server without a replica, for comparison.
4. The proof, from both sides: Odoo's request log (``werkzeug`` lines end
   with the cursor mode: ``ro`` on the replica, ``rw`` on the primary,
   ``ro->rw`` for a read-only request that tried to write) and PostgreSQL's
   own counters of each server (``pg_stat_user_tables``: scans and rows read
   of the loyalty tables, rows inserted), read once Odoo has stopped (its
   connections closed, their statistics flushed); the adjustment's ledger
   entry exists on the primary and reaches the replica (the lag is timed).

The replica is stopped and removed at the end (``--keep-replica`` leaves it
running). Figures go to stdout, progress to stderr.
"""

import argparse
import glob
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta

import psycopg2
from _argv import split_argv
from _common import (
    ODOO_ARGS,
    database_state,
    log,
    open_env,
    percentile,
    prepare_core_database,
    print_table,
    setup_odoo,
    start_server,
    stop_server,
)
from _load_till import Rpc

import odoo
from odoo import Command
from odoo.sql_db import connection_info_for

LOGIN = "bench_replica_manager"
PASSWORD = "bench-replica-password"
SEGMENT = "Bench replica: 300 points or more"
SEGMENT_DOMAIN = [("lp_balance", ">=", 300)]
# method, cursor mode: the request lines of Odoo's log (werkzeug, INFO).
REQUEST_RE = re.compile(
    r'"POST /web/dataset/call_\w+/([\w.]+) HTTP/[\d.]+" (\d+) - '
    r"\S+ \S+ \S+(?: (ro->rw|ro|rw|-))?"
)


def parse_args(argv):
    own, odoo_args = split_argv(argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db",
        help="an installed database to use (default: lp_bench_small of "
        "bench_core.py, created if missing)",
    )
    parser.add_argument("--calls", type=int, default=10, help="calls of each kind")
    parser.add_argument("--days", type=int, default=365, help="dashboard period")
    parser.add_argument("--http-port", type=int, default=18622)
    parser.add_argument(
        "--replica-port",
        type=int,
        default=0,
        help="the replica's port (default: the primary's + 10)",
    )
    parser.add_argument("--keep-replica", action="store_true")
    args = parser.parse_args(own)
    setup_odoo(odoo_args)
    return args


# PostgreSQL: the primary, and a hot standby made of it


def pg_bin():
    found = os.environ.get("PG_BIN")
    if found and os.path.exists(os.path.join(found, "pg_ctl")):
        return found
    for path in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(path, "pg_ctl")):
            return path
    raise RuntimeError("no PostgreSQL binaries (pg_ctl) found")


def as_owner(cmd, **kwargs):
    """Run ``cmd`` as the cluster's owner: 'postgres' when we are root."""
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, check=True, cwd="/", **kwargs)


def query(params, sql, args=None, dbname=None):
    """One statement on the server of ``params`` (autocommit); its rows."""
    params = dict(params, database=dbname or params.get("database", "postgres"))
    conn = psycopg2.connect(**params)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(sql, args)
            return cr.fetchall() if cr.description else []
    finally:
        conn.close()


class Replica:
    """A streaming hot standby of the project's cluster in
    ``<cluster>/replica/`` (data/, socket/, server.log)."""

    def __init__(self, port):
        _db, self.primary = connection_info_for("postgres")
        [(data_dir,)] = query(self.primary, "SHOW data_directory")
        [(primary_port,)] = query(self.primary, "SHOW port")
        self.primary_data = data_dir
        self.base = os.path.join(os.path.dirname(data_dir), "replica")
        self.data = os.path.join(self.base, "data")
        self.socket = os.path.join(self.base, "socket")
        self.port = port or int(primary_port) + 10
        self.params = dict(self.primary, host=self.socket, port=self.port)
        self.bin = pg_bin()

    def pg_ctl(self, *args, check=True):
        cmd = [os.path.join(self.bin, "pg_ctl"), "-D", self.data, *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(
            cmd, check=check, cwd="/", stdout=subprocess.DEVNULL
        ).returncode

    def remove(self):
        if os.path.exists(os.path.join(self.data, "PG_VERSION")):
            self.pg_ctl("-m", "fast", "-w", "stop", check=False)
        shutil.rmtree(self.base, ignore_errors=True)

    def create(self):
        if not os.path.isdir(self.primary_data):
            raise RuntimeError(
                f"the primary's data directory {self.primary_data} is not on "
                "this machine: the replica needs the project's own cluster"
            )
        self.remove()  # what an interrupted run left
        as_owner(["mkdir", "-p", self.socket])
        log(f"pg_basebackup of the cluster into {self.data}")
        started = time.perf_counter()
        as_owner(
            [
                os.path.join(self.bin, "pg_basebackup"),
                "-h", self.primary["host"], "-p", str(self.primary["port"]),
                "-U", "postgres", "-D", self.data,
                "-R", "-X", "stream", "-c", "fast", "--no-sync",
            ]
        )  # fmt: skip
        self.copy_seconds = time.perf_counter() - started
        # -R wrote primary_conninfo and standby.signal; the rest is its own.
        with open(os.path.join(self.data, "postgresql.auto.conf"), "a") as conf:
            conf.write(
                f"\n# bench_replica.py\nport = {self.port}\n"
                f"unix_socket_directories = '{self.socket}'\n"
                "listen_addresses = ''\nhot_standby = on\nshared_buffers = 256MB\n"
            )
        log(f"starting the replica (socket {self.socket}, port {self.port})")
        self.pg_ctl("-l", os.path.join(self.base, "server.log"), "-w", "start")
        [(recovery,)] = query(self.params, "SELECT pg_is_in_recovery()")
        if not recovery:
            raise RuntimeError("the replica is not in recovery (not a standby)")
        [(self.size,)] = query(
            self.params,
            "SELECT pg_size_pretty(sum(pg_database_size(datname))) FROM pg_database",
        )
        self.wait_replay()

    def wait_replay(self, timeout=120):
        """Wait until the replica has replayed the primary's WAL of now;
        returns the seconds it took."""
        [(lsn,)] = query(self.primary, "SELECT pg_current_wal_lsn()")
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            [(done,)] = query(
                self.params, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]
            )
            if done:
                return time.perf_counter() - started
            time.sleep(0.01)
        raise RuntimeError("the replica did not catch up within %ss" % timeout)


def table_counters(params, dbname):
    """(scans, rows read, rows inserted) of the loyalty tables, as this
    server counted them (a standby counts its own reads, no inserts)."""
    [row] = query(
        params,
        """
        SELECT COALESCE(SUM(seq_scan + COALESCE(idx_scan, 0)), 0),
               COALESCE(SUM(seq_tup_read + COALESCE(idx_tup_fetch, 0)), 0),
               COALESCE(SUM(n_tup_ins), 0)
          FROM pg_stat_user_tables WHERE relname LIKE 'lp\\_%%'
        """,
        dbname=dbname,
    )
    return tuple(int(v) for v in row)


# Odoo


class Server:
    """``odoo-bin --workers 2`` on ``dbname``, loopback only, no cron, every
    request logged with its cursor mode."""

    def __init__(self, dbname, port, logfile, replica=None):
        self.dbname = dbname
        self.port = port
        self.logfile = logfile
        self.replica = replica
        self.url = f"http://127.0.0.1:{port}"
        self.process = None

    def start(self):
        odoo_home = os.environ.get("ODOO_HOME") or os.path.dirname(
            os.path.dirname(os.path.abspath(odoo.release.__file__))
        )
        keep, skip = [], False
        for arg in ODOO_ARGS:  # our own log file and level
            if skip:
                skip = False
            elif arg in ("--logfile", "--log-level"):
                skip = True
            elif not arg.startswith(("--logfile=", "--log-level=")):
                keep.append(arg)
        cmd = [
            sys.executable, os.path.join(odoo_home, "odoo-bin"), *keep,
            "-d", self.dbname, "--db-filter", f"^{self.dbname}$",
            "--no-database-list", "--workers", "2", "--max-cron-threads", "0",
            "--http-interface", "127.0.0.1", "--http-port", str(self.port),
            "--gevent-port", str(self.port + 1),
            "--limit-time-real", "600", "--limit-time-cpu", "300",
            "--logfile", self.logfile, "--log-level", "warn",
            "--log-handler", "werkzeug:INFO",
        ]  # fmt: skip
        if self.replica:
            cmd += ["--db_replica_host", self.replica.socket]
            cmd += ["--db_replica_port", str(self.replica.port)]
        where = "with the replica" if self.replica else "without a replica"
        log(f"starting Odoo, 2 workers, {where}, port {self.port}")
        self.process = start_server(cmd, self.url)

    def stop(self):
        stop_server(self.process)

    def requests_by_mode(self):
        """{(method, cursor mode): count} of the JSON-RPC calls served."""
        found = Counter()
        if os.path.exists(self.logfile):
            with open(self.logfile, encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    if match := REQUEST_RE.search(line):
                        mode = match.group(3) or "no mode logged"
                        found[(match.group(1), mode)] += 1
        return found


# The run


def prepare(dbname):
    """The manager, the segment and the member of the run, committed on the
    primary; returns what the client needs."""
    with open_env(dbname) as env:
        Users = env["res.users"].with_context(active_test=False)
        manager = Users.search([("login", "=", LOGIN)])
        groups = [
            env.ref("base.group_user").id,
            env.ref("loyalty_program.group_lp_manager").id,
        ]
        if not manager:
            manager = Users.create(
                {
                    "name": "Bench replica manager",
                    "login": LOGIN,
                    "group_ids": [Command.set(groups)],
                }
            )
        manager.write({"active": True, "password": PASSWORD})
        segment = env["lp.segment"].search([("name", "=", SEGMENT)], limit=1)
        if not segment:
            segment = env["lp.segment"].create({"name": SEGMENT})
        segment.domain = repr(SEGMENT_DOMAIN)
        member = env["lp.member"].search([("state", "=", "active")], limit=1)
        if not member:
            raise RuntimeError(f"no active member in {dbname}")
        setup = {"member_id": member.id, "segment_domain": SEGMENT_DOMAIN}
        env.cr.commit()
    return setup


def client_calls(server, dbname, setup, args, replica=None):
    """Log in as the manager, warm up, then time ``args.calls`` dashboards
    and segment previews; with ``replica``, adjust a member's points and
    time until the entry is on the replica. Returns ({call: [seconds]},
    figures of the last dashboard, the adjustment's (reason, on the
    primary, replication lag in seconds) or None)."""
    rpc = Rpc(server.url, dbname)
    rpc.login(LOGIN, PASSWORD)
    date_to = date.today()
    period = [str(date_to - timedelta(days=args.days - 1)), str(date_to)]
    times = {"dashboard": [], "segment preview": []}
    rpc.call("lp.figures", "get_dashboard", *period)  # warm-up
    for _index in range(args.calls):
        started = time.perf_counter()
        data = rpc.call("lp.figures", "get_dashboard", *period)
        times["dashboard"].append(time.perf_counter() - started)
        started = time.perf_counter()
        count = rpc.call("res.partner", "search_count", setup["segment_domain"])
        times["segment preview"].append(time.perf_counter() - started)
    figures = {f["name"]: f["value"] for s in data["sections"] for f in s["figures"]}
    figures["segment preview"] = count
    adjustment = None
    if replica:
        reason = f"bench_replica {time.time():.6f}"
        wizard_id = rpc.call(
            "lp.adjust.wizard",
            "create",
            {"member_id": setup["member_id"], "points": 10.0, "reason": reason},
        )
        if isinstance(wizard_id, list):
            [wizard_id] = wizard_id
        with Watch(replica.params, dbname) as watch:
            rpc.call("lp.adjust.wizard", "action_confirm", [wizard_id])
            lag = watch.until(reason)
        sql = "SELECT 1 FROM lp_ledger WHERE id > %s AND reason = %s"
        found = query(replica.primary, sql, [watch.last_id, reason], dbname=dbname)
        on_primary = bool(found)
        adjustment = (reason, on_primary, lag)
    return times, figures, adjustment


class Watch:
    """A connection to the replica that polls for a ledger entry."""

    def __init__(self, params, dbname):
        self.conn = psycopg2.connect(**dict(params, database=dbname))
        self.conn.autocommit = True  # a fresh snapshot at each statement
        with self.conn.cursor() as cr:  # new entries only: by primary key
            cr.execute("SELECT COALESCE(MAX(id), 0) FROM lp_ledger")
            [self.last_id] = cr.fetchone()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.conn.close()

    def until(self, reason, timeout=30):
        """Seconds from the call's answer until the entry of ``reason`` is
        on the replica (None: not within ``timeout``)."""
        started = time.perf_counter()
        with self.conn.cursor() as cr:
            while time.perf_counter() - started < timeout:
                cr.execute(
                    "SELECT 1 FROM lp_ledger WHERE id > %s AND reason = %s",
                    [self.last_id, reason],
                )
                if cr.fetchone():
                    return time.perf_counter() - started
                time.sleep(0.001)
        return None


def phase(dbname, setup, args, replica, logfile, with_replica):
    """One server's run (the adjustment only with the replica); returns
    its figures."""
    before = {
        "primary": table_counters(replica.primary, dbname),
        "replica": table_counters(replica.params, dbname),
    }
    server = Server(
        dbname, args.http_port, logfile, replica=replica if with_replica else None
    )
    server.start()
    try:
        times, figures, adjustment = client_calls(
            server, dbname, setup, args, replica=replica if with_replica else None
        )
    finally:
        server.stop()
    time.sleep(1)  # the backends' statistics, flushed as they exit
    after = {
        "primary": table_counters(replica.primary, dbname),
        "replica": table_counters(replica.params, dbname),
    }
    delta = {
        side: tuple(a - b for a, b in zip(after[side], before[side], strict=True))
        for side in after
    }
    return {
        "times": times,
        "figures": figures,
        "adjustment": adjustment,
        "modes": server.requests_by_mode(),
        "counters": delta,
    }


def ms(values):
    return (
        f"{statistics.median(values) * 1000:,.0f} / "
        f"{percentile(values, 95) * 1000:,.0f} ms"
    )


def main():
    args = parse_args(sys.argv[1:])
    if args.db:
        if database_state(args.db) != "installed":
            sys.exit(f"{args.db}: no database with loyalty_program installed")
        dbname = args.db
    else:
        dbname, _info = prepare_core_database("small")
    setup = prepare(dbname)
    replica = Replica(args.replica_port)
    stamp = time.strftime("%Y%m%d_%H%M%S")
    logs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "logs")
    os.makedirs(logs, exist_ok=True)
    results = {}
    try:
        replica.create()
        # Primary only first: the adjustment at the end of the replica's
        # run changes the figures.
        results["primary"] = phase(
            dbname, setup, args, replica,
            os.path.join(logs, f"bench-replica-{stamp}-primary.log"), False,
        )  # fmt: skip
        results["replica"] = phase(
            dbname, setup, args, replica,
            os.path.join(logs, f"bench-replica-{stamp}-replica.log"), True,
        )  # fmt: skip
    finally:
        if args.keep_replica:
            log(f"the replica keeps running: {replica.socket}, port {replica.port}")
        else:
            log("stopping and removing the replica")
            replica.remove()
    report(dbname, args, replica, results)


def report(dbname, args, replica, results):
    print(
        f"\nDatabase {dbname}; replica of the whole cluster ({replica.size}) "
        f"made by pg_basebackup in {replica.copy_seconds:.1f} s; "
        f"{args.calls} calls of each kind per server, after one warm-up; "
        f"dashboard over the last {args.days} days; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    titles = {"replica": "with the replica", "primary": "primary only"}
    rows = []
    for name, title in titles.items():
        result = results[name]
        primary, standby = result["counters"]["primary"], result["counters"]["replica"]
        rows.append(
            (
                title,
                ms(result["times"]["dashboard"]),
                ms(result["times"]["segment preview"]),
                f"{standby[0]:,} / {standby[1]:,}",
                f"{primary[0]:,} / {primary[1]:,} / {primary[2]:,}",
            )
        )
    print_table(
        "Times (client side) and PostgreSQL's counters of the loyalty tables",
        rows,
        (
            "Odoo",
            "dashboard p50 / p95",
            "segment preview p50 / p95",
            "replica: scans / rows read",
            "primary: scans / rows read / inserted",
        ),
    )
    rows = [
        (titles[name], method, mode, str(count))
        for name in titles
        for (method, mode), count in sorted(results[name]["modes"].items())
    ]
    print_table(
        "Requests by cursor mode (Odoo's request log)",
        rows,
        ("Odoo", "call", "cursor", "requests"),
    )
    _reason, on_primary, lag = results["replica"]["adjustment"]
    same = results["replica"]["figures"] == results["primary"]["figures"]
    figures = results["replica"]["figures"]
    print_table(
        "The write and the figures",
        [
            ("adjustment's ledger entry on the primary", "yes" if on_primary else "NO"),
            (
                "... on the replica, after the call's answer",
                f"{lag * 1000:.1f} ms" if lag is not None else "NOT within 30 s",
            ),
            ("same figures from both servers", "yes" if same else "NO"),
            ("members", f"{figures.get('members', 0):,.0f}"),
            ("points liability", f"{figures.get('liability', 0):,.0f}"),
            ("segment preview (customers)", f"{figures['segment preview']:,}"),
        ],
    )


if __name__ == "__main__":
    main()
