"""The peer of ``bench_peer.py``: Odoo's own loyalty at the till, core
``pos_loyalty`` with a "Loyalty Cards" program (points per currency spent,
a discount per point), in a database of its own, and its till's requests as
``pos_loyalty``'s front end makes them
(``addons/pos_loyalty/static/src/app/services/pos_store.js``,
``utils/order_payment_validation.js``).

The database ``lp_bench_peer_<size>`` holds ``point_of_sale`` and
``pos_loyalty`` (no ``loyalty_program``) and as many customers as
``lp_bench_<size>`` (same names, Russian mobiles, country), each with a
loyalty card of the program and about ten lines of loyalty history (what
``pos_loyalty`` reads when it counts a program's orders), generated
set-based like ``_generate.py``; each run copies it.
"""

import random
from uuid import uuid4

from _common import (
    ensure_database,
    log,
    open_env,
    read_marker,
    vacuum_analyze,
    write_marker,
)
from _generate import FIRST_NAMES, LAST_NAMES, reserve_ids
from _load_till import RpcError, Till

from odoo import Command, fields
from odoo.tools import SQL

MARKER = "loyalty_program.bench_peer"
GENERATOR_VERSION = 1
MODULES = ("point_of_sale", "pos_loyalty")
RATE = 0.05  # points per unit of currency spent: 5%, as the addon's program
HISTORY = 10  # lines of loyalty history per card


def prepare_peer_database(size, members, seed=0.42):
    """``lp_bench_peer_<size>`` with ``members`` customers and cards, created
    and generated when missing; returns its name."""
    dbname = f"lp_bench_peer_{size}"
    params = {"members": members, "version": GENERATOR_VERSION, "seed": seed}
    ensure_database(dbname, MODULES)
    with open_env(dbname) as env:
        info = read_marker(env, MARKER)
    if info and all(info.get(k) == v for k, v in params.items()):
        vacuum_analyze(dbname, ("loyalty_card", "loyalty_history", "pos_order"))
        return dbname
    if info:
        ensure_database(dbname, MODULES, recreate=True)
    log(f"generating {members} customers with loyalty cards in {dbname}")
    with open_env(dbname) as env:
        env.cr.execute(SQL("SELECT setseed(%s)", seed))
        program = create_peer_program(env)
        generate_cards(env, program, members)
        write_marker(env, params, MARKER)
        env.cr.commit()
    vacuum_analyze(dbname)
    return dbname


def create_peer_program(env):
    """The "Loyalty Cards" program a shop sets up in core: 5 points per 100
    spent, 1 of discount per point, at every till."""
    return env["loyalty.program"].create(
        {
            "name": "Benchmark loyalty cards",
            "program_type": "loyalty",
            "applies_on": "both",
            "trigger": "auto",
            "pos_ok": True,
            "rule_ids": [
                Command.create(
                    {"reward_point_mode": "money", "reward_point_amount": RATE}
                )
            ],
            "reward_ids": [
                Command.create(
                    {
                        "reward_type": "discount",
                        "discount_mode": "per_point",
                        "discount": 1.0,
                        "required_points": 1.0,
                        "discount_applicability": "order",
                    }
                )
            ],
        }
    )


