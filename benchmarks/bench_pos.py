"""Benchmark of the till: POS start-up with and without members, member
lookup by card and by phone, and the sync of a paid 5-line order with and
without a member.

Run it with ``benchmarks/run bench_pos.py [--sizes small,large]``. The
"empty" figures come from ``lp_bench_pos_empty`` (the addon and a program, no
member); each size reuses ``lp_bench_<size>`` of ``bench_core.py``. The POS
set-up (a till, its session, products, a cashier) and every order are made
in one transaction per database and rolled back at the end.
"""

import json
import random
import statistics
import time
from uuid import uuid4

from _common import (
    bench_args,
    create_program,
    ensure_database,
    log,
    open_env,
    prepare_core_database,
    print_table,
    summary_ms,
    timed,
    update_modules,
)

from odoo import Command, fields
from odoo.exceptions import AccessError

EMPTY_DB = "lp_bench_pos_empty"
LOAD_RUNS = 5
LOOKUPS = 300
ORDERS = 40


def set_up_till(env):
    """A till with a cash method, an open session, a cashier and five
    products; the company in Russia (local phone formats)."""
    env.company.country_id = env.ref("base.ru")
    cashier = env["res.users"].create(
        {
            "name": "Bench cashier",
            "login": "bench_cashier",
            "group_ids": [
                Command.link(env.ref("base.group_user").id),
                Command.link(env.ref("point_of_sale.group_pos_user").id),
            ],
        }
    )
    journal = env["account.journal"].search(
        [("type", "=", "cash"), ("company_id", "=", env.company.id)], limit=1
    )
    cash = env["pos.payment.method"].create(
        {"name": "Bench cash", "journal_id": journal.id, "is_cash_count": True}
    )
    config = env["pos.config"].create(
        {"name": "Bench till", "payment_method_ids": [Command.set(cash.ids)]}
    )
    config.with_user(cashier).open_ui()
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
    return config, config.current_session_id, cashier, cash, products


def measure_load(session, cashier):
    """Seconds per ``load_data`` (what the till calls at start-up), the
    response size, and the loyalty models in it."""
    session = session.with_user(cashier)
    durations, response = [], None
    for _run in range(LOAD_RUNS):
        session.env.invalidate_all()
        response, seconds = timed(session.load_data, [])
        durations.append(seconds)
    size = len(json.dumps(response, default=str))
    loyalty = sorted(model for model in response if model.startswith("lp."))
    # The same loop as load_data, timed model by model (each model's domain
    # may read what the models before it loaded).
    config = session.config_id
    session.env.invalidate_all()
    data = {"pos.session": session._load_pos_data_search_read({}, config)}
    per_model = {}
    for model in session._load_pos_data_models(config):
        records = session.env[model]
        try:
            data[model], seconds = timed(
                records._load_pos_data_search_read, data, config
            )
        except AccessError:  # load_data skips such models the same way
            data[model], seconds = [], 0.0
        per_model[model] = (seconds, len(data[model]))
    return durations, size, loyalty, per_model


def measure_lookup(env, cashier, rng):
    """Lookup latencies by card and by a local-format phone."""
    env.cr.execute(
        """
        SELECT c.number, p.lp_phone_e164
          FROM lp_card c
          JOIN lp_member m ON m.id = c.member_id
          JOIN res_partner p ON p.id = m.partner_id
         WHERE c.state = 'active' AND m.state = 'active'
           AND p.lp_phone_e164 LIKE '+79%%'
         ORDER BY random() LIMIT %s
        """,
        [LOOKUPS],
    )
    rows = env.cr.fetchall()
    if not rows:
        return None, None
    till = env["pos.order"].with_user(cashier)
    by_card, by_phone = [], []
    for number, e164 in rows:
        digits = e164[2:]  # 9xxxxxxxxx
        local = f"8 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}"
        for code, bucket in ((number, by_card), (local, by_phone)):
            env.invalidate_all()
            info, seconds = timed(till.lp_pos_lookup, code)
            assert info["member_id"], code
            bucket.append(seconds)
    rng.shuffle(by_card)
    return by_card, by_phone


def order_payload(session, cash, products, partner, index):
    lines = [
        Command.create(
            {
                "product_id": product.id,
                "qty": 1 + index % 3,
                "price_unit": product.list_price,
                "price_subtotal": product.list_price * (1 + index % 3),
                "price_subtotal_incl": product.list_price * (1 + index % 3),
                "tax_ids": [Command.clear()],
                "discount": 0.0,
                "pack_lot_ids": [],
            }
        )
        for product in products
    ]
    total = sum(line[2]["price_subtotal_incl"] for line in lines)
    order_uuid = f"bench-{partner.id}-{index}-{uuid4()}"
    return {
        "amount_paid": total,
        "amount_return": 0,
        "amount_tax": 0,
        "amount_total": total,
        "date_order": fields.Datetime.to_string(fields.Datetime.now()),
        "pricelist_id": session.config_id.pricelist_id.id,
        "name": f"Order {order_uuid}",
        "last_order_preparation_change": "{}",
        "lines": lines,
        "partner_id": partner.id,
        "session_id": session.id,
        "payment_ids": [
            Command.create(
                {
                    "amount": total,
                    "name": fields.Datetime.now(),
                    "payment_method_id": cash.id,
                }
            )
        ],
        "uuid": order_uuid,
        "user_id": session.env.uid,
        "to_invoice": False,
        "state": "paid",
    }


