"""Shared helpers of the benchmarks: command line, database bootstrap, an Odoo
environment, a set-based generator of members, cards and ledger entries, and
timing and table printing.

A benchmark script is started by ``benchmarks/run <script> [options]``, which
appends ``-- <odoo options>`` (addons path, database connection, data dir,
log file). Typical use::

    from _common import bench_args, prepare_core_database, open_env

    args = bench_args("what it measures").parse_args()   # its own options
    for size in args.sizes:
        dbname, info = prepare_core_database(size)        # created or reused
        with open_env(dbname) as env:
            ...                                           # measure, roll back

Nothing here commits except the bootstrap and the generator.
"""

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

import psycopg2

import odoo
from odoo import api, fields
from odoo.modules.registry import Registry
from odoo.sql_db import close_db, connection_info_for
from odoo.tools import SQL, config

# Members per size; every member gets about 11 ledger entries.
SIZES = {"small": 20_000, "large": 200_000}
MARKER = "loyalty_program.bench_core"
GENERATOR_VERSION = 1
ODOO_ARGS = []
REUSE_VACUUM = ("lp_ledger", "lp_ledger_allocation", "lp_member", "lp_tier_history")

FIRST_NAMES = [
    "Anna", "Ivan", "Olga", "Sergei", "Maria", "Dmitry", "Elena", "Alexei",
    "Natalia", "Pavel", "Irina", "Andrei", "Svetlana", "Mikhail", "Tatiana",
    "Nikolai", "Yulia", "Viktor", "Ekaterina", "Oleg",
]  # fmt: skip
LAST_NAMES = [
    "Ivanova", "Petrov", "Smirnova", "Kuznetsov", "Popova", "Vasiliev",
    "Sokolova", "Mikhailov", "Novikova", "Fedorov", "Morozova", "Volkov",
    "Alekseeva", "Lebedev", "Semenova", "Egorov", "Pavlova", "Kozlov",
    "Stepanova", "Nikolaev",
]  # fmt: skip


# Command line


def bench_args(description):
    """An argument parser with the options every benchmark shares. Its
    ``parse_args()`` takes the script's own options before ``--`` and hands
    what follows (given by ``benchmarks/run``) to Odoo's configuration."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--sizes",
        default="small,large",
        type=lambda s: [x for x in s.split(",") if x],
        help="comma-separated sizes among %s (default: small,large)"
        % ", ".join(f"{k}={v}" for k, v in SIZES.items()),
    )
    parser.add_argument(
        "--regenerate",
        action="store_true",
        help="drop and rebuild the benchmark databases",
    )
    parser.add_argument("--seed", type=float, default=0.42, help="random seed, 0..1")
    parse = parser.parse_args

    def parse_args(argv=None):
        argv = sys.argv[1:] if argv is None else argv
        if "--" in argv:
            cut = argv.index("--")
            own, odoo_args = argv[:cut], argv[cut + 1 :]
        else:
            own, odoo_args = argv, []
        args = parse(own)
        for size in args.sizes:
            if size not in SIZES:
                parser.error(f"unknown size {size!r}")
        setup_odoo(odoo_args)
        return args

    parser.parse_args = parse_args
    return parser


def setup_odoo(odoo_args):
    """Load Odoo's configuration (addons path, database server, log file)."""
    ODOO_ARGS[:] = odoo_args
    config.parse_config(list(odoo_args), setup_logging=True)


