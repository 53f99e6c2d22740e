"""Benchmark at scale: the nightly jobs together, member lookup by card and
by phone, the balance read and posting with commits, on databases of
hundreds of thousands to a million members with their order history.

Run it with ``benchmarks/run bench_scale.py --members 200000,500000`` (or
``1000000``: about 11 ledger entries and 10 order lines per member, some
8 GB and an hour of generation on a 2-core machine). Each size has its own
database, ``lp_bench_m<thousands>k``: the core data of ``bench_core.py``
(members, cards, ledger) plus, for the same customers, 1 to 9 POS orders
of 1 to 5 lines (3% refunds) and one confirmed sales order each, set-based;
it is reused when complete. The nightly jobs run in one transaction rolled
back at the end (so they find the same work at every run); the postings
commit.
"""

import os
import platform
import random
import statistics
import time

from _common import (
    bench_args,
    ensure_database,
    generate_core,
    log,
    open_env,
    percentile,
    print_table,
    read_marker,
    timed,
    update_modules,
    vacuum_analyze,
    write_marker,
)

from odoo import Command, fields
from odoo.tools import SQL

MARKER = "loyalty_program.bench_scale"
VERSION = 1


def generate_orders(env, program_id):
    """For every member's customer: 1 to 9 POS orders (most few) of 1 to 5
    lines over two years, 3% refunds, and one confirmed sales order."""
    cr = env.cr
    started = time.perf_counter()
    company = env.company
    product = env["product.product"].create(
        {"name": "Bench scale item", "list_price": 10.0, "available_in_pos": True}
    )
    env.flush_all()
    p = {
        "now": fields.Datetime.now().replace(microsecond=0),
        "uid": env.uid,
        "company": company.id,
        "currency": company.currency_id.id,
        "product": product.id,
        "program": program_id,
    }
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE lpx_c ON COMMIT DROP AS
            SELECT partner_id, floor(power(random(), 2) * 700)::int AS last_days,
                   floor(random() * 500)::int AS span,
                   1 + floor(power(random(), 2) * 9)::int AS orders
              FROM lp_member WHERE program_id = %(program)s
            """,
            **p,
        )
    )
    cr.execute("SELECT count(*) FROM lpx_c")
    customers = cr.fetchone()[0]
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE lpx_o ON COMMIT DROP AS
            SELECT nextval('pos_order_id_seq') AS id, c.partner_id, s.k,
                   %(now)s - make_interval(
                       secs => 86400 * (c.last_days + random() * c.span)) AS date_order,
                   random() < 0.03 AS refund, 1 + floor(random() * 5)::int AS lines
              FROM lpx_c c CROSS JOIN LATERAL generate_series(1, c.orders) s(k)
            """,
            **p,
        )
    )
    cr.execute(
        """
        CREATE TEMP TABLE lpx_l ON COMMIT DROP AS
        SELECT o.id AS order_id, l.k,
               CASE WHEN o.refund THEN -1 ELSE 1 END * (1 + floor(random() * 3)) AS qty,
               round((5 + random() * 145)::numeric, 2) AS price
          FROM lpx_o o CROSS JOIN LATERAL generate_series(1, o.lines) l(k)
        """
    )
    cr.execute(
        SQL(
            """
            INSERT INTO pos_order (
                id, name, pos_reference, date_order, partner_id, company_id, state,
                amount_tax, amount_total, amount_paid, amount_return, currency_rate,
                is_refund, uuid, source, user_id,
                create_uid, create_date, write_uid, write_date)
            SELECT o.id, 'BENCH/' || o.id, 'BENCH-' || o.id, o.date_order,
                   o.partner_id, %(company)s, 'done', 0, t.total, t.total, 0, 1.0,
                   o.refund, md5('lpx' || o.id), 'pos', %(uid)s,
                   %(uid)s, o.date_order, %(uid)s, o.date_order
              FROM lpx_o o
              JOIN (SELECT order_id, SUM(qty * price) AS total
                      FROM lpx_l GROUP BY order_id) t ON t.order_id = o.id
            """,
            **p,
        )
    )
    counts = {"customers": customers, "pos_orders": cr.rowcount}
    cr.execute(
        SQL(
            """
            INSERT INTO pos_order_line (
                name, full_product_name, order_id, product_id, company_id, qty,
                price_unit, price_subtotal, price_subtotal_incl, discount, uuid,
                create_uid, create_date, write_uid, write_date)
            SELECT 'BENCH/' || l.order_id || '/' || l.k, 'Bench item', l.order_id,
                   %(product)s, %(company)s, l.qty, l.price, l.qty * l.price,
                   l.qty * l.price, 0, md5('lpxl' || l.order_id || '/' || l.k),
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM lpx_l l
            """,
            **p,
        )
    )
    counts["pos_order_lines"] = cr.rowcount
    cr.execute(
        SQL(
            """
            WITH s AS (
                INSERT INTO sale_order (
                    name, partner_id, partner_invoice_id, partner_shipping_id,
                    company_id, currency_id, currency_rate, date_order, state,
                    picking_policy, amount_untaxed, amount_tax, amount_total, user_id,
                    create_uid, create_date, write_uid, write_date)
                SELECT 'BENCH/S' || partner_id, partner_id, partner_id, partner_id,
                       %(company)s, %(currency)s, 1.0,
                       %(now)s - make_interval(
                           secs => 86400 * (last_days + random() * span)),
                       'sale', 'direct', 100, 0, 100, %(uid)s,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM lpx_c
                RETURNING id, partner_id
            )
            INSERT INTO sale_order_line (
                order_id, name, product_id, product_uom_qty, price_unit, customer_lead,
                price_subtotal, price_total, company_id, currency_id, order_partner_id,
                state, create_uid, create_date, write_uid, write_date)
            SELECT id, 'Bench item', %(product)s, 1, 100, 0, 100, 100,
                   %(company)s, %(currency)s, partner_id, 'sale',
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM s
            """,
            **p,
        )
    )
    counts["sale_orders"] = cr.rowcount
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def prepare(members, regenerate, seed, update=True):
    dbname = f"lp_bench_m{members // 1000}k"
    params = {"members": members, "version": VERSION, "seed": seed}
    if not ensure_database(dbname, recreate=regenerate) and update:
        update_modules(dbname)  # reused: bring the addon up to the code
    with open_env(dbname) as env:
        info = read_marker(env, MARKER)
    if info and all(info.get(k) == v for k, v in params.items()):
        return dbname, dict(info, reused=True)
    if info or regenerate:
        ensure_database(dbname, recreate=True)
    log(f"generating {members:,} members and their orders in {dbname}")
    with open_env(dbname) as env:
        info = generate_core(env, members, seed=seed)
        info["orders"] = generate_orders(env, info["program_id"])
        info.update(params)
        write_marker(env, info, MARKER)
        env.cr.commit()
    started = time.perf_counter()
    vacuum_analyze(dbname)
    info["vacuum_seconds"] = round(time.perf_counter() - started, 1)
    with open_env(dbname) as env:
        write_marker(env, info, MARKER)
        env.cr.commit()
    return dbname, dict(info, reused=False)


