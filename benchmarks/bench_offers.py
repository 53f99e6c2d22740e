"""Benchmark of the nightly personal-offer generators of loyalty_program
(issue 21): due again, goes with what you buy, favourite category.

It creates (or reuses) the database ``lp_bench_offers`` with loyalty_program
installed (no demo data), then for each size in ``--sizes`` (members,
ascending) tops the data up set-based in SQL and runs the offers' nightly
job as the scheduler does (``lp.offer._lp_nightly_step``, one committed
step each: expiry and audiences, the pairs of products bought together, the
generators batch by batch of ``--batch`` member ids, the results), after
removing what an earlier run made, so runs are comparable.

The data: ``--products`` products (consumables, 40 categories); per member
a favourite category and a product bought every 7 to 30 days over the last
``--days`` days, the last time 0 to 60 days ago (some are due again), each
visit with 1 to 4 more lines from the favourite category or anywhere, and
one product in fifty pulling its neighbour into the basket 60% of the time
(pairs to find). About ``--lines`` order lines per member (25 by default:
200,000 members make 5 million lines). POS orders only (paid, with lines
and a currency rate; no session, payment or accounting entry: all the
generators read).

Usage (options before ``--``, Odoo's after it)::

    benchmarks/run bench_offers.py --sizes 20000
    benchmarks/run bench_offers.py --sizes 20000,200000 --batch 20000

Figures go to stdout, progress to stderr. Nothing here is a pass/fail test.
"""

import argparse
import sys
import time

from _argv import split_argv
from _common import ensure_database, log, open_env, setup_odoo, vacuum_analyze

DBNAME = "lp_bench_offers"
MARKER = "loyalty_program.bench_offers"
CATEGORIES = 40


def parse_args(argv):
    own, odoo_args = split_argv(argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="20000",
        type=lambda s: sorted(int(x) for x in s.split(",") if x),
        help="members, comma-separated (default 20000)",
    )
    parser.add_argument("--db", default=DBNAME)
    parser.add_argument("--recreate", action="store_true")
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=25, help="lines per member")
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--batch", type=int, default=20000, help="member ids a step")
    parser.add_argument(
        "--generate-only", action="store_true", help="make the data, run nothing"
    )
    return parser.parse_args(own), odoo_args


def setup_fixtures(env, args):
    """Program, categories and products, once."""
    program = env["lp.program"].create(
        {"name": "Bench offers", "point_value": 1.0, "card_prefix": "26"}
    )
    categories = env["product.category"].create(
        [{"name": f"Bench category {i}"} for i in range(CATEGORIES)]
    )
    products = env["product.product"].create(
        [
            {
                "name": f"Bench offer product {i}",
                "list_price": 20.0 + (i * 37) % 480,
                "type": "consu",
                "is_storable": False,
                "available_in_pos": True,
                "categ_id": categories[i % CATEGORIES].id,
            }
            for i in range(args.products)
        ]
    )
    return {
        "program": program.id,
        "products": products.ids,
        "members": 0,
        "lines": 0,
        "days": args.days,
    }


def reserve(cr, table, count):
    cr.execute("SELECT nextval(%s)", [f"{table}_id_seq"])
    first = cr.fetchone()[0]
    cr.execute("SELECT setval(%s, %s)", [f"{table}_id_seq", first + count - 1])
    return first - 1


