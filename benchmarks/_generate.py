"""The set-based generator of the benchmark data: partners, members, cards
and ledger entries consistent with the stored balances (see
:func:`generate_core`). Its SQL is in ``_generate_sql.py``."""

import time

import _generate_sql as sql

import odoo
from odoo import fields
from odoo.tools import SQL

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
            sql.MEMBERS_PLAN,
            **params,
        ),
    )
    figures["partners"] = run(
        "partners",
        SQL(
            sql.PARTNERS,
            **params,
        ),
    )
    # One row per credit, with what happened to it: spent (part), expired.
    run(
        "credits_plan",
        SQL(
            sql.CREDITS_PLAN,
            **params,
        ),
    )
    # Every entry (credits, spends, expiries), numbered in date order.
    run(
        "entries_plan",
        SQL(sql.ENTRIES_PLAN),
    )
    cr.execute("SELECT count(*) FROM lpb_e")
    params["l0"] = reserve_ids(cr, "lp_ledger", cr.fetchone()[0])
    figures["members"] = run(
        "members",
        SQL(
            sql.MEMBERS,
            **params,
        ),
    )
    figures["tier_history"] = run(
        "tier_history",
        SQL(
            sql.TIER_HISTORY,
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
            sql.CARDS,
            numbers=numbers,
            **params,
        ),
    )
    figures["entries"] = run(
        "entries",
        SQL(
            sql.ENTRIES,
            **params,
        ),
    )
    figures["allocations"] = run(
        "allocations",
        SQL(
            sql.ALLOCATIONS,
            **params,
        ),
    )
    cr.execute(
        SQL(
            sql.COUNTS,
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
