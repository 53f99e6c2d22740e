"""The audience the campaign and trigger benchmarks share (``bench_campaign.py``,
``bench_trigger.py``): the database of ``bench_stats.py`` (``lp_bench_stats``:
customers with e-mail and consent, POS and sales orders over two years, half
of them members), generated up to a number of customers, and topped up with
what messages read: a phone (E.164) for four customers in five, a time zone
among eight (Kaliningrad to Vladivostok), a preferred channel for one in
three, 1% of e-mails and phones blacklisted, an active card per member.

Typical use::

    registry = _audience.open_registry(args, odoo_args, log)
    with registry.cursor() as cr:
        env = bench_stats.env_of(registry, cr)
        info = _audience.load_info(env)
        _audience.grow(env, info, customers, log)   # committed
"""

import json
import os
import subprocess
import sys
import time

import bench_stats as stats

ZONES = [
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Novosibirsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Vladivostok",
]


def update_module(dbname, odoo_args, log):
    """Bring loyalty_program in the reused database up to the code."""
    log(f"updating loyalty_program in {dbname}")
    odoo_home = os.environ.get("ODOO_HOME", "/opt/odoo19")
    subprocess.run(
        [sys.executable, os.path.join(odoo_home, "odoo-bin"), *odoo_args,
         "-d", dbname, "-u", "loyalty_program", "--stop-after-init",
         "--workers", "0", "--max-cron-threads", "0"],
        check=True,
    )  # fmt: skip


def open_registry(args, odoo_args, log):
    """Odoo's configuration from ``odoo_args``, the database ``args.db``
    installed (or, reused, its addon updated to the code); its registry."""
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(list(odoo_args), setup_logging=True)
    install = stats.ensure_database(args.db, odoo_args, args.recreate)
    if install:
        log(f"installed in {install:.0f}s")
    else:
        update_module(args.db, odoo_args, log)
    return Registry(args.db)


def load_info(env):
    """What ``bench_stats.py`` generated so far (its fixtures, created when
    missing)."""
    Param = env["ir.config_parameter"].sudo()
    return json.loads(Param.get_param(stats.MARKER) or "null") or (
        stats.setup_fixtures(env)
    )


def grow(env, info, customers, log):
    """Customers up to ``customers`` (none removed), the top-up, committed."""
    if customers > info["customers"]:
        log(f"generating up to {customers} customers")
        stats.generate(env, info, customers)
        env["ir.config_parameter"].sudo().set_param(stats.MARKER, json.dumps(info))
    log(f"audience top-up: {top_up(env)}")
    env.cr.commit()


def top_up(env):
    """Phones, zones, preferences, blacklists and cards for the customers
    that have none yet (set-based)."""
    cr = env.cr
    started = time.perf_counter()
    cr.execute(
        """
        UPDATE res_partner p
           SET phone = '+7 900 ' || lpad(p.id::text, 7, '0'),
               lp_phone_e164 = '+7900' || lpad(p.id::text, 7, '0'),
               phone_sanitized = '+7900' || lpad(p.id::text, 7, '0'),
               tz = (%s::varchar[])[1 + p.id %% 8],
               lp_preferred_channel = CASE p.id %% 3 WHEN 0 THEN 'sms' END
         WHERE p.email LIKE '%%@bench.example' AND p.tz IS NULL
           AND p.id %% 5 <> 0
        """,
        [ZONES],
    )
    phones = cr.rowcount
    cr.execute(
        """
        UPDATE res_partner SET tz = 'Europe/Moscow'
         WHERE email LIKE '%@bench.example' AND tz IS NULL
        """
    )
    cr.execute(
        """
        INSERT INTO mail_blacklist (email, active, create_date, write_date)
        SELECT email_normalized, TRUE, now(), now() FROM res_partner
         WHERE email LIKE '%@bench.example' AND id % 100 = 7
        ON CONFLICT DO NOTHING
        """
    )
    cr.execute(
        """
        INSERT INTO phone_blacklist (number, active, create_date, write_date)
        SELECT lp_phone_e164, TRUE, now(), now() FROM res_partner
         WHERE lp_phone_e164 LIKE '+7900%' AND id % 100 = 13
        ON CONFLICT DO NOTHING
        """
    )
    cr.execute(
        """
        INSERT INTO lp_card (number, program_id, company_id, member_id, partner_id,
                             card_type, state, create_date, write_date)
        SELECT 'B' || m.id, m.program_id, m.company_id, m.id, m.partner_id,
               'virtual', 'active', now(), now()
          FROM lp_member m
         WHERE NOT EXISTS (SELECT 1 FROM lp_card c WHERE c.member_id = m.id)
        """
    )
    cards = cr.rowcount
    env.invalidate_all()
    return {
        "phones": phones,
        "cards": cards,
        "seconds": round(time.perf_counter() - started, 1),
    }


def measure_size(registry, measure, info, size, log):
    """``measure(env, info, size)`` on a cursor of its own; its figures,
    printed as JSON on stdout."""
    with registry.cursor() as cr:
        env = stats.env_of(registry, cr)
        log(f"{size}: measuring")
        figures = measure(env, info, size)
    print(json.dumps(figures, indent=1), flush=True)
    return figures