def nightly_jobs(env):
    """Every scheduled job of the night, as the scheduler calls them, one
    after the other in this transaction (rolled back by the caller)."""
    jobs = [
        ("release and expiry", env["lp.ledger"]._cron_release_and_expire),
        ("stale reservations", env["lp.reservation"]._cron_release_stale),
        ("tiers", env["lp.member"]._cron_reevaluate_tiers),
        ("birthday bonus", env["lp.member"]._cron_birthday_bonus),
        ("statistics, RFM, segments", env["lp.customer.stats"]._cron_nightly),
    ]
    rows = []
    for name, job in jobs:
        env.invalidate_all()
        _result, seconds = timed(job)
        rows.append((name, seconds))
    return rows


def make_cashier(env):
    env.company.country_id = env.ref("base.ru")
    return env["res.users"].create(
        {
            "name": "Bench scale cashier",
            "login": f"bench_scale_cashier_{time.time_ns()}",
            "group_ids": [
                Command.link(env.ref("base.group_user").id),
                Command.link(env.ref("point_of_sale.group_pos_user").id),
            ],
        }
    )


def lookups(env, cashier, count):
    env.cr.execute(
        """
        SELECT c.number, p.lp_phone_e164, m.id FROM lp_card c
          JOIN lp_member m ON m.id = c.member_id
          JOIN res_partner p ON p.id = m.partner_id
         WHERE c.state = 'active' AND m.state = 'active'
         ORDER BY random() LIMIT %s
        """,
        [count],
    )
    orders = env["pos.order"].with_user(cashier)
    card, phone = [], []
    for number, e164, member_id in env.cr.fetchall():
        d = e164[2:]
        local = f"8 ({d[:3]}) {d[3:6]}-{d[6:8]}-{d[8:]}"
        for code, bucket in ((number, card), (local, phone)):
            env.invalidate_all()
            info, seconds = timed(orders.lp_pos_lookup, code)
            assert info["member_id"] == member_id, (code, info["member_id"])
            bucket.append(seconds)
    return card, phone


