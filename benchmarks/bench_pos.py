"""Benchmark of the till: POS start-up with and without members, member
lookup by card and by phone, and the sync of a paid 5-line order without a
customer, with a customer who is not a member and with a member.

Run it with ``benchmarks/run bench_pos.py [--sizes small,large]`` (default:
large). The "empty" figures come from ``lp_bench_pos_empty`` (the addon and
a program, no member); each size reuses ``lp_bench_<size>`` of
``bench_core.py``. The POS set-up (a till, its session, products, a cashier)
and every order are made in one transaction per database and rolled back at
the end, so the databases stay as generated.

The databases are measured side by side in one process, in alternating
rounds (one start-up, one lookup, one order per database and round), so that
the load of a shared machine weighs on each alike and the ratios between
sizes mean something.
"""

import contextlib
import json
import os
import platform
import random
import statistics
import time
from uuid import uuid4

from _common import (
    SIZES,
    bench_args,
    create_program,
    ensure_database,
    log,
    open_env,
    percentile,
    prepare_core_database,
    print_table,
    summary_ms,
    timed,
    update_modules,
)

from odoo import Command, fields
from odoo.exceptions import AccessError

EMPTY_DB = "lp_bench_pos_empty"
# What the till must never bulk-load: members and cards are looked up one at
# a time through lp_pos_lookup.
FORBIDDEN_MODELS = ("lp.member", "lp.card", "lp.ledger", "lp.reservation")


