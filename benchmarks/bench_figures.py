"""Benchmark of the Loyalty dashboard's figures (issue 14).

It creates (or reuses) the database ``lp_bench_figures`` with loyalty_program
installed and fills it with the generator of ``bench_stats.py`` (customers,
about 10 POS and sales order lines each over two years, half of them
members, a fifth with a spend), then tops the ledger up set-based so the
points figures have something to add: an ``earn`` entry (5% of the total)
for every purchase a member made, an ``expire`` entry for a tenth of the
earns older than a year, and a tier history (the initial tier of every
member, an upgrade for a tenth of them and a downgrade for a twentieth over
the last year).

Then it times what the dashboard asks of the database, each run three times
(median), in a transaction rolled back:

* ``lp.figures._compute_figures`` over the last 30 days and the last 365
  days (one statement: every figure);
* ``lp.figures._tier_distribution`` on today;
* ``lp.figures.get_dashboard`` for the last 30 days: the period, the one
  before and both tier distributions, as the browser asks it.

Usage (options before ``--``, Odoo's after it)::

    benchmarks/run bench_figures.py --customers 200000

Figures go to stdout (the dashboard's values included), progress to
stderr. Nothing here is a pass/fail test.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta

import bench_stats
from _argv import split_argv
from bench_stats import connect, ensure_database, env_of, generate, setup_fixtures

DBNAME = "lp_bench_figures"
MARKER = "loyalty_program.bench_figures"
RUNS = 3


def log(message):
    print(f"[bench_figures] {message}", file=sys.stderr, flush=True)


def parse_args(argv):
    own, odoo_args = split_argv(argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--customers", type=int, default=200000, help="customers (default 200000)"
    )
    parser.add_argument("--db", default=DBNAME)
    parser.add_argument(
        "--recreate", action="store_true", help="drop the database and install again"
    )
    parser.add_argument(
        "--no-update",
        action="store_true",
        help="do not update the addon in a reused database (already up to date)",
    )
    return parser.parse_args(own), odoo_args


def update_addon(dbname, odoo_args):
    """Bring loyalty_program of a reused database up to the code."""
    log(f"updating loyalty_program in {dbname}")
    odoo_home = os.environ.get("ODOO_HOME", "/opt/odoo19")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, os.path.join(odoo_home, "odoo-bin"), *odoo_args,
         "-d", dbname, "-u", "loyalty_program", "--stop-after-init",
         "--workers", "0", "--max-cron-threads", "0"],
        check=True,
    )  # fmt: skip
    log(f"updated in {time.perf_counter() - started:.0f}s")


def top_up_ledger(env, info):
    """Earns for the members' purchases, some expiries, a tier history."""
    cr = env.cr
    p = {
        "program": info["program"],
        "company": env.company.id,
        "uid": env.uid,
        "tiers": info["tiers"],
    }
    cr.execute("SELECT setseed(0.24)")
    started = time.perf_counter()
    cr.execute(
        """
        INSERT INTO lp_ledger (
            member_id, program_id, partner_id, company_id, kind, amount, shortfall,
            base_amount, date, available_from, expiry_date, held, remaining,
            res_model, res_id, source_key, user_id,
            create_uid, create_date, write_uid, write_date)
        SELECT m.id, m.program_id, m.partner_id, m.company_id, 'earn',
               floor(o.amount_total * 0.05), 0, o.amount_total, o.date_order,
               o.date_order + interval '14 days',
               (o.date_order + interval '379 days')::date, FALSE,
               floor(o.amount_total * 0.05), 'pos.order', o.id,
               'bench:' || o.id, %(uid)s, %(uid)s, o.date_order, %(uid)s, o.date_order
          FROM pos_order o
          JOIN lp_member m ON m.partner_id = o.partner_id AND m.program_id = %(program)s
         WHERE o.amount_total > 0
        """,
        p,
    )
    counts = {"earns": cr.rowcount}
    cr.execute(
        """
        WITH due AS (
            SELECT id, member_id, program_id, partner_id, company_id, amount,
                   expiry_date
              FROM lp_ledger
             WHERE kind = 'earn' AND source_key LIKE 'bench:%%'
               AND date < now() - interval '380 days' AND amount > 0
               AND random() < 0.1
        ), expired AS (
            INSERT INTO lp_ledger (
                member_id, program_id, partner_id, company_id, kind, amount,
                shortfall, base_amount, date, held, remaining, res_model, res_id,
                source_key, user_id, create_uid, create_date, write_uid, write_date)
            SELECT member_id, program_id, partner_id, company_id, 'expire', -amount,
                   0, 0, expiry_date + 1, FALSE, 0, 'lp.ledger', id,
                   'expire:' || id, %(uid)s, %(uid)s, now(), %(uid)s, now()
              FROM due
            RETURNING res_id
        )
        UPDATE lp_ledger SET remaining = 0 WHERE id IN (SELECT res_id FROM expired)
        """,
        p,
    )
    counts["expires"] = cr.rowcount
    cr.execute(
        """
        INSERT INTO lp_tier_history (
            member_id, old_tier_id, new_tier_id, reason, window_spend, date,
            create_uid, create_date, write_uid, write_date)
        SELECT id, NULL, (%(tiers)s::int[])[1], 'initial', 0,
               join_date::timestamp, %(uid)s, now(), %(uid)s, now()
          FROM lp_member WHERE program_id = %(program)s
        UNION ALL
        SELECT id, (%(tiers)s::int[])[1], (%(tiers)s::int[])[2], 'upgrade', 6000,
               now() - make_interval(days => floor(random() * 365)::int),
               %(uid)s, now(), %(uid)s, now()
          FROM lp_member WHERE program_id = %(program)s AND id %% 10 = 0
        UNION ALL
        SELECT id, (%(tiers)s::int[])[2], (%(tiers)s::int[])[1], 'downgrade', 100,
               now() - make_interval(days => floor(random() * 365)::int),
               %(uid)s, now(), %(uid)s, now()
          FROM lp_member WHERE program_id = %(program)s AND id %% 20 = 0
        """,
        p,
    )
    counts["tier_history"] = cr.rowcount
    cr.execute(
        """
        UPDATE lp_member m SET balance = s.total
          FROM (SELECT member_id, SUM(remaining) AS total FROM lp_ledger
                 GROUP BY member_id) s
         WHERE s.member_id = m.id
        """
    )
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def vacuum_analyze(dbname):
    bench_stats.vacuum_analyze(dbname)
    conn = connect(dbname)
    conn.autocommit = True
    with conn.cursor() as cr:
        for table in ("lp_tier_history", "lp_consent_event", "lp_program"):
            cr.execute(f"VACUUM ANALYZE {table}")
    conn.close()


