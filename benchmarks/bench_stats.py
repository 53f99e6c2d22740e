"""Benchmark of the nightly customer statistics, RFM scores and segment
refresh of loyalty_program (issue 6).

It creates (or reuses) the database ``lp_bench_stats`` with loyalty_program
installed, then for each size in ``--sizes`` (customers, ascending) tops the
data up set-based in SQL and times the nightly job as the scheduler runs it
(one committed step per id range, then one per segment):

* customers: ``res.partner`` rows with e-mail, consent and birthday;
* per customer about 10 order lines: 1 to 9 POS orders (most customers have
  few) of 1 to 5 lines, about 3% of them refunds, and one confirmed sales
  order of one line, dated over the last two years (each customer has an
  activity span of their own, so recency and frequency spread out);
* half the customers are members of a bonus program (Base/Silver/Gold, a
  random tier), a fifth have a ``spend`` ledger entry (total saved);
* segments: the seven RFM groups plus three rule segments on statistics,
  consent, birthday and tier.

What the rows are: POS orders are ``paid``/``done`` with totals, lines and a
currency rate, but no session, payment or accounting entry; sales orders are
``sale`` with lines, no invoice, picking or tax. That is all the statistics
read; the rest of a real order does not change the figures timed here.

Usage (options before ``--``, Odoo's after it)::

    benchmarks/run bench_stats.py --sizes 20000,200000
    # or directly, with the project's virtual environment:
    PYTHONPATH=/opt/odoo19 .venv/bin/python benchmarks/bench_stats.py \\
        --sizes 20000,200000 -- \\
        --addons-path=/opt/odoo19/addons,/opt/odoo19/odoo/addons,. \\
        --db_host <socket dir> --db_port 54329 --db_user odoo --log-level warn

Figures go to stdout, progress to stderr. Nothing here is a pass/fail test.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import psycopg2
from _argv import split_argv

DBNAME = "lp_bench_stats"
MARKER = "loyalty_program.bench_stats"


def log(message):
    print(f"[bench_stats] {message}", file=sys.stderr, flush=True)


def parse_args(argv):
    own, odoo_args = split_argv(argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="20000,200000",
        type=lambda s: sorted(int(x) for x in s.split(",") if x),
        help="customers, comma-separated (default 20000,200000)",
    )
    parser.add_argument("--db", default=DBNAME)
    parser.add_argument(
        "--recreate", action="store_true", help="drop the database and install again"
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=50000,
        help="partner ids per committed step (the cron's default)",
    )
    return parser.parse_args(own), odoo_args


# Database


def connect(dbname):
    from odoo.sql_db import connection_info_for

    _name, params = connection_info_for(dbname)
    return psycopg2.connect(**params)


def installed(dbname):
    try:
        conn = connect(dbname)
    except psycopg2.OperationalError:
        return None
    try:
        with conn.cursor() as cr:
            cr.execute(
                "SELECT state FROM ir_module_module WHERE name = 'loyalty_program'"
            )
            row = cr.fetchone()
            return bool(row and row[0] == "installed")
    except psycopg2.Error:
        return False
    finally:
        conn.close()


def ensure_database(dbname, odoo_args, recreate):
    state = installed(dbname)
    if state and not recreate:
        return 0.0
    if state is not None:
        log(f"dropping {dbname}")
        conn = connect("postgres")
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        conn.close()
    log(f"installing loyalty_program in {dbname} (a few minutes)")
    started = time.perf_counter()
    odoo_home = os.environ.get("ODOO_HOME", "/opt/odoo19")
    subprocess.run(
        [sys.executable, os.path.join(odoo_home, "odoo-bin"), *odoo_args,
         "-d", dbname, "-i", "loyalty_program", "--stop-after-init",
         "--workers", "0", "--max-cron-threads", "0"],
        check=True,
    )  # fmt: skip
    return time.perf_counter() - started


def vacuum_analyze(dbname):
    conn = connect(dbname)
    conn.autocommit = True
    with conn.cursor() as cr:
        for table in ("res_partner", "pos_order", "pos_order_line", "sale_order",
                      "sale_order_line", "lp_member", "lp_ledger",
                      "lp_customer_stats", "lp_segment_partner_rel"):  # fmt: skip
            cr.execute(f"VACUUM ANALYZE {table}")
    conn.close()


def env_of(registry, cr):
    import odoo
    from odoo import api

    return api.Environment(cr, odoo.SUPERUSER_ID, {})


# Generator


def setup_fixtures(env):
    """Program, tiers, product and rule segments, once."""
    from odoo import Command

    program = env["lp.program"].create(
        {
            "name": "Bench stats program",
            "point_value": 1.0,
            "tier_ids": [
                Command.create({"name": "Base", "threshold": 0}),
                Command.create({"name": "Silver", "threshold": 5000}),
                Command.create({"name": "Gold", "threshold": 12000}),
            ],
        }
    )
    product = env["product.product"].create(
        {"name": "Bench item", "list_price": 10.0, "available_in_pos": True}
    )
    gold = program.tier_ids.sorted("threshold")[-1]
    env["lp.segment"].create(
        [
            {
                "name": "Big spenders who accept e-mail",
                "domain": repr([("lp_consent_email", "=", True),
                                ("lp_window_revenue", ">", 1000)]),
            },
            {
                "name": "Sleeping, SMS allowed",
                "domain": repr([("lp_rfm_group", "=", "sleeping"),
                                ("lp_consent_sms", "=", True)]),
            },
            {
                "name": "Gold, birthday in March",
                "domain": repr([("lp_tier_id", "=", gold.id),
                                ("lp_birthday_month", "=", 3)]),
            },
        ]
    )  # fmt: skip
    return {"program": program.id, "product": product.id, "tiers": program.tier_ids.ids,
            "customers": 0, "first_partner": None}  # fmt: skip


def reserve(cr, table, count):
    cr.execute("SELECT nextval(%s)", [f"{table}_id_seq"])
    first = cr.fetchone()[0]
    cr.execute("SELECT setval(%s, %s)", [f"{table}_id_seq", first + count - 1])
    return first - 1


def generate(env, info, customers):
    """Add customers (and their orders, memberships, ledger spends) until
    there are ``customers``. Returns the row counts added and the seconds."""
    from odoo import fields

    cr = env.cr
    add = customers - info["customers"]
    if add <= 0:
        return {}
    started = time.perf_counter()
    now = fields.Datetime.now().replace(microsecond=0)
    company = env.company
    p = {
        "n": add,
        "now": now,
        "uid": env.uid,
        "company": company.id,
        "currency": company.currency_id.id,
        "product": info["product"],
        "program": info["program"],
        "tiers": info["tiers"],
        "offset": info["customers"],
    }
    p["p0"] = reserve(cr, "res_partner", add)
    cr.execute("SELECT setseed(0.42)")
    cr.execute(
        """
        CREATE TEMP TABLE lps_c ON COMMIT DROP AS
        SELECT g, %(p0)s + g AS partner_id,
               floor(power(random(), 2) * 700)::int AS last_days,
               floor(random() * 500)::int AS span,
               1 + floor(power(random(), 2) * 9)::int AS orders
          FROM generate_series(1, %(n)s) g
        """,
        p,
    )
    cr.execute(
        """
        INSERT INTO res_partner (
            id, name, complete_name, type, active, is_company, commercial_partner_id,
            lang, partner_share, customer_rank, supplier_rank, color, autopost_bills,
            email, email_normalized, lp_consent_email, lp_consent_sms,
            lp_birthday, lp_birthday_month, lp_birthday_day,
            create_uid, create_date, write_uid, write_date)
        SELECT partner_id, name, name, 'contact', TRUE, FALSE, partner_id,
               'en_US', TRUE, 1, 0, 0, 'ask',
               'c' || partner_id || '@bench.example',
               'c' || partner_id || '@bench.example',
               random() < 0.6, random() < 0.4,
               birthday, extract(month FROM birthday), extract(day FROM birthday),
               %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM (SELECT partner_id, 'Bench customer ' || (%(offset)s + g) AS name,
                       DATE '1950-01-01' + floor(random() * 20000)::int AS birthday
                  FROM lps_c) c
        """,
        p,
    )
    counts = {"partners": cr.rowcount}
    # 1 to 9 POS orders per customer (most have few), one in 33 a refund,
    # of 1 to 5 lines: about 9 lines a customer.
    cr.execute(
        """
        CREATE TEMP TABLE lps_o ON COMMIT DROP AS
        SELECT nextval('pos_order_id_seq') AS id, c.partner_id, s.k,
               %(now)s - make_interval(
                   secs => 86400 * (c.last_days + random() * c.span)) AS date_order,
               random() < 0.03 AS refund, 1 + floor(random() * 5)::int AS lines
          FROM lps_c c CROSS JOIN LATERAL generate_series(1, c.orders) s(k)
        """,
        p,
    )
    cr.execute(
        """
        CREATE TEMP TABLE lps_l ON COMMIT DROP AS
        SELECT o.id AS order_id, l.k,
               CASE WHEN o.refund THEN -1 ELSE 1 END * (1 + floor(random() * 3)) AS qty,
               round((5 + random() * 145)::numeric, 2) AS price
          FROM lps_o o CROSS JOIN LATERAL generate_series(1, o.lines) l(k)
        """
    )
    cr.execute(
        """
        INSERT INTO pos_order (
            id, name, pos_reference, date_order, partner_id, company_id, state,
            amount_tax, amount_total, amount_paid, amount_return, currency_rate,
            is_refund, uuid, source, user_id,
            create_uid, create_date, write_uid, write_date)
        SELECT o.id, 'BENCH/' || o.id, 'BENCH-' || o.id, o.date_order, o.partner_id,
               %(company)s, CASE WHEN o.k = 1 THEN 'paid' ELSE 'done' END,
               0, t.total, t.total, 0, 1.0, o.refund, md5('lps' || o.id), 'pos',
               %(uid)s,
               %(uid)s, o.date_order, %(uid)s, o.date_order
          FROM lps_o o
          JOIN (SELECT order_id, SUM(qty * price) AS total
                  FROM lps_l GROUP BY order_id) t
            ON t.order_id = o.id
        """,
        p,
    )
    counts["pos_orders"] = cr.rowcount
    cr.execute(
        """
        INSERT INTO pos_order_line (
            name, full_product_name, order_id, product_id, company_id, qty, price_unit,
            price_subtotal, price_subtotal_incl, discount, uuid,
            create_uid, create_date, write_uid, write_date)
        SELECT 'BENCH/' || l.order_id || '/' || l.k, 'Bench item', l.order_id,
               %(product)s, %(company)s, l.qty, l.price,
               l.qty * l.price, l.qty * l.price,
               0, md5('lpsl' || l.order_id || '/' || l.k),
               %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM lps_l l
        """,
        p,
    )
    counts["pos_order_lines"] = cr.rowcount
    # One confirmed sales order of one line per customer.
    cr.execute(
        """
        CREATE TEMP TABLE lps_s ON COMMIT DROP AS
        SELECT nextval('sale_order_id_seq') AS id, c.partner_id,
               %(now)s - make_interval(
                   secs => 86400 * (c.last_days + random() * c.span)) AS date_order,
               1 + floor(random() * 3) AS qty,
               round((20 + random() * 480)::numeric, 2) AS price
          FROM lps_c c
        """,
        p,
    )
    cr.execute(
        """
        INSERT INTO sale_order (
            id, name, partner_id, partner_invoice_id, partner_shipping_id, company_id,
            currency_id, currency_rate, date_order, state, picking_policy,
            amount_untaxed, amount_tax, amount_total, user_id,
            create_uid, create_date, write_uid, write_date)
        SELECT id, 'BENCH/S' || id, partner_id, partner_id, partner_id, %(company)s,
               %(currency)s, 1.0, date_order, 'sale', 'direct',
               qty * price, 0, qty * price, %(uid)s,
               %(uid)s, date_order, %(uid)s, date_order
          FROM lps_s
        """,
        p,
    )
    counts["sale_orders"] = cr.rowcount
    cr.execute(
        """
        INSERT INTO sale_order_line (
            order_id, name, product_id, product_uom_qty, price_unit, customer_lead,
            price_subtotal, price_total, company_id, currency_id, order_partner_id,
            state, create_uid, create_date, write_uid, write_date)
        SELECT id, 'Bench item', %(product)s, qty, price, 0, qty * price, qty * price,
               %(company)s, %(currency)s, partner_id, 'sale',
               %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM lps_s
        """,
        p,
    )
    counts["sale_order_lines"] = cr.rowcount
    # Half are members (a random tier), a fifth spent points.
    cr.execute(
        """
        WITH m AS (
            INSERT INTO lp_member (
                partner_id, program_id, company_id, state, join_date, tier_id,
                balance, pending, window_spend, enrol_source,
                create_uid, create_date, write_uid, write_date)
            SELECT partner_id, %(program)s, %(company)s, 'active', %(now)s::date - 400,
                   (%(tiers)s::int[])[1 + floor(random() * 3)::int], 0, 0, 0, 'import',
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM lps_c WHERE g %% 2 = 0
            RETURNING id, partner_id
        )
        INSERT INTO lp_ledger (
            member_id, program_id, partner_id, company_id, kind, amount, shortfall,
            base_amount, date, held, remaining, user_id,
            create_uid, create_date, write_uid, write_date)
        SELECT id, %(program)s, partner_id, %(company)s, 'spend',
               -(10 + floor(random() * 290)), 0, 0, %(now)s - interval '20 days',
               FALSE, 0, %(uid)s, %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM m WHERE id %% 5 < 2
        """,
        p,
    )
    counts["ledger_spends"] = cr.rowcount
    info["customers"] = customers
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


# Measures


def nightly(env, batch):
    """The nightly job step by step as the scheduler runs it, committing
    each step. Returns seconds per phase and in total."""
    from odoo import fields

    Stats = env["lp.customer.stats"]
    today = fields.Date.today()
    state = {"day": str(today), "phase": "figures", "cursor": 0}
    phases = {}
    rows = {}
    total = time.perf_counter()
    while state["phase"] != "done":
        phase = state["phase"]
        started = time.perf_counter()
        done, _remaining = Stats._nightly_step(state, today, batch)
        env.cr.commit()
        phases[phase] = phases.get(phase, 0.0) + time.perf_counter() - started
        rows[phase] = rows.get(phase, 0) + done
    phases["total"] = time.perf_counter() - total
    return {k: round(v, 1) for k, v in phases.items()}, rows


def incremental(env, count=200):
    """Milliseconds to refresh one customer (an order paid), median and
    95th percentile over ``count`` random customers; rolled back."""
    env.cr.execute(
        "SELECT partner_id FROM lp_customer_stats ORDER BY random() LIMIT %s", [count]
    )
    ids = [r[0] for r in env.cr.fetchall()]
    times = []
    for partner_id in ids:
        started = time.perf_counter()
        env["lp.customer.stats"]._refresh_partners([partner_id])
        times.append((time.perf_counter() - started) * 1000)
    env.cr.rollback()
    times.sort()
    return round(times[len(times) // 2], 1), round(times[int(len(times) * 0.95)], 1)


def table_counts(env):
    out = {}
    for table in ("res_partner", "pos_order", "pos_order_line", "sale_order",
                  "sale_order_line", "lp_member", "lp_ledger", "lp_customer_stats",
                  "lp_segment_partner_rel"):  # fmt: skip
        env.cr.execute(f"SELECT count(*) FROM {table}")
        out[table] = env.cr.fetchone()[0]
    env.cr.execute(
        "SELECT rfm_group, count(*) FROM lp_customer_stats GROUP BY 1 ORDER BY 2 DESC"
    )
    out["groups"] = dict(env.cr.fetchall())
    env.cr.execute("SELECT name->>'en_US', size FROM lp_segment ORDER BY id")
    out["segments"] = dict(env.cr.fetchall())
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
    registry = Registry(args.db)
    results = []
    for size in args.sizes:
        with registry.cursor() as cr:
            env = env_of(registry, cr)
            Param = env["ir.config_parameter"].sudo()
            info = json.loads(Param.get_param(MARKER) or "null") or setup_fixtures(env)
            if size < info["customers"]:
                log(f"{size} customers: the database holds {info['customers']}; "
                    "use --recreate to measure a smaller size")  # fmt: skip
                continue
            log(f"generating up to {size} customers")
            counts = generate(env, info, size)
            Param.set_param(MARKER, json.dumps(info))
            cr.commit()
            log(f"generated {counts}")
        vacuum_analyze(args.db)
        with registry.cursor() as cr:
            env = env_of(registry, cr)
            log(f"{size}: first nightly run")
            first, rows = nightly(env, args.batch)
            log(f"{size}: second nightly run (nothing changed since)")
            second, rows2 = nightly(env, args.batch)
            median, p95 = incremental(env)
            counts = table_counts(env)
        results.append((size, first, second, rows, rows2, median, p95, counts))
        figures = {
            "customers": size,
            "first_run_s": first,
            "second_run_s": second,
            "rows_written_first": rows,
            "rows_written_second": rows2,
            "refresh_one_customer_ms": {"median": median, "p95": p95},
            "tables": counts,
        }
        print(json.dumps(figures, indent=1), flush=True)
    print()
    print("customers | order lines | nightly total | figures | quintiles | scores | "
          "segments | 2nd night | one customer (median/p95)")  # fmt: skip
    for size, first, second, _r, _r2, median, p95, counts in results:
        lines = counts["pos_order_line"] + counts["sale_order_line"]
        print(
            f"{size:>9} | {lines:>11} | {first['total']:>12}s | "
            f"{first['figures']:>6}s | {first['breaks']:>8}s | {first['scores']:>5}s | "
            f"{first['segments']:>7}s | {second['total']:>8}s | {median} / {p95} ms"
        )
    odoo.sql_db.close_all()


if __name__ == "__main__":
    main()