def measure_sync(env, session, cashier, cash, products):
    """Seconds per ``sync_from_ui`` of a paid 5-line order, alternating an
    anonymous customer and a member."""
    env.cr.execute(
        "SELECT partner_id FROM lp_member WHERE state = 'active' "
        "ORDER BY random() LIMIT %s",
        [ORDERS],
    )
    partners = env["res.partner"].browse([r[0] for r in env.cr.fetchall()])
    till = env["pos.order"].with_user(cashier)
    session = session.with_user(cashier)
    anonymous, member = [], []
    for index in range(min(ORDERS, len(partners))):
        for partner, bucket in (
            (env["res.partner"], anonymous),
            (partners[index], member),
        ):
            payload = order_payload(session, cash, products, partner, index)
            env.invalidate_all()
            started = time.perf_counter()
            till.sync_from_ui([payload])
            env.cr.flush()
            bucket.append(time.perf_counter() - started)
    posted = env["pos.order"].search_count([("lp_posted", "=", True)])
    return anonymous, member, posted


def bench_database(dbname, label, rng):
    rows = {}
    with open_env(dbname) as env:
        if not env["lp.program"].search_count([]):
            create_program(env)
        members = env["lp.member"].search_count([])
        log(f"{label}: setting up a till in {dbname} ({members} members)")
        _config, session, cashier, cash, products = set_up_till(env)
        log(f"{label}: load_data x{LOAD_RUNS}")
        durations, size, loyalty, per_model = measure_load(session, cashier)
        rows["per_model"] = per_model
        rows["members"] = members
        rows["load"] = statistics.median(durations)
        rows["load_summary"] = summary_ms(durations)
        rows["size"] = size
        rows["loyalty_models"] = ", ".join(loyalty)
        log(f"{label}: {LOOKUPS} lookups by card and by phone")
        rows["card"], rows["phone"] = measure_lookup(env, cashier, rng)
        if members:
            log(f"{label}: sync_from_ui of {ORDERS} orders with and without member")
            anonymous, member, posted = measure_sync(
                env, session, cashier, cash, products
            )
            rows["sync_anonymous"] = anonymous
            rows["sync_member"] = member
            rows["posted"] = posted
    return rows


def main():
    args = bench_args(__doc__.splitlines()[0]).parse_args()
    rng = random.Random(args.seed)
    if not ensure_database(EMPTY_DB):
        update_modules(EMPTY_DB)
    results = {"empty": bench_database(EMPTY_DB, "empty", rng)}
    for size in args.sizes:
        dbname, info = prepare_core_database(size, regenerate=args.regenerate)
        if info.get("reused"):
            update_modules(dbname)
        results[size] = bench_database(dbname, size, rng)

    empty = results["empty"]
    rows = []
    for label, figures in results.items():
        rows.append(
            (
                label,
                f"{figures['members']:,}",
                figures["load_summary"],
                f"{figures['load'] / empty['load']:.2f}",
                f"{figures['size'] / 1024:.0f} KiB",
                figures["loyalty_models"],
            )
        )
    print_table(
        f"POS start-up: pos.session.load_data, median / p95 of {LOAD_RUNS} runs",
        rows,
        ("database", "members", "load_data", "ratio to empty", "response", "lp models"),
    )
    largest = list(results.values())[-1]
    slowest = sorted(
        largest["per_model"], key=lambda m: largest["per_model"][m][0], reverse=True
    )[:6]
    print_table(
        "load_data per model (one warm call each): the slowest at the largest size",
        [
            (
                model,
                *(
                    "%.1f ms (%d rows)"
                    % (
                        figures["per_model"][model][0] * 1000,
                        figures["per_model"][model][1],
                    )
                    for figures in results.values()
                ),
            )
            for model in [*slowest, "lp.program", "lp.tier"]
        ],
        ("model", *results),
    )
    rows = []
    for label, figures in results.items():
        if figures["card"]:
            rows.append(
                (
                    label,
                    f"{figures['members']:,}",
                    summary_ms(figures["card"]),
                    summary_ms(figures["phone"]),
                )
            )
    print_table(
        f"Member lookup (lp_pos_lookup, cold cache), median / p95 of {LOOKUPS}",
        rows,
        ("database", "members", "by card", "by phone (8 (9xx) xxx-xx-xx)"),
    )
    rows = []
    for label, figures in results.items():
        if figures.get("sync_member"):
            anonymous = statistics.median(figures["sync_anonymous"])
            member = statistics.median(figures["sync_member"])
            rows.append(
                (
                    label,
                    summary_ms(figures["sync_anonymous"]),
                    summary_ms(figures["sync_member"]),
                    f"{member / anonymous:.2f}",
                    figures["posted"],
                )
            )
    print_table(
        f"sync_from_ui of a paid 5-line order, median / p95 of {ORDERS}",
        rows,
        ("database", "no customer", "member (earn posted)", "ratio", "orders posted"),
    )


if __name__ == "__main__":
    main()