def timed(func, *args):
    times = []
    result = None
    for _run in range(RUNS):
        started = time.perf_counter()
        result = func(*args)
        times.append(time.perf_counter() - started)
    return result, round(statistics.median(times), 2), round(max(times), 2)


def backend_cpu(cr):
    """CPU seconds used so far by this connection's PostgreSQL backend (read
    from /proc: the server runs on this machine)."""
    cr.execute("SELECT pg_backend_pid()")
    with open(f"/proc/{cr.fetchone()[0]}/stat") as stat:
        values = stat.read().rsplit(")", 1)[1].split()
    return (int(values[11]) + int(values[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(env, func, *args):
    """CPU seconds of ``func`` in the database backend (parallel workers off,
    so that one process does all the work) and in Python: on a loaded
    machine, what the wall time would be on an idle one."""
    env.cr.execute("SET max_parallel_workers_per_gather = 0")
    before_db, before_py = backend_cpu(env.cr), time.process_time()
    func(*args)
    after_db, after_py = backend_cpu(env.cr), time.process_time()
    env.cr.execute("RESET max_parallel_workers_per_gather")
    return {
        "database": round(after_db - before_db, 2),
        "python": round(after_py - before_py, 2),
    }


def measure(env):
    from odoo import fields

    Figures = env["lp.figures"]
    company = env.company
    today = fields.Date.today()
    out = {}
    for days in (30, 365):
        values, median, worst = timed(
            Figures._compute_figures, company, today - timedelta(days=days - 1), today
        )
        out[f"figures_{days}_days_s"] = {"median": median, "max": worst}
        out[f"values_{days}_days"] = {
            k: (round(v, 2) if v is not None else None) for k, v in values.items()
        }
    tiers, median, worst = timed(Figures._tier_distribution, company, today)
    out["tier_distribution_s"] = {"median": median, "max": worst}
    out["tiers"] = {t.name: n for t, n in tiers}
    start = str(today - timedelta(days=29))
    _data, median, worst = timed(Figures.get_dashboard, start, str(today))
    out["dashboard_30_days_s"] = {"median": median, "max": worst}
    out["dashboard_30_days_cpu_s"] = cpu_seconds(
        env, Figures.get_dashboard, start, str(today)
    )
    env.cr.rollback()
    return out


def table_counts(env):
    out = {}
    for table in ("res_partner", "pos_order", "pos_order_line", "sale_order",
                  "sale_order_line", "lp_member", "lp_ledger",
                  "lp_tier_history"):  # fmt: skip
        env.cr.execute(f"SELECT count(*) FROM {table}")
        out[table] = env.cr.fetchone()[0]
    return out


def main():
    args, odoo_args = parse_args(sys.argv[1:])
    import odoo
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(list(odoo_args), setup_logging=True)
    install = ensure_database(args.db, odoo_args, args.recreate)
    if install:
        log(f"installed in {install:.0f}s")
    elif not args.no_update:
        update_addon(args.db, odoo_args)
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = env_of(registry, cr)
        Param = env["ir.config_parameter"].sudo()
        info = json.loads(Param.get_param(MARKER) or "null") or setup_fixtures(env)
        if info["customers"] < args.customers:
            if info.get("ledger"):
                log("the database has its ledger topped up: use --recreate to grow it")
            else:
                log(f"generating up to {args.customers} customers")
                counts = generate(env, info, args.customers)
                log(f"generated {counts}")
                Param.set_param(MARKER, json.dumps(info))
                cr.commit()
        if not info.get("ledger"):
            log("topping up the ledger")
            info["ledger"] = top_up_ledger(env, info)
            log(f"ledger {info['ledger']}")
            Param.set_param(MARKER, json.dumps(info))
            cr.commit()
    vacuum_analyze(args.db)
    with registry.cursor() as cr:
        env = env_of(registry, cr)
        counts = table_counts(env)
        log("measuring")
        result = measure(env)
    result["tables"] = counts
    result["customers"] = info["customers"]
    result["load_average"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(result, indent=1, default=str), flush=True)
    print()
    lines = counts["pos_order_line"] + counts["sale_order_line"]
    print(
        "customers | order lines | ledger | 30 days | 365 days | tiers | dashboard"
        " | dashboard CPU (database + Python) | load"
    )
    cpu = result["dashboard_30_days_cpu_s"]
    print(
        f"{info['customers']:>9} | {lines:>11} | {counts['lp_ledger']:>6} | "
        f"{result['figures_30_days_s']['median']:>6}s | "
        f"{result['figures_365_days_s']['median']:>7}s | "
        f"{result['tier_distribution_s']['median']:>4}s | "
        f"{result['dashboard_30_days_s']['median']:>8}s | "
        f"{cpu['database']}s + {cpu['python']}s | {result['load_average'][0]}"
    )
    odoo.sql_db.close_all()


if __name__ == "__main__":
    main()