def generate(env, info, members, lines_per_member):
    """Add members, their partners and POS orders until there are
    ``members``. Returns the row counts added and the seconds."""
    from odoo import fields

    cr = env.cr
    add = members - info["members"]
    if add <= 0:
        return {}
    started = time.perf_counter()
    company = env.company
    p = {
        "n": add,
        "now": fields.Datetime.now().replace(microsecond=0),
        "uid": env.uid,
        "company": company.id,
        "program": info["program"],
        "products": info["products"],
        "np": len(info["products"]),
        "cats": CATEGORIES,
        "days": info["days"],
        "offset": info["members"],
        # visits x (1 regular + 2.5 others + pairs) lines
        "extra": max(lines_per_member / 4.0, 1.0),
    }
    p["p0"] = reserve(cr, "res_partner", add)
    cr.execute("SELECT setseed(0.21)")
    cr.execute(
        """
        CREATE TEMP TABLE lpo_c ON COMMIT DROP AS
        SELECT g, %(p0)s + g AS partner_id,
               floor(random() * %(cats)s)::int AS cat,
               floor(random() * %(np)s)::int AS regular,
               7 + floor(random() * 24)::int AS itv,
               floor(random() * 61)::int AS last_days
          FROM generate_series(1, %(n)s) g
        """,
        p,
    )
    cr.execute(
        """
        INSERT INTO res_partner (
            id, name, complete_name, type, active, is_company, commercial_partner_id,
            lang, partner_share, customer_rank, supplier_rank, color, autopost_bills,
            create_uid, create_date, write_uid, write_date)
        SELECT partner_id, 'Offer customer ' || (%(offset)s + g),
               'Offer customer ' || (%(offset)s + g), 'contact', TRUE, FALSE,
               partner_id, 'en_US', TRUE, 1, 0, 0, 'ask',
               %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM lpo_c
        """,
        p,
    )
    cr.execute(
        """
        INSERT INTO lp_member (
            partner_id, program_id, company_id, state, join_date, balance, pending,
            window_spend, enrol_source, create_uid, create_date, write_uid, write_date)
        SELECT partner_id, %(program)s, %(company)s, 'active', %(now)s::date - 400,
               0, 0, 0, 'import', %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM lpo_c
        """,
        p,
    )
    # Visits: the regular product's rhythm over the period; the number of
    # visits scales with the lines wanted per member.
    cr.execute(
        """
        CREATE TEMP TABLE lpo_v ON COMMIT DROP AS
        SELECT nextval('pos_order_id_seq') AS id, c.partner_id, c.cat, c.regular,
               %(now)s - make_interval(
                   days => c.last_days + k * GREATEST(
                       c.itv * 25.0 / (%(extra)s * 4.0), 1)::int,
                   hours => 9 + floor(random() * 10)::int) AS date_order
          FROM lpo_c c
          CROSS JOIN LATERAL generate_series(
              0, GREATEST(floor((%(days)s - c.last_days) / GREATEST(
                  c.itv * 25.0 / (%(extra)s * 4.0), 1))::int, 0)) k
        """,
        p,
    )
    cr.execute(
        """
        CREATE TEMP TABLE lpo_l ON COMMIT DROP AS
        WITH picked AS (
            SELECT v.id AS order_id, 0 AS k, v.regular AS idx FROM lpo_v v
            UNION ALL
            SELECT v.id, s.k,
                   CASE WHEN random() < 0.6
                        THEN (v.cat
                              + %(cats)s * floor(random() * (%(np)s / %(cats)s)))::int
                        ELSE floor(random() * %(np)s)::int END
              FROM lpo_v v
              CROSS JOIN LATERAL generate_series(1, 1 + floor(random() * 4)::int) s(k)
        ),
        paired AS (
            SELECT order_id, k, idx FROM picked
            UNION ALL
            SELECT order_id, k + 100, idx + 1 FROM picked
             WHERE idx %% 50 = 0 AND idx + 1 < %(np)s AND random() < 0.6
        )
        SELECT DISTINCT ON (order_id, idx) order_id, k,
               (%(products)s::int[])[idx + 1] AS product_id,
               1 + floor(random() * 2) AS qty,
               (20.0 + (idx * 37) %% 480)::numeric AS price
          FROM paired
         ORDER BY order_id, idx, k
        """,
        p,
    )
    cr.execute(
        """
        INSERT INTO pos_order (
            id, name, pos_reference, date_order, partner_id, company_id, state,
            amount_tax, amount_total, amount_paid, amount_return, currency_rate,
            is_refund, uuid, source, create_uid, create_date, write_uid, write_date)
        SELECT v.id, 'OFFERS/' || v.id, 'OFFERS-' || v.id, v.date_order, v.partner_id,
               %(company)s, 'done', 0, t.total, t.total, 0, 1.0, FALSE,
               md5('lpo' || v.id), 'pos', %(uid)s, v.date_order, %(uid)s, v.date_order
          FROM lpo_v v
          JOIN (SELECT order_id, SUM(qty * price) AS total FROM lpo_l GROUP BY 1) t
            ON t.order_id = v.id
        """,
        p,
    )
    counts = {"orders": cr.rowcount}
    cr.execute(
        """
        INSERT INTO pos_order_line (
            name, full_product_name, order_id, product_id, company_id, qty, price_unit,
            price_subtotal, price_subtotal_incl, discount, uuid,
            create_uid, create_date, write_uid, write_date)
        SELECT 'OFFERS/' || order_id || '/' || k, 'Bench offer product', order_id,
               product_id, %(company)s, qty, price, qty * price, qty * price, 0,
               md5('lpol' || order_id || '/' || k), %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM lpo_l
        """,
        p,
    )
    counts["lines"] = cr.rowcount
    counts["members"] = add
    info["members"] = members
    info["lines"] += counts["lines"]
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def reset(env, info):
    """Forget what an earlier run made (rows, uses, pairs, hints)."""
    cr = env.cr
    cr.execute("DELETE FROM lp_offer_use")
    cr.execute(
        "DELETE FROM lp_offer_member WHERE offer_id IN "
        "(SELECT id FROM lp_offer WHERE program_id = %s)",
        [info["program"]],
    )
    cr.execute("DELETE FROM lp_offer_pair")
    cr.execute(
        "UPDATE lp_member SET offer_until = NULL WHERE program_id = %s "
        "AND offer_until IS NOT NULL",
        [info["program"]],
    )
    cr.execute("DELETE FROM ir_config_parameter WHERE key = %s",
               ["loyalty_program.offers_nightly_state"])  # fmt: skip