class Till:
    """A till set up in one database: an open session, a cashier in Point
    of Sale / User, a cash method and five products."""

    def __init__(self, label, env):
        self.label = label
        self.env = env
        if not env["lp.program"].search_count([]):
            create_program(env)
        self.members = env["lp.member"].search_count([])
        # A Russian shop: phones typed in the local format (8 ...) are read
        # with the company's country.
        env.company.country_id = env.ref("base.ru")
        self.cashier = env["res.users"].create(
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
        self.cash = env["pos.payment.method"].create(
            {"name": "Bench cash", "journal_id": journal.id, "is_cash_count": True}
        )
        self.config = env["pos.config"].create(
            {"name": "Bench till", "payment_method_ids": [Command.set(self.cash.ids)]}
        )
        # As the cashier: open the till, then count the opening cash.
        self.config.with_user(self.cashier).open_ui()
        self.session = self.config.current_session_id.with_user(self.cashier)
        self.session.set_opening_control(0, None)
        assert self.session.state == "opened", self.session.state
        self.products = env["product.product"].create(
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
        self.orders = env["pos.order"].with_user(self.cashier)
        self.strangers = env["res.partner"]
        # Figures
        self.load = []
        self.response = None
        self.per_model = {}
        self.card = []
        self.phone = []
        self.codes = []
        self.customers = env["res.partner"]
        self.sync_anonymous = []
        self.sync_customer = []
        self.sync_member = []
        self.posted = 0

    # POS start-up

    def load_once(self):
        """One ``load_data`` as the till calls it at start-up (all models,
        no server date yet), with an empty ORM cache."""
        self.env.invalidate_all()
        self.response, seconds = timed(self.session.load_data, [])
        return seconds

    def check_response(self):
        """The response's size in JSON, its rows per model, and the rows of
        models the till must not bulk-load (must be none)."""
        rows = {model: len(records) for model, records in self.response.items()}
        size = len(json.dumps(self.response, default=str))
        forbidden = {model: rows.get(model, 0) for model in FORBIDDEN_MODELS}
        assert not any(forbidden.values()), (
            f"{self.label}: the till bulk-loads {forbidden}"
        )
        return size, rows, forbidden

    def time_per_model(self, runs=3):
        """The loop of ``load_data``, timed model by model (each model's
        domain may read what the models before it loaded): the median of
        ``runs`` loops, each with an empty ORM cache."""
        session, config = self.session, self.session.config_id
        times = {}
        for _run in range(runs):
            self.env.invalidate_all()
            data = {"pos.session": session._load_pos_data_search_read({}, config)}
            for model in session._load_pos_data_models(config):
                try:
                    data[model], seconds = timed(
                        session.env[model]._load_pos_data_search_read, data, config
                    )
                except AccessError:  # load_data skips such models the same way
                    data[model], seconds = [], 0.0
                times.setdefault(model, []).append(seconds)
        for model, seconds in times.items():
            self.per_model[model] = (statistics.median(seconds), len(data[model]))

    # Member lookup

    def pick_members(self, count):
        """``count`` random active members with an active card and a Russian
        mobile phone: (card number, phone typed 8 (9xx) xxx-xx-xx), and as
        many member customers for the orders."""
        self.env.cr.execute(
            """
            SELECT c.number, p.lp_phone_e164, p.id
              FROM lp_card c
              JOIN lp_member m ON m.id = c.member_id
              JOIN res_partner p ON p.id = m.partner_id
             WHERE c.state = 'active' AND m.state = 'active'
               AND p.lp_phone_e164 LIKE '+79%%'
             ORDER BY random() LIMIT %s
            """,
            [count],
        )
        rows = self.env.cr.fetchall()
        for number, e164, _partner_id in rows:
            digits = e164[2:]  # 9xxxxxxxxx
            local = f"8 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}"
            self.codes.append((number, local, e164))
        self.customers = self.env["res.partner"].browse([r[2] for r in rows])

    def lookup_once(self, index):
        """Look the ``index``-th member up by card, then by phone, each with
        an empty ORM cache, as the cashier."""
        number, local, e164 = self.codes[index]
        for code, bucket in ((number, self.card), (local, self.phone)):
            self.env.invalidate_all()
            info, seconds = timed(self.orders.lp_pos_lookup, code)
            assert info["member_id"], code
            bucket.append(seconds)
        # Both ways lead to the same member, the one with that phone.
        member = self.env["lp.member"].browse(info["member_id"])
        assert member.partner_id.lp_phone_e164 == e164, (code, e164)

    # Order sync

    def make_strangers(self, count):
        """Customers who are not members, to tell the cost of a customer on
        the order from the cost of the loyalty program (made after the
        start-up is measured, so the empty database stays empty)."""
        self.strangers = self.env["res.partner"].create(
            [
                {"name": f"Bench walk-in {index}", "phone": f"+7 912 000-{index:04d}"}
                for index in range(count)
            ]
        )

    def order_payload(self, partner, index):
        """A paid 5-line order as the till sends it (see core's
        ``create_ui_order_data``): untaxed products, one cash payment."""
        lines = []
        for product in self.products:
            qty = 1 + index % 3
            lines.append(
                Command.create(
                    {
                        "product_id": product.id,
                        "qty": qty,
                        "price_unit": product.list_price,
                        "price_subtotal": product.list_price * qty,
                        "price_subtotal_incl": product.list_price * qty,
                        "tax_ids": [Command.clear()],
                        "discount": 0.0,
                        "pack_lot_ids": [],
                    }
                )
            )
        total = sum(line[2]["price_subtotal_incl"] for line in lines)
        order_uuid = str(uuid4())
        return {
            "amount_paid": total,
            "amount_return": 0,
            "amount_tax": 0,
            "amount_total": total,
            "date_order": fields.Datetime.to_string(fields.Datetime.now()),
            "fiscal_position_id": False,
            "pricelist_id": self.config.pricelist_id.id,
            "name": f"Order {order_uuid}",
            "last_order_preparation_change": "{}",
            "lines": lines,
            "partner_id": partner.id,
            "session_id": self.session.id,
            "payment_ids": [
                Command.create(
                    {
                        "amount": total,
                        "name": fields.Datetime.now(),
                        "payment_method_id": self.cash.id,
                    }
                )
            ],
            "uuid": order_uuid,
            "user_id": self.cashier.id,
            "to_invoice": False,
            "state": "paid",
        }

    def sync_once(self, index):
        """``sync_from_ui`` of one order without a customer, one with a
        customer who is not a member and one with a member (in turns
        first), flush included, cold cache."""
        kinds = [
            (self.env["res.partner"], self.sync_anonymous),
            (self.strangers[index], self.sync_customer),
        ]
        if index < len(self.customers):
            kinds.append((self.customers[index], self.sync_member))
        kinds = rotated(kinds, index)
        for partner, bucket in kinds:
            payload = self.order_payload(partner, index)
            self.env.invalidate_all()
            started = time.perf_counter()
            result = self.orders.sync_from_ui([payload])
            self.env.cr.flush()
            bucket.append(time.perf_counter() - started)
            assert result["pos.order"][0]["state"] == "paid", result["pos.order"][0]

    def count_posted(self):
        """Orders of the bench session whose earn was posted, and the earn
        entries they made."""
        orders = self.env["pos.order"].search([("session_id", "=", self.session.id)])
        posted = orders.filtered("lp_posted")
        entries = self.env["lp.ledger"].search_count(
            [("res_model", "=", "pos.order"), ("res_id", "in", orders.ids)]
        )
        return len(posted), entries


def rotated(items, shift):
    """``items`` starting at ``shift`` (each round starts with another
    database)."""
    if not items:
        return items
    shift %= len(items)
    return items[shift:] + items[:shift]


def prepare_databases(sizes, regenerate, seed, update=True):
    """(label, dbname) of the empty database and of each size, created,
    generated or reused, with the addon updated to the code (unless
    ``update`` is false)."""
    databases = []
    if not ensure_database(EMPTY_DB) and update:
        update_modules(EMPTY_DB)
    databases.append(("empty", EMPTY_DB))
    for size in sizes:
        dbname, info = prepare_core_database(size, regenerate=regenerate, seed=seed)
        if info.get("reused") and update:
            update_modules(dbname)
        databases.append((size, dbname))
    return databases


def measure(tills, args):
    log(f"load_data: 1 warm-up + {args.load_runs} runs per database")
    for till in tills:
        till.load_once()
    for rnd in range(args.load_runs):
        for till in rotated(tills, rnd):
            till.load.append(till.load_once())
    for till in tills:
        till.time_per_model()
    with_members = [till for till in tills if till.members]
    for till in with_members:
        till.pick_members(max(args.lookups, args.orders))
    log(f"lp_pos_lookup: {args.lookups} members by card and by phone per database")
    for index in range(args.lookups):
        for till in rotated(with_members, index):
            if index < len(till.codes):
                till.lookup_once(index)
    for till in tills:
        till.make_strangers(args.orders)
    log(f"sync_from_ui: {args.orders} orders of each kind per database")
    for index in range(args.orders):
        for till in rotated(tills, index):
            till.sync_once(index)
    for till in tills:
        till.posted = till.count_posted()


def report(tills, args):
    empty = tills[0]
    base = statistics.median(empty.load)
    rows = []
    for till in tills:
        size, model_rows, forbidden = till.check_response()
        load = statistics.median(till.load)
        rows.append(
            (
                till.label,
                f"{till.members:,}",
                summary_ms(till.load),
                f"{load / base:.2f}",
                f"{size / 1024:.0f} KiB",
                f"{model_rows.get('res.partner', 0)}",
                "/".join(f"{n}" for n in forbidden.values()),
                ", ".join(
                    f"{model} {n}"
                    for model, n in model_rows.items()
                    if model.startswith("lp.")
                ),
            )
        )
    print_table(
        f"POS start-up: pos.session.load_data(models_to_load=[]) as the cashier, "
        f"median / p95 of {args.load_runs}",
        rows,
        (
            "database",
            "members",
            "load_data",
            "ratio",
            "JSON",
            "partners",
            "member/card/ledger/reservation rows",
            "lp rows",
        ),
    )
    largest = tills[-1]
    slowest = sorted(
        largest.per_model, key=lambda m: largest.per_model[m][0], reverse=True
    )[:6]
    print_table(
        "load_data model by model (median of 3 loops): the slowest at the largest size",
        [
            (
                model,
                *(
                    "%.1f ms (%d rows)"
                    % (till.per_model[model][0] * 1000, till.per_model[model][1])
                    for till in tills
                ),
            )
            for model in [*slowest, "lp.program", "lp.tier"]
        ],
        ("model", *(till.label for till in tills)),
    )
    rows = [
        (
            till.label,
            f"{till.members:,}",
            summary_ms(till.card),
            summary_ms(till.phone),
        )
        for till in tills
        if till.card
    ]
    if rows:
        print_table(
            f"Member lookup: pos.order.lp_pos_lookup as the cashier, cold cache, "
            f"median / p95 of {args.lookups}",
            rows,
            ("database", "members", "by card", "by phone 8 (9xx) xxx-xx-xx"),
        )
    rows = []
    for till in tills:
        anonymous = statistics.median(till.sync_anonymous)
        customer = statistics.median(till.sync_customer)
        if till.sync_member:
            member = statistics.median(till.sync_member)
            member_cells = (
                summary_ms(till.sync_member),
                f"{member / anonymous:.2f}",
                f"{member / customer:.2f}",
            )
        else:
            member_cells = ("-", "-", "-")
        rows.append(
            (
                till.label,
                summary_ms(till.sync_anonymous),
                summary_ms(till.sync_customer),
                *member_cells,
                "%d orders, %d entries" % till.posted,
            )
        )
    print_table(
        f"pos.order.sync_from_ui of a paid 5-line order as the cashier, "
        f"median / p95 of {args.orders} each",
        rows,
        (
            "database",
            "no customer",
            "customer, not a member",
            "member (earn posted)",
            "member / none",
            "member / customer",
            "earn posted",
        ),
    )
    if len(tills) > 1:
        # load_data from the empty database, the rest from the smallest size
        first = tills[1] if len(tills) > 2 else tills[0]
        last = tills[-1]
        rows = [("load_data median", empty, last, "load", statistics.median)]
        for name, attr in (
            ("lookup by card", "card"),
            ("lookup by phone", "phone"),
            ("sync, no customer", "sync_anonymous"),
            ("sync, customer not a member", "sync_customer"),
            ("sync, member", "sync_member"),
        ):
            rows.append((f"{name} median", first, last, attr, statistics.median))
            rows.append((f"{name} p95", first, last, attr, lambda v: percentile(v, 95)))
        growth = []
        for name, a, b, attr, stat in rows:
            va, vb = getattr(a, attr), getattr(b, attr)
            if va and vb:
                va, vb = stat(va), stat(vb)
                growth.append(
                    (
                        name,
                        f"{a.label} {va * 1000:.1f} ms",
                        f"{b.label} {vb * 1000:.1f} ms",
                        f"x{vb / va:.2f}",
                    )
                )
        print_table(
            f"growth to {last.label} ({last.members:,} members)",
            growth,
            ("measure", "from", "to", "ratio"),
        )


def main():
    parser = bench_args(__doc__.splitlines()[0])
    parser.set_defaults(sizes=["large"])
    parser.add_argument("--load-runs", type=int, default=7, help="load_data runs")
    parser.add_argument("--lookups", type=int, default=300, help="members looked up")
    parser.add_argument("--orders", type=int, default=40, help="orders of each kind")
    parser.add_argument(
        "--no-update",
        action="store_true",
        help="do not update the addon in reused databases (already up to date)",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    databases = prepare_databases(
        args.sizes, args.regenerate, args.seed, update=not args.no_update
    )
    load_before = os.getloadavg()[0]
    with contextlib.ExitStack() as stack:
        tills = []
        for label, dbname in databases:
            env = stack.enter_context(open_env(dbname))
            env.cr.execute("SELECT setseed(%s)", [rng.random()])
            log(f"{label}: setting up a till in {dbname}")
            tills.append(Till(label, env))
        print(
            f"loyalty_program POS benchmark: {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}, "
            + ", ".join(f"{till.label} {till.members:,} members" for till in tills)
        )
        measure(tills, args)
        report(tills, args)
    print(
        f"machine load average (1 min): {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after; sizes: "
        + ", ".join(f"{k}={v:,}" for k, v in SIZES.items())
    )


if __name__ == "__main__":
    main()