def balance_reads(env, count):
    env.cr.execute("SELECT id FROM lp_member ORDER BY random() LIMIT %s", [count])
    seconds = []
    for (member_id,) in env.cr.fetchall():
        env.invalidate_all()
        _balance, spent = timed(lambda m=member_id: env["lp.member"].browse(m).balance)
        seconds.append(spent)
    return seconds


def postings(env, count, rng):
    """``count`` earns and as many spends on random members, each committed
    on its own (a paid order's transaction). Returns (entries, seconds)."""
    env.cr.execute(
        "SELECT id FROM lp_member WHERE state = 'active' AND balance >= 20 "
        "ORDER BY random() LIMIT %s",
        [count],
    )
    members = env["lp.member"].browse([r[0] for r in env.cr.fetchall()])
    run = time.time_ns()
    started = time.perf_counter()
    for index, member in enumerate(members):
        member._earn(
            rng.randint(200, 5000),
            source=None,
            source_key=f"bench-scale:{run}:{index}:earn",
        )
        env.cr.commit()
        member._spend(10, source=None, source_key=f"bench-scale:{run}:{index}:spend")
        env.cr.commit()
    return 2 * len(members), time.perf_counter() - started


def bench_size(members, args, rng):
    dbname, info = prepare(members, args.regenerate, args.seed, not args.no_update)
    result = {"members": members, "info": info}
    with open_env(dbname) as env:
        env.cr.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database())), "
            "(SELECT count(*) FROM lp_ledger), (SELECT count(*) FROM pos_order_line)"
        )
        result["size"], result["entries"], result["lines"] = env.cr.fetchone()
        log(f"{dbname}: nightly jobs")
        result["jobs"] = nightly_jobs(env)
        env.cr.rollback()
        env.invalidate_all()
        log(f"{dbname}: lookups and balance reads")
        cashier = make_cashier(env)
        result["card"], result["phone"] = lookups(env, cashier, args.lookups)
        result["balance"] = balance_reads(env, args.reads)
        env.cr.rollback()
        env.invalidate_all()
        log(f"{dbname}: postings with commits")
        result["posted"], result["posting_seconds"] = postings(env, args.postings, rng)
    vacuum_analyze(dbname, ("lp_ledger", "lp_member"))
    return result


def report(results):
    def ms(values):
        return (
            f"{statistics.median(values) * 1000:.1f} / "
            f"{percentile(values, 95) * 1000:.1f} ms"
        )

    rows = [
        ("database size", *(r["size"] for r in results)),
        ("ledger entries", *(f"{r['entries']:,}" for r in results)),
        ("POS order lines", *(f"{r['lines']:,}" for r in results)),
        (
            "generation (reused: -)",
            *(
                "-"
                if r["info"].get("reused")
                else "%.0f + %.0f s"
                % (r["info"]["seconds"], r["info"]["orders"]["seconds"])
                for r in results
            ),
        ),
    ]
    names = [name for name, _s in results[0]["jobs"]]
    for index, name in enumerate(names):
        rows.append(
            (f"job: {name}", *(f"{r['jobs'][index][1]:.1f} s" for r in results))
        )
    rows.append(
        (
            "nightly jobs together",
            *(f"{sum(s for _n, s in r['jobs']):.1f} s" for r in results),
        )
    )
    rows.append(("lookup by card, median / p95", *(ms(r["card"]) for r in results)))
    rows.append(("lookup by phone, median / p95", *(ms(r["phone"]) for r in results)))
    rows.append(("balance read, median / p95", *(ms(r["balance"]) for r in results)))
    rows.append(
        (
            "posting with a commit each",
            *(f"{r['posted'] / r['posting_seconds']:.0f} entries/s" for r in results),
        )
    )
    print_table(
        "At scale",
        rows,
        ("measure", *(f"{r['members']:,} members" for r in results)),
    )


def main():
    parser = bench_args(__doc__.splitlines()[0])
    parser.set_defaults(sizes=[])
    parser.add_argument(
        "--members",
        default="200000,500000",
        type=lambda s: [int(x) for x in s.split(",") if x],
    )
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--reads", type=int, default=500)
    parser.add_argument("--postings", type=int, default=300)
    parser.add_argument(
        "--no-update",
        action="store_true",
        help="do not update the addon in reused databases (already up to date)",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    load_before = os.getloadavg()
    results = []
    for members in args.members:
        results.append(bench_size(members, args, rng))
        print(
            f"loyalty_program scale benchmark: {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}, load average {load_before[0]:.1f} "
            f"before, {os.getloadavg()[0]:.1f} now"
        )
        report(results)  # after each size: a long run cut short keeps its figures


if __name__ == "__main__":
    main()
