import ast
import contextlib
import functools
from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .test_figures import FiguresCase

# What the browser calls that may run on a read-only cursor (on the replica
# when Odoo has one): the dashboard and the buttons that open a list.
READONLY = [
    ("lp.figures", "get_dashboard"),
    ("lp.segment", "action_view_partners"),
    ("lp.segment", "action_view_size_history"),
    ("lp.campaign", "action_view_results"),
    ("lp.campaign", "action_view_recipients"),
    ("lp.campaign", "action_view_mailings"),
    ("lp.trigger", "action_view_results"),
    ("lp.trigger", "action_view_messages"),
    ("lp.member", "action_view_ledger"),
    ("lp.member", "action_view_cards"),
    ("lp.member", "action_open_statement"),
    ("lp.program", "action_view_members"),
    ("res.partner", "action_lp_view_members"),
    ("res.partner", "action_lp_view_ledger"),
    ("res.partner", "action_lp_view_stats"),
    ("lp.offer", "action_view_rows"),
    ("pos.order", "lp_pos_offer_discounts"),
    ("lp.bot", "action_view_chats"),
    ("lp.bot", "action_view_messages"),
]
# What writes, or must see the latest committed state: never read-only.
READ_WRITE = [
    ("pos.order", "lp_pos_lookup"),
    ("pos.order", "lp_pos_reserve"),
    ("pos.order", "sync_from_ui"),
    ("lp.segment", "action_refresh"),
    ("lp.campaign", "action_compute_results"),
    ("lp.trigger", "action_compute_results"),
    ("lp.offer", "action_compute_results"),
    ("lp.adjust.wizard", "action_confirm"),
]


def rpc_readonly(env, model, method):
    """Whether ``/web/dataset/call_kw`` serves ``model.method`` on a
    read-only cursor: what ``DataSet._call_kw_readonly`` of the ``web``
    addon decides (the first ``_readonly`` along the class hierarchy)."""
    for cls in type(env[model]).mro():
        function = getattr(cls, method, None)
        if function is not None and hasattr(function, "_readonly"):
            return function._readonly
    return False


