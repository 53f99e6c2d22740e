"""A till over HTTP, for ``bench_load.py``: JSON-RPC calls as the browser
makes them (``/web/session/authenticate``, ``/web/dataset/call_kw``), one
cashier per till, each with its own POS config and session, no retry on
the client side (a request that fails is counted as failed for good).

Plain Python (``requests``), no Odoo import: the tills run in threads of
the benchmark process while Odoo serves them from a server process of its
own.
"""

import random
import threading
import time
from uuid import uuid4

import requests


class RpcError(Exception):
    """A JSON-RPC error, an HTTP error or a broken connection."""


class Rpc:
    """A logged-in JSON-RPC session on one Odoo server."""

    def __init__(self, url, db, timeout=300):
        self.url = url
        self.db = db
        self.timeout = timeout
        self.http = requests.Session()
        # Odoo's prefork workers serve one connection at a time: a kept-alive
        # idle connection would hold a worker. Browsers go through a proxy.
        self.http.headers["Connection"] = "close"
        self.counter = 0

    def post(self, path, params):
        self.counter += 1
        body = {"jsonrpc": "2.0", "method": "call", "id": self.counter}
        body["params"] = params
        try:
            response = self.http.post(self.url + path, json=body, timeout=self.timeout)
            response.raise_for_status()
            data = response.json()
        except (requests.RequestException, ValueError) as error:
            raise RpcError(f"{type(error).__name__}: {error}") from error
        if "error" in data:
            error = data["error"].get("data") or data["error"]
            raise RpcError(f"{error.get('name', '')}: {error.get('message', '')}")
        return data.get("result")

    def login(self, login, password):
        info = self.post(
            "/web/session/authenticate",
            {"db": self.db, "login": login, "password": password},
        )
        if not info.get("uid"):
            raise RpcError(f"login refused for {login}")
        return info["uid"]

    def call(self, model, method, *args, **kwargs):
        return self.post(
            f"/web/dataset/call_kw/{model}.{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )


class Till(threading.Thread):
    """One till: logs in as its cashier, opens its session once, then rings
    up orders for ``options['seconds']`` or ``options['max_orders']``.

    ``mode``: ``plain`` (no customer), ``earn`` (a member who only earns:
    lookup by card or phone, sync), ``spend`` (a member who earns and pays
    part with points: lookup, reserve, sync; ``member`` is the same), every
    ``refund_every``-th order of these two refunding a line of an earlier
    member order of this till, ``mix`` (spending members on
    ``member_share`` of the orders, plain otherwise, refunds as in
    ``spend``), ``hot`` (every order on the same card, ``setup['hot']``),
    ``ping`` (no order: the cheapest request a till makes, a read of its
    session's state, to measure what any request costs the server).

    The requests of a member order are those of the till's front end of
    the code under test (``setup['front_end']``, see :func:`front_end`):
    ``lookup`` answers with the customer (this code) or, the former front
    end, the till reads the customer (``res.partner.read``) and asks the
    spend dialog's limit (``lp_pos_spend_limit``) before reserving.

    ``options['ready']`` (a semaphore) is released once the till is logged
    in and its session open, and the till waits for ``options['go']`` (an
    event) before its first order: the caller measures the orders only.

    Results: ``self.calls`` [(call, seconds, error or None)],
    ``self.orders`` [(kind, uuid, member_id, points reserved, refunded
    order uuid or None, ok)] and ``self.order_seconds`` [(kind, seconds
    from its first request to its last answer, ok)]."""

    def __init__(self, url, setup, index, mode, members, *, seed, options):
        super().__init__(name=f"till-{index}", daemon=True)
        self.rpc = Rpc(url, setup["db"])
        self.setup = setup
        self.till = setup["tills"][index]
        self.mode = mode
        self.members = members
        self.rng = random.Random(seed)
        self.options = options
        self.calls = []
        self.orders = []
        self.order_seconds = []
        self.refundable = []
        self.fatal = None
        self.first_started = self.last_ended = None

    # Plumbing

    def timed(self, name, model, method, *args, **kwargs):
        started = time.perf_counter()
        try:
            result = self.rpc.call(model, method, *args, **kwargs)
        except RpcError as error:
            self.calls.append((name, time.perf_counter() - started, str(error)))
            raise
        self.calls.append((name, time.perf_counter() - started, None))
        return result

    def open_session(self):
        """Log in and open this till's session (opening cash count) when it
        is not open yet; returns the session id."""
        self.rpc.login(self.till["login"], self.setup["password"])
        config_id = self.till["config_id"]
        self.rpc.call("pos.config", "open_ui", [config_id])
        [config] = self.rpc.call(
            "pos.config", "read", [config_id], ["current_session_id"]
        )
        session_id = config["current_session_id"][0]
        [session] = self.rpc.call("pos.session", "read", [session_id], ["state"])
        if session["state"] == "opening_control":
            self.rpc.call("pos.session", "set_opening_control", [session_id], 0, "")
        return session_id

    def run(self):
        try:
            self.session_id = self.open_session()
        except Exception as error:  # noqa: BLE001 - reported, not raised
            self.fatal = f"cannot open the till: {type(error).__name__}: {error}"
            return
        finally:
            # Logged in and open (once a day in a shop): the orders may start.
            if self.options.get("ready"):
                self.options["ready"].release()
        if self.options.get("go"):
            self.options["go"].wait()
        count = 0
        self.first_started = time.monotonic()
        deadline = self.first_started + self.options["seconds"]
        while count < self.options["max_orders"] and time.monotonic() < deadline:
            count += 1
            kind = self.pick_kind(count)
            started = time.perf_counter()
            ok = False
            try:
                if kind == "ping":
                    self.timed(
                        "ping", "pos.session", "read", [self.session_id], ["state"]
                    )
                elif kind == "plain":
                    self.plain_order()
                elif kind == "refund":
                    self.refund_order()
                else:
                    self.member_order(hot=kind == "hot", spend=kind != "earn")
                ok = True
            except RpcError:
                pass  # counted in self.calls and self.orders
            except Exception as error:  # noqa: BLE001 - a bug of the till
                self.fatal = f"{type(error).__name__}: {error}"
                break
            finally:
                self.order_seconds.append((kind, time.perf_counter() - started, ok))
        self.last_ended = time.monotonic()

    def pick_kind(self, count):
        if self.mode in ("hot", "ping", "plain"):
            return self.mode
        every = self.options["refund_every"]
        if every and count % every == 0 and self.refundable:
            return "refund"
        if self.mode == "mix" and self.rng.random() >= self.options["member_share"]:
            return "plain"
        return "earn" if self.mode == "earn" else "member"

    # Orders

    def line(self, product, qty, price=None, **extra):
        price = product["price"] if price is None else price
        return [
            0,
            0,
            {
                "product_id": product["id"],
                "qty": qty,
                "price_unit": price,
                "price_subtotal": price * qty,
                "price_subtotal_incl": price * qty,
                "tax_ids": [[5, 0, 0]],
                "discount": 0.0,
                "pack_lot_ids": [],
                **extra,
            },
        ]

    def goods(self):
        qty = self.rng.randint(1, 3)
        return [self.line(product, qty) for product in self.setup["products"]]

    def payload(self, order_uuid, lines, partner_id=False):
        total = round(sum(line[2]["price_subtotal_incl"] for line in lines), 2)
        now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        return {
            "amount_paid": total,
            "amount_return": 0,
            "amount_tax": 0,
            "amount_total": total,
            "date_order": now,
            "fiscal_position_id": False,
            "pricelist_id": self.till["pricelist_id"],
            "name": f"Order {order_uuid}",
            "last_order_preparation_change": "{}",
            "lines": lines,
            "partner_id": partner_id,
            "session_id": self.session_id,
            "payment_ids": [
                [
                    0,
                    0,
                    {
                        "amount": total,
                        "name": now,
                        "payment_method_id": self.till["payment_method_id"],
                    },
                ]
            ],
            "uuid": order_uuid,
            "user_id": self.till["uid"],
            "to_invoice": False,
            "state": "paid",
        }

    def sync(self, name, payload):
        result = self.timed(name, "pos.order", "sync_from_ui", [payload])
        orders = [o for o in result["pos.order"] if o["uuid"] == payload["uuid"]]
        if not orders or orders[0]["state"] not in ("paid", "done"):
            raise RpcError(f"order {payload['uuid']} not paid: {orders}")
        return orders[0]["id"], [
            line
            for line in result.get("pos.order.line", [])
            if line.get("order_id") == orders[0]["id"]
        ]

    def plain_order(self):
        order_uuid = str(uuid4())
        ok = False
        try:
            self.sync("sync plain", self.payload(order_uuid, self.goods()))
            ok = True
        finally:
            self.orders.append(("plain", order_uuid, None, 0.0, None, ok))

    def member_order(self, hot=False, spend=True):
        """A member order as the till's front end makes it: lookup (card or
        phone); with ``spend``, part of what is free reserved; the paid
        order (with its points line) synced."""
        order_uuid = str(uuid4())
        member = self.setup["hot"] if hot else self.rng.choice(self.members)
        code = member["card"] if hot or self.rng.random() < 0.5 else member["phone"]
        lines = self.goods()
        points = 0.0
        ok = False
        kind = "hot" if hot else ("member" if spend else "earn")
        former = self.setup["front_end"] == "former"
        try:
            if former:
                info = self.timed(
                    "lookup", "pos.order", "lp_pos_lookup", code, order_uuid=order_uuid
                )
                # The till loads the customer it does not have.
                self.timed(
                    "partner read",
                    "res.partner",
                    "read",
                    [info["partner_id"]],
                    self.setup["partner_fields"],
                    load=False,
                )
            else:
                info = self.timed(
                    "lookup",
                    "pos.order",
                    "lp_pos_lookup",
                    code,
                    order_uuid=order_uuid,
                    config_id=self.till["config_id"],
                )
                if not info.get("pos_partner", {}).get("res.partner"):
                    raise RpcError(f"lookup of {code} brought no customer")
            if info["member_id"] != member["member_id"]:
                raise RpcError(f"lookup of {code} found member {info['member_id']}")
            free = info["balance"] - info["reserved"]
            wanted = self.rng.randint(*self.options["points"])
            points = float(min(wanted, int(free))) if spend else 0.0
            if points >= 1:
                amounts = [
                    {
                        "product_id": vals["product_id"],
                        "amount": vals["price_subtotal_incl"],
                    }
                    for _c, _i, vals in lines
                ]
                if former:  # the spend dialog asked its limit first
                    self.timed(
                        "spend limit",
                        "pos.order",
                        "lp_pos_spend_limit",
                        member["member_id"],
                        order_uuid,
                        amounts,
                    )
                self.timed(
                    "reserve",
                    "pos.order",
                    "lp_pos_reserve",
                    member["member_id"],
                    points,
                    order_uuid,
                    amounts,
                    False,
                    self.till["config_id"],
                )
                lines.append(self.line(self.setup["points_product"], 1, -points))
            else:
                points = 0.0
            payload = self.payload(order_uuid, lines, member["partner_id"])
            payload["lp_till_member_id"] = info["member_id"]
            _order_id, order_lines = self.sync(
                "sync member" if spend else "sync earn", payload
            )
            ok = True
            goods = [
                line
                for line in order_lines
                if line["product_id"] != self.setup["points_product"]["id"]
            ]
            if goods and not hot:
                self.refundable.append((order_uuid, member, goods[0]))
        finally:
            self.orders.append(
                (kind, order_uuid, member["member_id"], points, None, ok)
            )

    def refund_order(self):
        """Refund one unit of a line of an earlier member order of this
        till (each order is refunded once)."""
        original_uuid, member, line = self.refundable.pop(0)
        order_uuid = str(uuid4())
        product = {"id": line["product_id"], "price": line["price_unit"]}
        refund_line = self.line(
            product, -1, line["price_unit"], refunded_orderline_id=line["id"]
        )
        ok = False
        try:
            self.sync(
                "sync refund",
                self.payload(order_uuid, [refund_line], member["partner_id"]),
            )
            ok = True
        finally:
            self.orders.append(
                ("refund", order_uuid, member["member_id"], 0.0, original_uuid, ok)
            )
