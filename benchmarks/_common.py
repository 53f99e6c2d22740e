"""Shared helpers of the benchmarks: command line, database bootstrap, an Odoo
environment, timing and table printing. The set-based generator of members,
cards and ledger entries is in ``_generate.py`` (re-exported here).

A benchmark script is started by ``benchmarks/run <script> [options]``, which
appends ``-- <odoo options>`` (addons path, database connection, data dir,
log file). Typical use::

    from _common import bench_args, prepare_core_database, open_env

    args = bench_args("what it measures").parse_args()   # its own options
    for size in args.sizes:
        dbname, info = prepare_core_database(size)        # created or reused
        with open_env(dbname) as env:
            ...                                           # measure, roll back

Nothing here commits except the bootstrap and the generator.
"""

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

import psycopg2
from _argv import split_argv
from _generate import create_program, generate_core  # noqa: F401 (re-exported)

import odoo
from odoo import api
from odoo.modules.registry import Registry
from odoo.sql_db import close_db, connection_info_for
from odoo.tools import SQL, config

# Members per size; every member gets about 11 ledger entries.
SIZES = {"small": 20_000, "large": 200_000}
MARKER = "loyalty_program.bench_core"
GENERATOR_VERSION = 1
ODOO_ARGS = []
REUSE_VACUUM = ("lp_ledger", "lp_ledger_allocation", "lp_member", "lp_tier_history")


# Command line


def bench_args(description):
    """An argument parser with the options every benchmark shares. Its
    ``parse_args()`` takes the script's own options before ``--`` and hands
    what follows (given by ``benchmarks/run``) to Odoo's configuration."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--sizes",
        default="small,large",
        type=lambda s: [x for x in s.split(",") if x],
        help="comma-separated sizes among %s (default: small,large)"
        % ", ".join(f"{k}={v}" for k, v in SIZES.items()),
    )
    parser.add_argument(
        "--regenerate",
        action="store_true",
        help="drop and rebuild the benchmark databases",
    )
    parser.add_argument("--seed", type=float, default=0.42, help="random seed, 0..1")
    parse = parser.parse_args

    def parse_args(argv=None):
        argv = sys.argv[1:] if argv is None else argv
        own, odoo_args = split_argv(argv)
        args = parse(own)
        for size in args.sizes:
            if size not in SIZES:
                parser.error(f"unknown size {size!r}")
        setup_odoo(odoo_args)
        return args

    parser.parse_args = parse_args
    return parser


def setup_odoo(odoo_args):
    """Load Odoo's configuration (addons path, database server, log file)."""
    ODOO_ARGS[:] = odoo_args
    config.parse_config(list(odoo_args), setup_logging=True)