@tagged("post_install", "-at_install")
class TestReadonlyRpc(FiguresCase, HttpCase):
    """The read-only methods as the browser calls them, on a read-only
    cursor (``HttpCase`` gives read-only requests a cursor that refuses
    writes, as the replica would): right figures, no write attempted (a
    write would make Odoo retry on a read/write cursor), and the same
    refusals as before."""

    def test_declared_readonly(self):
        for model, method in READONLY:
            with self.subTest(model=model, method=method):
                self.assertTrue(rpc_readonly(self.env, model, method))
        for model, method in READ_WRITE:
            with self.subTest(model=model, method=method):
                self.assertFalse(rpc_readonly(self.env, model, method))

    @contextlib.contextmanager
    def cursor_modes(self, model, method):
        """Records ``cr.readonly`` at each call of ``model.method``: a
        read-only request retried on a read/write cursor after a write
        shows as ``[True, False]``."""
        cls = type(self.env[model])
        original = getattr(cls, method)
        modes = []

        @functools.wraps(original)
        def spy(records, *args, **kwargs):
            modes.append(records.env.cr.readonly)
            return original(records, *args, **kwargs)

        with patch.object(cls, method, spy):
            yield modes

    def call(self, model, method, args, kwargs=None, button=False):
        route = "/web/dataset/call_button" if button else "/web/dataset/call_kw"
        return self.make_jsonrpc_request(
            f"{route}/{model}.{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def dashboard(self):
        return self.call(
            "lp.figures", "get_dashboard", [str(self.date_from), str(self.date_to)]
        )

    def readonly_dashboard(self):
        """The dashboard as the loyalty manager asks it, checked to run on a
        read-only cursor: (its data, its figures by name)."""
        self.authenticate("lp_manager", "lp_manager")
        with self.cursor_modes("lp.figures", "get_dashboard") as modes:
            data = self.dashboard()
        self.assertEqual(modes, [True])
        rows = {f["name"]: f for s in data["sections"] for f in s["figures"]}
        return data, rows

    def test_dashboard_on_readonly_cursor(self):
        data, rows = self.readonly_dashboard()
        self.assertEqual(rows["revenue"]["value"], 900.0)
        self.assertEqual(rows["revenue"]["previous"], 800.0)
        self.assertEqual(rows["revenue"]["delta"], 12.5)
        self.assertEqual(rows["active_members"]["delta"], 50.0)
        tiers = {t["name"]: (t["members"], t["previous"]) for t in data["tiers"]}
        self.assertEqual(tiers["Base (Test Club)"], (5, 4))

    def test_dashboard_sms_cost_without_settings(self):
        """A campaign that sent SMS, in a company without campaign settings:
        the cost is read (default price 0), no settings row is created."""
        self.env["lp.campaign.config"].search(
            [("company_id", "=", self.env.company.id)]
        ).unlink()
        _data, rows = self.readonly_dashboard()
        self.assertEqual(rows["revenue"]["value"], 900.0)
        self.assertFalse(
            self.env["lp.campaign.config"].search(
                [("company_id", "=", self.env.company.id)]
            )
        )

    def test_segment_preview_and_openers(self):
        segment = self.env["lp.segment"].create(
            {
                "name": "Fig regulars",
                "domain": repr(
                    [("lp_purchase_count", ">=", 2), ("name", "=like", "Fig %")]
                ),
            }
        )
        segment._refresh()
        self.authenticate("lp_manager", "lp_manager")
        # The preview the domain editor shows: the customers it selects now.
        count = self.call(
            "res.partner", "search_count", [ast.literal_eval(segment.domain)]
        )
        self.assertEqual(count, 4)  # Retained, Won Back, Newcomer, Walk-in
        with self.cursor_modes("lp.segment", "action_view_partners") as modes:
            action = self.call(
                "lp.segment", "action_view_partners", [[segment.id]], button=True
            )
        self.assertEqual(modes, [True])
        self.assertEqual(action["res_model"], "res.partner")
        partners = self.call("res.partner", "search_read", [action["domain"], ["name"]])
        self.assertEqual(
            sorted(p["name"] for p in partners),
            ["Fig Newcomer", "Fig Retained", "Fig Walk-in", "Fig Won Back"],
        )
        with self.cursor_modes("res.partner", "action_lp_view_stats") as modes:
            action = self.call(
                "res.partner",
                "action_lp_view_stats",
                [[self.m1.partner_id.id]],
                button=True,
            )
        self.assertEqual(modes, [True])
        self.assertEqual(action["domain"], [["partner_id", "=", self.m1.partner_id.id]])
        stats = self.call(
            "lp.customer.stats", "search_read", [action["domain"], ["purchase_count"]]
        )
        self.assertEqual([s["purchase_count"] for s in stats], [3])

    def test_member_openers(self):
        self.authenticate("lp_user", "lp_userx")
        for model, method, record in [
            ("lp.member", "action_view_ledger", self.m1),
            ("lp.member", "action_view_cards", self.m1),
            ("lp.member", "action_open_statement", self.m1),
            ("lp.program", "action_view_members", self.program),
            ("res.partner", "action_lp_view_members", self.m1.partner_id),
            ("res.partner", "action_lp_view_ledger", self.m1.partner_id),
        ]:
            with self.subTest(model=model, method=method):
                with self.cursor_modes(model, method) as modes:
                    action = self.call(model, method, [record.ids], button=True)
                self.assertEqual(modes, [True])
                self.assertEqual(action["type"], "ir.actions.act_window")

    def test_loyalty_user_still_reads_the_dashboard(self):
        self.authenticate("lp_user", "lp_userx")
        data = self.dashboard()
        rows = {f["name"]: f for s in data["sections"] for f in s["figures"]}
        self.assertEqual(rows["revenue"]["value"], 900.0)

    def test_refusals(self):
        new_test_user(
            self.env, login="ro_sales", groups="sales_team.group_sale_salesman"
        )
        new_test_user(self.env, login="ro_portal", groups="base.group_portal")
        segment = self.env["lp.segment"].create({"name": "Fig all"})
        for login in ("ro_sales", "ro_portal"):
            with self.subTest(login=login):
                self.authenticate(login, login + "x" * (8 - len(login)))
                with self.assertRaises(JsonRpcException) as caught:
                    self.dashboard()
                self.assertEqual(str(caught.exception), "odoo.exceptions.AccessError")
                with self.assertRaises(JsonRpcException) as caught:
                    self.call(
                        "lp.segment",
                        "action_view_partners",
                        [[segment.id]],
                        button=True,
                    )
                self.assertEqual(str(caught.exception), "odoo.exceptions.AccessError")
        # A Loyalty User of another company gets nothing of this one.
        company_b = self.env["res.company"].create({"name": "Replica B"})
        new_test_user(
            self.env,
            login="ro_user_b",
            groups="base.group_user,loyalty_program.group_lp_user",
            company_id=company_b.id,
            company_ids=[company_b.id],
        )
        self.authenticate("ro_user_b", "ro_user_b")
        with self.assertRaises(JsonRpcException) as caught:
            self.call(
                "lp.figures",
                "get_dashboard",
                [str(self.date_from), str(self.date_to), self.env.company.id],
            )
        self.assertEqual(str(caught.exception), "odoo.exceptions.AccessError")