def log(message):
    """Progress on stderr, so that stdout holds the figures only."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# Database bootstrap


def _connect(dbname):
    _name, params = connection_info_for(dbname)
    return psycopg2.connect(**params)


def database_state(dbname, modules=("loyalty_program",)):
    """'absent', 'incomplete' (exists, some module not installed) or
    'installed'."""
    try:
        conn = _connect(dbname)
    except psycopg2.OperationalError:
        return "absent"
    try:
        with conn.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM ir_module_module "
                "WHERE name IN %s AND state = 'installed'",
                [tuple(modules)],
            )
            installed = cr.fetchone()[0]
    except psycopg2.Error:
        installed = -1
    finally:
        conn.close()
    return "installed" if installed == len(modules) else "incomplete"


def _odoo_bin(*args):
    odoo_home = os.environ.get("ODOO_HOME") or os.path.dirname(
        os.path.dirname(os.path.abspath(odoo.release.__file__))
    )
    cmd = [sys.executable, os.path.join(odoo_home, "odoo-bin"), *args]
    subprocess.run(cmd, check=True)


def drop_database(dbname):
    """Drop ``dbname`` (closing this process's connections to it first) and
    its filestore."""
    Registry.delete(dbname)
    close_db(dbname)
    conn = _connect("postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(SQL("DROP DATABASE IF EXISTS %s", SQL.identifier(dbname)).code)
    finally:
        conn.close()
    shutil.rmtree(config.filestore(dbname), ignore_errors=True)


def ensure_database(dbname, modules=("loyalty_program",), recreate=False):
    """Make sure ``dbname`` exists with ``modules`` installed, without demo
    data. A database left incomplete (an interrupted install) or asked to be
    recreated is dropped first. Returns the seconds spent installing, 0.0
    when the database was reused."""
    state = database_state(dbname, modules)
    if state == "installed" and not recreate:
        return 0.0
    if state != "absent":
        log(f"dropping database {dbname} ({state})")
        drop_database(dbname)
    log(f"creating database {dbname} with {', '.join(modules)} (a few minutes)")
    return _odoo_modules(dbname, "-i", modules)


def _odoo_modules(dbname, option, modules):
    """Install (``-i``) or update (``-u``) ``modules`` in ``dbname`` with
    odoo-bin; returns the seconds it took."""
    started = time.perf_counter()
    _odoo_bin(
        *ODOO_ARGS, "-d", dbname, option, ",".join(modules), "--stop-after-init",
        "--workers", "0", "--max-cron-threads", "0",
    )  # fmt: skip
    return time.perf_counter() - started


def update_modules(dbname, modules=("loyalty_program",)):
    """Bring ``modules`` of a reused database up to the code (new fields of
    a newer version of the addon). Returns the seconds it took."""
    log(f"updating {', '.join(modules)} in {dbname}")
    return _odoo_modules(dbname, "-u", modules)


@contextlib.contextmanager
def open_env(dbname, context=None):
    """An environment (superuser) on ``dbname``. The transaction is rolled
    back on exit unless the caller committed."""
    registry = Registry(dbname)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, dict(context or {}))
        try:
            yield env
        finally:
            cr.rollback()


def vacuum_analyze(dbname, tables=None):
    """VACUUM ANALYZE (needs autocommit, so on a connection of its own)."""
    conn = _connect(dbname)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            if tables:
                for table in tables:
                    cr.execute(SQL("VACUUM ANALYZE %s", SQL.identifier(table)).code)
            else:
                cr.execute("VACUUM ANALYZE")
    finally:
        conn.close()


def read_marker(env, key=MARKER):
    value = env["ir.config_parameter"].sudo().get_param(key)
    return json.loads(value) if value else None


def write_marker(env, value, key=MARKER):
    env["ir.config_parameter"].sudo().set_param(key, json.dumps(value))


def prepare_core_database(size, regenerate=False, seed=0.42):
    """The database ``lp_bench_<size>`` with loyalty_program installed and
    the core data generated (``SIZES[size]`` members). Reused when complete.
    Returns (dbname, info): the generator's figures and counts, with
    ``install_seconds`` and ``reused``."""
    dbname = f"lp_bench_{size}"
    params = {"members": SIZES[size], "version": GENERATOR_VERSION, "seed": seed}
    install = ensure_database(dbname, recreate=regenerate)
    with open_env(dbname) as env:
        info = read_marker(env)
        reuse = info and all(info.get(k) == v for k, v in params.items())
    if reuse:
        # Earlier runs rolled back their changes: clear the dead rows they
        # left, so that runs stay comparable.
        vacuum_analyze(dbname, REUSE_VACUUM)
        info.update(reused=True, install_seconds=install)
        return dbname, info
    if info:  # generated with other parameters: start again from scratch
        install = ensure_database(dbname, recreate=True)
    log(f"generating {params['members']} members in {dbname}")
    with open_env(dbname) as env:
        info = generate_core(env, params["members"], seed=seed)
        info.update(params)
        write_marker(env, info)
        env.cr.commit()
    started = time.perf_counter()
    vacuum_analyze(dbname)
    info["vacuum_analyze_seconds"] = round(time.perf_counter() - started, 1)
    with open_env(dbname) as env:
        write_marker(env, info)
        env.cr.commit()
    info.update(reused=False, install_seconds=install)
    return dbname, info


# Generator


def create_program(env, name="Benchmark program"):
    """A bonus program like the tests' fixture: 5% earned, 14 days' hold, a
    year's lifetime, a welcome bonus, Base/Silver/Gold over 365 days."""
    return env["lp.program"].create(
        {
            "name": name,
            "program_type": "bonus",
            "point_value": 1.0,
            "earn_rate": 5.0,
            "points_rounding": 1.0,
            "rounding_method": "down",
            "hold_days": 14,
            "lifetime_days": 365,
            "welcome_points": 100.0,
            "welcome_lifetime_days": 30,
            "birthday_points": 200.0,
            "tier_window_days": 365,
            "spend_cap_percent": 30.0,
            "tier_ids": [
                odoo.Command.create({"name": "Base", "threshold": 0.0}),
                odoo.Command.create(
                    {"name": "Silver", "threshold": 5000.0, "earn_rate": 7.0}
                ),
                odoo.Command.create(
                    {"name": "Gold", "threshold": 12000.0, "earn_rate": 10.0}
                ),
            ],
        }
    )


def reserve_ids(cr, table, count):
    """Reserve ``count`` ids of ``table``'s sequence; returns ``base``: the
    ids are base + 1 .. base + count."""
    seq = f"{table}_id_seq"
    cr.execute(SQL("SELECT nextval(%s)", seq))
    first = cr.fetchone()[0]
    cr.execute(SQL("SELECT setval(%s, %s)", seq, first + max(count, 1) - 1))
    return first - 1


def generate_core(
    env,
    members,
    *,
    program=None,
    earns=4,
    backlog_days=30,
    tier_lag_days=30,
    gift_due_ratio=0.25,
    seed=0.42,
):
    """Fill the database, set-based, with ``members`` customers of
    ``program`` (created when not given): partners (name, phone, E.164,
    birthday), members, one active card each, and about 11 ledger entries
    per member over the last two years, consistent with the stored balance,
    pending and tier-period spend:

    * a welcome bonus at enrolment (100 points, 30 days), spent in full
      (70%) or expired;
    * ``earns`` purchases (5% of 200-5000), the first days after enrolment,
      the others spread up to today: the latest are still on hold;
    * a spend after each credit (60%) taking 30-100% of it, with its
      allocation row; what is left of a credit past its expiry is expired
      by an ``expire`` entry, except for the last ``backlog_days`` days:
      those are due, work for the expiry job;
    * a gift of 50 points, due for expiry for ``gift_due_ratio`` of members;
    * ``window_spend`` as left by a tier re-evaluation ``tier_lag_days``
      ago plus the purchases since (the posting path only adds), and the
      tier it reaches: work for the nightly tier job.

    Spends consume the credit they follow, not strictly the oldest one; the
    rows stay consistent (``remaining`` = amount - allocations, balance and
    pending = the sums of ``remaining``). Ids grow with the entry's date, as
    in real life, so a member's entries are scattered over the table.

    Returns the counts and the seconds spent.
    """
    # Importable once the configuration has set the addons path.
    from odoo.addons.loyalty_program.tools import card_number

    if earns < 2:
        raise ValueError("earns must be at least 2")
    started = time.perf_counter()
    cr = env.cr
    program = program or create_program(env)
    tiers = program.tier_ids.sorted("threshold")
    env.flush_all()
    now = fields.Datetime.now().replace(microsecond=0)
    uid = env.uid
    country = env.ref("base.ru", raise_if_not_found=False)
    params = {
        "n": members,
        "now": now,
        "today": now.date(),
        "uid": uid,
        "program": program.id,
        "company": program.company_id.id,
        "country": country.id if country else None,
        "earns": earns,
        "rate": program.earn_rate,
        "hold": program.hold_days,
        "lifetime": program.lifetime_days,
        "welcome": program.welcome_points,
        "welcome_days": program.welcome_lifetime_days,
        "window": program.tier_window_days,
        "backlog": backlog_days,
        "lag": tier_lag_days,
        "gift_due": gift_due_ratio,
        "first_names": FIRST_NAMES,
        "last_names": LAST_NAMES,
        "base_tier": tiers[:1].id,
    }
    figures = {"program_id": program.id}

    def run(step, query):
        t0 = time.perf_counter()
        cr.execute(query)
        figures[f"{step}_seconds"] = round(time.perf_counter() - t0, 2)
        return cr.rowcount

    cr.execute(SQL("SELECT setseed(%s)", seed))
    params["p0"] = reserve_ids(cr, "res_partner", members)
    params["m0"] = reserve_ids(cr, "lp_member", members)
    run(
        "members_plan",
        SQL(
            """
            CREATE TEMP TABLE lpb_m ON COMMIT DROP AS
            SELECT g, %(p0)s + g AS partner_id, %(m0)s + g AS member_id,
                   380 + floor(random() * 350)::int AS join_days
              FROM generate_series(1, %(n)s) AS g
            """,
            **params,
        ),
    )
    figures["partners"] = run(
        "partners",
        SQL(
            """
            INSERT INTO res_partner (
                id, name, complete_name, type, active, is_company,
                commercial_partner_id, lang, partner_share, customer_rank,
                supplier_rank, color, autopost_bills, country_id, phone,
                phone_sanitized, lp_phone_e164, lp_birthday, lp_birthday_month,
                lp_birthday_day, ref,
                create_uid, create_date, write_uid, write_date)
            SELECT partner_id, name, name, 'contact', TRUE, FALSE,
                   partner_id, 'en_US', TRUE, 1, 0, 0, 'ask', %(country)s,
                   '+7 9' || substr(num, 1, 2) || ' ' || substr(num, 3, 3)
                       || '-' || substr(num, 6, 2) || '-' || substr(num, 8, 2),
                   '+79' || num, '+79' || num, birthday,
                   extract(month FROM birthday), extract(day FROM birthday),
                   'LPB' || partner_id,
                   %(uid)s, created, %(uid)s, created
              FROM (
                SELECT partner_id, lpad(partner_id::text, 9, '0') AS num,
                       (%(first_names)s::text[])[1 + g %% 20] || ' '
                           || (%(last_names)s::text[])[1 + (g / 20) %% 20]
                           || ' ' || g AS name,
                       DATE '1950-01-01' + floor(random() * 20000)::int AS birthday,
                       %(now)s - make_interval(days => join_days) AS created
                  FROM lpb_m
              ) AS p
            """,
            **params,
        ),
    )
    # One row per credit, with what happened to it: spent (part), expired.
    run(
        "credits_plan",
        SQL(
            """
            CREATE TEMP TABLE lpb_c ON COMMIT DROP AS
            WITH slots AS (
                SELECT m.member_id, m.partner_id, m.join_days, s.slot,
                       CASE WHEN s.slot = 0 THEN 'welcome'
                            WHEN s.slot <= %(earns)s THEN 'earn'
                            ELSE 'gift' END AS kind,
                       random() AS r1, random() AS r2, random() AS r3,
                       random() AS r4, random() AS r5
                  FROM lpb_m m
                 CROSS JOIN generate_series(0, %(earns)s + 1) AS s(slot)
            ), dated AS (
                SELECT s.*,
                       %(now)s - make_interval(secs => 86400 * CASE
                           WHEN slot = 0 THEN join_days + 0.5 * r1
                           WHEN slot = 1 THEN join_days - 5 - 0.5 * r1
                           WHEN kind = 'earn' THEN (join_days - 30)
                               * (1 - (slot - 2 + r1) / (%(earns)s - 1))
                           ELSE %(backlog)s + 1 + 60 * r1 END) AS date,
                       CASE WHEN kind = 'earn'
                            THEN round((200 + 4800 * r3)::numeric, 2)
                            ELSE 0 END AS base_amount
                  FROM slots s
            ), valued AS (
                SELECT d.*,
                       CASE kind WHEN 'welcome' THEN %(welcome)s
                                 WHEN 'earn' THEN floor(base_amount * %(rate)s / 100)
                                 ELSE 50 END::numeric AS amount,
                       CASE WHEN kind = 'earn'
                            THEN date + make_interval(days => %(hold)s)
                            ELSE date END AS available_from
                  FROM dated d
            ), expiring AS (
                SELECT v.*,
                       available_from > %(now)s AS held,
                       CASE kind
                           WHEN 'welcome' THEN (date
                               + make_interval(days => %(welcome_days)s))::date
                           WHEN 'earn' THEN (available_from
                               + make_interval(days => %(lifetime)s))::date
                           WHEN 'gift' THEN CASE WHEN r4 < %(gift_due)s
                               THEN %(today)s::date - 1 - floor(%(backlog)s * r3)::int
                               ELSE %(today)s::date + 1 + floor(180 * r3)::int END
                       END AS expiry_date
                  FROM valued v
            ), spent AS (
                SELECT e.*,
                       CASE WHEN held OR kind = 'gift' THEN 0
                            WHEN kind = 'welcome' AND r4 < 0.7 THEN amount
                            WHEN kind = 'earn' AND r4 < 0.6
                            THEN greatest(1, floor(amount * (0.3 + 0.7 * r5)))
                            ELSE 0 END AS spent,
                       available_from + (least(expiry_date::timestamp, %(now)s)
                           - available_from) * r2 AS spend_date
                  FROM expiring e
            )
            SELECT member_id, partner_id, slot, kind, amount, base_amount, date,
                   available_from, held, expiry_date, spent, spend_date,
                   amount - spent AS leftover,
                   amount - spent > 0 AND NOT held
                       AND expiry_date < %(today)s::date - %(backlog)s AS expired
              FROM spent
            """,
            **params,
        ),
    )
    # Every entry (credits, spends, expiries), numbered in date order.
    run(
        "entries_plan",
        SQL(
            """
            CREATE TEMP TABLE lpb_e ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY date, member_id, slot, etype) AS n, *
              FROM (
                SELECT member_id, partner_id, slot, 0 AS etype, kind, amount,
                       base_amount, date, available_from, held, expiry_date,
                       CASE WHEN expired THEN 0 ELSE leftover END AS remaining
                  FROM lpb_c
                 UNION ALL
                SELECT member_id, partner_id, slot, 1, 'spend', -spent, 0,
                       spend_date, NULL, FALSE, NULL, 0
                  FROM lpb_c WHERE spent > 0
                 UNION ALL
                SELECT member_id, partner_id, slot, 2, 'expire', -leftover, 0,
                       expiry_date + time '02:00', NULL, FALSE, NULL, 0
                  FROM lpb_c WHERE expired
              ) AS e
            """
        ),
    )
    cr.execute("SELECT count(*) FROM lpb_e")
    params["l0"] = reserve_ids(cr, "lp_ledger", cr.fetchone()[0])
    figures["members"] = run(
        "members",
        SQL(
            """
            INSERT INTO lp_member (
                id, partner_id, program_id, company_id, state, join_date,
                enrol_source, tier_id, balance, pending, window_spend,
                create_uid, create_date, write_uid, write_date)
            SELECT m.member_id, m.partner_id, %(program)s, %(company)s, 'active',
                   (%(now)s - make_interval(days => m.join_days))::date, 'pos',
                   (SELECT t.id FROM lp_tier t
                     WHERE t.program_id = %(program)s
                       AND t.threshold <= c.window_spend
                     ORDER BY t.threshold DESC LIMIT 1),
                   c.balance, c.pending, c.window_spend,
                   %(uid)s, %(now)s - make_interval(days => m.join_days),
                   %(uid)s, %(now)s
              FROM lpb_m m
              JOIN (
                SELECT member_id,
                       COALESCE(SUM(CASE WHEN expired THEN 0 ELSE leftover END)
                                FILTER (WHERE NOT held), 0) AS balance,
                       COALESCE(SUM(leftover) FILTER (WHERE held), 0) AS pending,
                       COALESCE(SUM(base_amount) FILTER (WHERE date >= %(now)s
                           - make_interval(days => %(lag)s + %(window)s)), 0)
                           AS window_spend
                  FROM lpb_c GROUP BY member_id
              ) AS c ON c.member_id = m.member_id
            """,
            **params,
        ),
    )
    figures["tier_history"] = run(
        "tier_history",
        SQL(
            """
            INSERT INTO lp_tier_history (
                member_id, old_tier_id, new_tier_id, reason, window_spend, date,
                create_uid, create_date, write_uid, write_date)
            SELECT id, NULL, %(base_tier)s, 'initial', 0, create_date,
                   %(uid)s, create_date, %(uid)s, create_date
              FROM lp_member WHERE id > %(m0)s AND id <= %(m0)s + %(n)s
             UNION ALL
            SELECT id, %(base_tier)s, tier_id, 'upgrade', window_spend,
                   %(now)s - make_interval(days => %(lag)s),
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM lp_member WHERE id > %(m0)s AND id <= %(m0)s + %(n)s
               AND tier_id <> %(base_tier)s
            """,
            **params,
        ),
    )
    serials = program._next_card_serials(members)
    numbers = [
        card_number.make_number(program.card_prefix, serial, program.card_length)
        for serial in serials
    ]
    figures["cards"] = run(
        "cards",
        SQL(
            """
            INSERT INTO lp_card (
                number, program_id, company_id, member_id, partner_id,
                card_type, state, activation_date,
                create_uid, create_date, write_uid, write_date)
            SELECT u.number, %(program)s, %(company)s, m.member_id, m.partner_id,
                   'physical', 'active',
                   (%(now)s - make_interval(days => m.join_days))::date,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM unnest(%(numbers)s::text[]) WITH ORDINALITY AS u(number, g)
              JOIN lpb_m m ON m.g = u.g
            """,
            numbers=numbers,
            **params,
        ),
    )
    figures["entries"] = run(
        "entries",
        SQL(
            """
            INSERT INTO lp_ledger (
                id, member_id, program_id, partner_id, company_id, kind, amount,
                shortfall, base_amount, date, available_from, expiry_date, held,
                remaining, res_model, res_id, source_key, reason, user_id,
                create_uid, create_date, write_uid, write_date)
            SELECT %(l0)s + e.n, e.member_id, %(program)s, e.partner_id,
                   %(company)s, e.kind, e.amount, 0, e.base_amount, e.date,
                   e.available_from, e.expiry_date, e.held, e.remaining,
                   CASE WHEN e.etype = 2 THEN 'lp.ledger' END,
                   CASE WHEN e.etype = 2 THEN %(l0)s + c.n END,
                   CASE WHEN e.etype = 2 THEN 'expire:' || (%(l0)s + c.n)
                        WHEN e.kind = 'welcome' THEN 'welcome:' || e.member_id
                        ELSE 'bench:' || (%(l0)s + e.n) END,
                   CASE WHEN e.kind = 'gift' THEN 'Benchmark gift' END,
                   %(uid)s, %(uid)s, e.date, %(uid)s, e.date
              FROM lpb_e e
              LEFT JOIN lpb_e c ON e.etype = 2 AND c.etype = 0
                   AND c.member_id = e.member_id AND c.slot = e.slot
             ORDER BY e.n
            """,
            **params,
        ),
    )
    figures["allocations"] = run(
        "allocations",
        SQL(
            """
            INSERT INTO lp_ledger_allocation (
                debit_id, credit_id, amount,
                create_uid, create_date, write_uid, write_date)
            SELECT %(l0)s + d.n, %(l0)s + c.n, -d.amount,
                   %(uid)s, d.date, %(uid)s, d.date
              FROM lpb_e d
              JOIN lpb_e c ON c.etype = 0 AND c.member_id = d.member_id
                          AND c.slot = d.slot
             WHERE d.etype > 0
             ORDER BY d.n
            """,
            **params,
        ),
    )
    cr.execute(
        SQL(
            """
            SELECT count(*) FILTER (WHERE expiry_date < %(today)s AND remaining > 0
                                      AND NOT held),
                   count(*) FILTER (WHERE held),
                   count(*) FILTER (WHERE kind = 'spend'),
                   count(*) FILTER (WHERE kind = 'expire')
              FROM lpb_e
            """,
            **params,
        )
    )
    (
        figures["due_for_expiry"],
        figures["held"],
        figures["spends"],
        figures["expired"],
    ) = cr.fetchone()
    env.invalidate_all()
    figures["seconds"] = round(time.perf_counter() - started, 1)
    return figures


# Measuring and printing


def timed(func, *args, **kwargs):
    """(result, seconds) of ``func(*args, **kwargs)``."""
    started = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - started


def percentile(values, pct):
    """The ``pct`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[rank]


def summary_ms(seconds):
    """'median / p95 ms' of a list of durations in seconds."""
    return (
        f"{statistics.median(seconds) * 1000:.2f} / "
        f"{percentile(seconds, 95) * 1000:.2f} ms"
    )


def print_table(title, rows, headers=("measure", "value")):
    """Print ``rows`` (tuples of strings) as an aligned text table."""
    rows = [tuple(str(c) for c in row) for row in rows]
    widths = [
        max(len(str(h)), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)
    ]
    line = "  ".join("-" * w for w in widths)
    print(f"\n{title}\n{line}")
    print("  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)))
    print(line)
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print(line, flush=True)