def log(message):
    """Progress on stderr, so that stdout holds the figures only."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# Database bootstrap


def _connect(dbname):
    _name, params = connection_info_for(dbname)
    return psycopg2.connect(**params)


def database_state(dbname, modules=("loyalty_program",)):
    """'absent', 'incomplete' (exists, some module not installed) or
    'installed'."""
    try:
        conn = _connect(dbname)
    except psycopg2.OperationalError:
        return "absent"
    try:
        with conn.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM ir_module_module "
                "WHERE name IN %s AND state = 'installed'",
                [tuple(modules)],
            )
            installed = cr.fetchone()[0]
    except psycopg2.Error:
        installed = -1
    finally:
        conn.close()
    return "installed" if installed == len(modules) else "incomplete"


def _odoo_bin(*args):
    odoo_home = os.environ.get("ODOO_HOME") or os.path.dirname(
        os.path.dirname(os.path.abspath(odoo.release.__file__))
    )
    cmd = [sys.executable, os.path.join(odoo_home, "odoo-bin"), *args]
    subprocess.run(cmd, check=True)


def drop_database(dbname):
    """Drop ``dbname`` (closing this process's connections to it first) and
    its filestore."""
    Registry.delete(dbname)
    close_db(dbname)
    conn = _connect("postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(SQL("DROP DATABASE IF EXISTS %s", SQL.identifier(dbname)).code)
    finally:
        conn.close()
    shutil.rmtree(config.filestore(dbname), ignore_errors=True)


def ensure_database(dbname, modules=("loyalty_program",), recreate=False):
    """Make sure ``dbname`` exists with ``modules`` installed, without demo
    data. A database left incomplete (an interrupted install) or asked to be
    recreated is dropped first. Returns the seconds spent installing, 0.0
    when the database was reused."""
    state = database_state(dbname, modules)
    if state == "installed" and not recreate:
        return 0.0
    if state != "absent":
        log(f"dropping database {dbname} ({state})")
        drop_database(dbname)
    log(f"creating database {dbname} with {', '.join(modules)} (a few minutes)")
    return _odoo_modules(dbname, "-i", modules)


def _odoo_modules(dbname, option, modules):
    """Install (``-i``) or update (``-u``) ``modules`` in ``dbname`` with
    odoo-bin; returns the seconds it took."""
    started = time.perf_counter()
    _odoo_bin(
        *ODOO_ARGS, "-d", dbname, option, ",".join(modules), "--stop-after-init",
        "--workers", "0", "--max-cron-threads", "0",
    )  # fmt: skip
    return time.perf_counter() - started


def update_modules(dbname, modules=("loyalty_program",)):
    """Bring ``modules`` of a reused database up to the code (new fields of
    a newer version of the addon). Returns the seconds it took."""
    log(f"updating {', '.join(modules)} in {dbname}")
    return _odoo_modules(dbname, "-u", modules)


@contextlib.contextmanager
def open_env(dbname, context=None):
    """An environment (superuser) on ``dbname``. The transaction is rolled
    back on exit unless the caller committed."""
    registry = Registry(dbname)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, dict(context or {}))
        try:
            yield env
        finally:
            cr.rollback()


def vacuum_analyze(dbname, tables=None):
    """VACUUM ANALYZE (needs autocommit, so on a connection of its own)."""
    conn = _connect(dbname)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            if tables:
                for table in tables:
                    cr.execute(SQL("VACUUM ANALYZE %s", SQL.identifier(table)).code)
            else:
                cr.execute("VACUUM ANALYZE")
    finally:
        conn.close()


def read_marker(env, key=MARKER):
    value = env["ir.config_parameter"].sudo().get_param(key)
    return json.loads(value) if value else None


def write_marker(env, value, key=MARKER):
    env["ir.config_parameter"].sudo().set_param(key, json.dumps(value))


def prepare_core_database(size, regenerate=False, seed=0.42):
    """The database ``lp_bench_<size>`` with loyalty_program installed and
    the core data generated (``SIZES[size]`` members). Reused when complete.
    Returns (dbname, info): the generator's figures and counts, with
    ``install_seconds`` and ``reused``."""
    dbname = f"lp_bench_{size}"
    params = {"members": SIZES[size], "version": GENERATOR_VERSION, "seed": seed}
    install = ensure_database(dbname, recreate=regenerate)
    with open_env(dbname) as env:
        info = read_marker(env)
        reuse = info and all(info.get(k) == v for k, v in params.items())
    if reuse:
        # Earlier runs rolled back their changes: clear the dead rows they
        # left, so that runs stay comparable.
        vacuum_analyze(dbname, REUSE_VACUUM)
        info.update(reused=True, install_seconds=install)
        return dbname, info
    if info:  # generated with other parameters: start again from scratch
        install = ensure_database(dbname, recreate=True)
    log(f"generating {params['members']} members in {dbname}")
    with open_env(dbname) as env:
        info = generate_core(env, params["members"], seed=seed)
        info.update(params)
        write_marker(env, info)
        env.cr.commit()
    started = time.perf_counter()
    vacuum_analyze(dbname)
    info["vacuum_analyze_seconds"] = round(time.perf_counter() - started, 1)
    with open_env(dbname) as env:
        write_marker(env, info)
        env.cr.commit()
    info.update(reused=False, install_seconds=install)
    return dbname, info


# Measuring and printing


def timed(func, *args, **kwargs):
    """(result, seconds) of ``func(*args, **kwargs)``."""
    started = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - started


def percentile(values, pct):
    """The ``pct`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[rank]


def summary_ms(seconds):
    """'median / p95 ms' of a list of durations in seconds."""
    return (
        f"{statistics.median(seconds) * 1000:.2f} / "
        f"{percentile(seconds, 95) * 1000:.2f} ms"
    )


def print_table(title, rows, headers=("measure", "value")):
    """Print ``rows`` (tuples of strings) as an aligned text table."""
    rows = [tuple(str(c) for c in row) for row in rows]
    widths = [
        max(len(str(h)), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)
    ]
    line = "  ".join("-" * w for w in widths)
    print(f"\n{title}\n{line}")
    print("  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)))
    print(line)
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print(line, flush=True)


def start_server(cmd, url, timeout=180):
    """Start an Odoo server (``cmd``) in a process group of its own and wait
    until ``url``/web/health answers. Returns the process."""
    import requests

    process = subprocess.Popen(cmd, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Odoo exited ({process.returncode})")
        try:
            requests.get(url + "/web/health", timeout=5)
            return process
        except requests.RequestException:
            time.sleep(1)
    raise RuntimeError(f"Odoo did not answer within {timeout} s")


def stop_server(process):
    """Stop a server of :func:`start_server` (its whole process group)."""
    if process and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