def generate_cards(env, program, count):
    """Customers, one card each with its history, set-based: the card's
    points are what its history issued less what it used."""
    cr = env.cr
    p0 = reserve_ids(cr, "res_partner", count)
    c0 = reserve_ids(cr, "loyalty_card", count)
    now = fields.Datetime.now()
    cr.execute(
        SQL(
            """
            INSERT INTO res_partner (
                id, name, complete_name, type, active, is_company,
                commercial_partner_id, lang, partner_share, customer_rank,
                supplier_rank, color, autopost_bills, country_id, phone, ref,
                create_uid, create_date, write_uid, write_date)
            SELECT %(p0)s + g, n, n, 'contact', TRUE, FALSE, %(p0)s + g,
                   'en_US', TRUE, 1, 0, 0, 'ask', %(country)s,
                   '+7 9' || lpad((%(p0)s + g)::text, 9, '0'), 'PEER' || g,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM (SELECT g, (%(first)s::text[])[1 + g %% 20] || ' '
                              || (%(last)s::text[])[1 + (g / 20) %% 20] || ' ' || g
                              AS n
                      FROM generate_series(1, %(n)s) AS g) AS p
            """,
            p0=p0,
            n=count,
            country=env.ref("base.ru").id,
            first=FIRST_NAMES,
            last=LAST_NAMES,
            uid=env.uid,
            now=now,
        )
    )
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE peer_h ON COMMIT DROP AS
            SELECT %(c0)s + g AS card_id, s,
                   CASE WHEN s %% 2 = 0 THEN round((10 + 240 * random())::numeric, 2)
                        ELSE 0 END AS issued,
                   CASE WHEN s %% 2 = 1 THEN round((60 * random())::numeric, 2)
                        ELSE 0 END AS used
              FROM generate_series(1, %(n)s) AS g,
                   generate_series(0, %(h)s - 1) AS s
            """,
            c0=c0,
            n=count,
            h=HISTORY,
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO loyalty_card (
                id, program_id, company_id, partner_id, code, points, active,
                create_uid, create_date, write_uid, write_date)
            SELECT card_id, %(program)s, %(company)s,
                   %(p0)s + (card_id - %(c0)s),
                   '044' || substr(md5(card_id::text), 1, 17),
                   greatest(sum(issued) - sum(used), 0), TRUE,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM peer_h GROUP BY card_id
            """,
            program=program.id,
            company=program.company_id.id,
            p0=p0,
            c0=c0,
            uid=env.uid,
            now=now,
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO loyalty_history (
                card_id, description, issued, used, order_model, order_id,
                create_uid, create_date, write_uid, write_date)
            SELECT card_id, 'Onsite, earlier', issued, used, 'pos.order', 0,
                   %(uid)s, %(now)s - make_interval(days => 30 * (%(h)s - s)),
                   %(uid)s, %(now)s
              FROM peer_h
            """,
            uid=env.uid,
            now=now,
            h=HISTORY,
        )
    )
    env.invalidate_all()


def setup_peer(dbname, count, pool, seed, stock, password):
    """Cashiers, tills, the same five products and the customers the tills
    serve, committed in ``dbname``; returns what the tills need."""
    rng = random.Random(seed)
    with open_env(dbname) as env:
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
        users[:1].password = password
        env.flush_all()
        env.cr.execute(
            "UPDATE res_users SET password = (SELECT password FROM res_users "
            "WHERE id = %s) WHERE id = ANY(%s)",
            [users[0].id, users.ids],
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
        program = env["loyalty.program"].search(
            [("name", "=", "Benchmark loyalty cards")], limit=1
        )
        assert program in pos_config._get_program_ids(), "program not at the till"
        reward = program.reward_ids[:1]
        env.cr.execute(
            """
            SELECT c.code, c.id, c.partner_id FROM loyalty_card c
             WHERE c.program_id = %s AND c.points >= 50
             ORDER BY random() LIMIT %s
            """,
            [program.id, pool + 1],
        )
        members = [
            {"card": code, "card_id": card_id, "partner_id": partner_id}
            for code, card_id, partner_id in env.cr.fetchall()
        ]
        hot = members.pop()
        env["loyalty.card"].browse(hot["card_id"]).points = 10_000_000.0
        setup = {
            "db": dbname,
            "password": password,
            "system": "pos_loyalty",
            "front_end": "pos_loyalty",
            "partner_fields": env["res.partner"]._load_pos_data_fields(pos_config),
            "card_fields": env["loyalty.card"]._load_pos_data_fields(pos_config),
            "program_id": program.id,
            "reward": {
                "id": reward.id,
                "product_id": reward.discount_line_product_id.id,
                "per_point": reward.discount,
            },
            "tills": tills,
            "products": [{"id": p.id, "price": p.list_price} for p in products],
            "members": members,
            "hot": hot,
            "seed": rng.random(),
        }
        env.cr.commit()
    return setup


class PeerTill(Till):
    """A till of core ``pos_loyalty``: plain orders as any till; a member
    order as its front end makes it, the customer identified by scanning
    their loyalty card:

    1. ``loyalty.card.get_loyalty_card_partner_by_code`` (``activateCode``);
    2. ``res.partner.read`` of the customer the till does not have;
    3. ``loyalty.card.search_read`` of the customer's card in the program
       (``fetchLoyaltyCard``, on ``updateRewards``);
    4. the reward claimed in the browser (a discount line per point, no
       request), the points earned computed in the browser;
    5. ``pos.order.validate_coupon_programs`` (the card's points change,
       checked against its points) before the payment;
    6. ``pos.order.sync_from_ui``;
    7. ``pos.order.confirm_coupon_programs`` (the card's points ``+=`` the
       change, a history line) after the order's commit.

    ``self.orders`` rows: (kind, uuid, card id, points spent, points earned,
    ok)."""

    def member_order(self, hot=False, spend=True):
        setup = self.setup
        order_uuid = str(uuid4())
        member = setup["hot"] if hot else self.rng.choice(self.members)
        kind = "hot" if hot else ("member" if spend else "earn")
        spent = earned = 0.0
        ok = False
        try:
            partner_ids = self.timed(
                "card code",
                "loyalty.card",
                "get_loyalty_card_partner_by_code",
                member["card"],
            )
            if not partner_ids:
                raise RpcError(f"no customer for card {member['card']}")
            self.timed(
                "partner read",
                "res.partner",
                "read",
                [partner_ids[0]],
                setup["partner_fields"],
                load=False,
            )
            cards = self.timed(
                "card read",
                "loyalty.card",
                "search_read",
                [
                    ["partner_id", "=", partner_ids[0]],
                    ["program_id", "=", setup["program_id"]],
                ],
                fields=setup["card_fields"],
                limit=1,
                load=False,
            )
            card = cards[0]
            lines = self.goods()
            total = sum(line[2]["price_subtotal_incl"] for line in lines)
            code = None
            if spend:
                wanted = self.rng.randint(*self.options["points"])
                spent = float(min(wanted, int(card["points"])))
            if spent >= 1:
                reward = setup["reward"]
                code = str(uuid4())[:8]
                lines.append(
                    self.line(
                        {"id": reward["product_id"], "price": 0.0},
                        1,
                        -spent * reward["per_point"],
                        is_reward_line=True,
                        reward_id=reward["id"],
                        coupon_id=card["id"],
                        reward_identifier_code=code,
                        points_cost=spent,
                    )
                )
                total -= spent * reward["per_point"]
            else:
                spent = 0.0
            earned = round(total * RATE, 2)
            valid = self.timed(
                "validate",
                "pos.order",
                "validate_coupon_programs",
                [],
                {str(card["id"]): earned - spent},
                [],
            )
            if not valid.get("successful"):
                raise RpcError(f"rewards refused: {valid.get('payload')}")
            order_id, _lines = self.sync(
                "sync member" if spend else "sync earn",
                self.payload(order_uuid, lines, partner_ids[0]),
            )
            change = {
                "points": earned - spent,
                "points_earned": earned,
                "points_spent": spent,
                "program_id": setup["program_id"],
                "coupon_id": card["id"],
                "barcode": False,
                "partner_id": partner_ids[0],
            }
            if code:
                change["line_codes"] = [code]
            self.timed(
                "confirm",
                "pos.order",
                "confirm_coupon_programs",
                order_id,
                {str(card["id"]): change},
            )
            ok = True
        finally:
            self.orders.append((kind, order_uuid, member["card_id"], spent, earned, ok))

    def pick_kind(self, count):
        # No refunds: core pos_loyalty gives no points back on a refund.
        if self.mode in ("hot", "ping", "plain"):
            return self.mode
        if self.mode == "mix" and self.rng.random() >= self.options["member_share"]:
            return "plain"
        return "earn" if self.mode == "earn" else "member"