def nightly(env, batch):
    """The job step by step, each committed. Returns (seconds per phase,
    total seconds, rows made per generator)."""
    from odoo import fields

    Offer = env["lp.offer"].sudo()
    today = fields.Date.today()
    state = {"day": str(today), "phase": "expire", "program": 0, "cursor": 0}
    phases = {}
    steps = []
    total = time.perf_counter()
    while state["phase"] != "done":
        phase = state["phase"]
        started = time.perf_counter()
        done, _remaining = Offer._lp_nightly_step(state, today, batch)
        env.cr.commit()
        seconds = time.perf_counter() - started
        phases[phase] = phases.get(phase, 0.0) + seconds
        steps.append((phase, done, seconds))
        log(f"{phase}: {done} rows in {seconds:.1f}s")
    total = time.perf_counter() - total
    env.cr.execute(
        """
        SELECT generator, "group", COUNT(*) FROM lp_offer_member
         GROUP BY 1, 2 ORDER BY 1, 2
        """
    )
    made = env.cr.fetchall()
    return phases, total, steps, made


def main():
    args, odoo_args = parse_args(sys.argv[1:])
    setup_odoo(odoo_args)
    install = ensure_database(args.db, recreate=args.recreate)
    if install:
        log(f"installed in {install:.0f}s")
    import json

    for size in args.sizes:
        with open_env(args.db) as env:
            Param = env["ir.config_parameter"].sudo()
            info = json.loads(Param.get_param(MARKER) or "null")
            if not info:
                info = setup_fixtures(env, args)
            counts = generate(env, info, size, args.lines)
            Param.set_param(MARKER, json.dumps(info))
            env.cr.commit()
        if counts:
            log(f"generated {counts}")
            vacuum_analyze(args.db)
        print(f"\n== {size} members, {info['lines']} order lines, "
              f"{len(info['products'])} products")  # fmt: skip
        if counts:
            print(f"data generated in {counts['seconds']} s")
        if args.generate_only:
            continue
        with open_env(args.db) as env:
            reset(env, info)
            env.cr.commit()
        vacuum_analyze(args.db, ["lp_offer_member", "lp_member", "lp_offer_pair"])
        with open_env(args.db) as env:
            phases, total, steps, made = nightly(env, args.batch)
        print(f"{'phase':<12}{'seconds':>10}")
        for phase, seconds in phases.items():
            print(f"{phase:<12}{seconds:>10.1f}")
        print(f"{'total':<12}{total:>10.1f}")
        batches = [s for p, _d, s in steps if p == "generate"]
        if batches:
            print(f"generate: {len(batches)} steps, slowest {max(batches):.1f} s")
        print("rows made (generator, group, rows):")
        for generator, group, count in made:
            print(f"  {generator:<12}{group:<8}{count:>10}")


if __name__ == "__main__":
    main()
