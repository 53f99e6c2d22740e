"""Benchmark of the daily trigger run of loyalty_program (issue 12).

It reuses the database of ``bench_stats.py`` (``lp_bench_stats``: customers
with e-mail, consent and a birthday, POS and sales orders over two years,
half of them members) with the top-up of ``_audience.py`` (phones, time
zones, preferred channels, blacklists, cards), and for each size in
``--sizes`` (customers, ascending) adds what the triggers read, set-based:

* an earned credit per member, bought over the last year, expiring a year
  after (so some expire every day), with its points in the balance;
* for one member in 200, an earned credit in the last day (post-purchase)
  and an upgrade to the middle tier today (tier upgrade);
* the customer statistics and RFM groups (the nightly job), when missing.

Then, in a transaction rolled back at the end, all seven shipped triggers
switched on (10% control, cap 3 per 7 days, a gift on the win-back), it
times the daily job trigger by trigger (who is due, claim, recipients
through the campaign machinery, SMS parts, mailings):

* ``day 1``: the first run, with the backlog of customers already asleep;
* ``rerun``: the same day again (nothing is claimed twice);
* ``day 2``: the next day, a steady day;
* ``results``: the results of every trigger.

Usage::

    benchmarks/run bench_trigger.py --sizes 20000,200000

Figures go to stdout, progress to stderr. Nothing here is a pass/fail test.
"""

import json
import sys
import time
from datetime import timedelta

import _audience as audience
import bench_stats as stats

MARKER = "loyalty_program.bench_trigger"


def log(message):
    print(f"[bench_trigger] {message}", file=sys.stderr, flush=True)


def top_up(env, info):
    """Credits with expiry dates, recent purchases and upgrades for the
    members that have none yet; statistics when missing."""
    cr = env.cr
    started = time.perf_counter()
    cr.execute(
        """
        WITH m AS (
            SELECT m.id, m.program_id, m.partner_id, m.company_id,
                   now() at time zone 'UTC'
                       - make_interval(secs => 86400 * 365 * random()) AS bought
              FROM lp_member m
             WHERE NOT EXISTS (SELECT 1 FROM lp_ledger l
                                WHERE l.member_id = m.id AND l.kind = 'earn')
        ), earned AS (
            INSERT INTO lp_ledger (
                member_id, program_id, partner_id, company_id, kind, amount,
                shortfall, base_amount, date, available_from, expiry_date, held,
                remaining, user_id, create_uid, create_date, write_uid, write_date)
            SELECT id, program_id, partner_id, company_id, 'earn', 100, 0, 2000,
                   bought, bought, (bought + interval '365 days')::date, FALSE, 100,
                   1, 1, now(), 1, now()
              FROM m
            RETURNING member_id
        )
        UPDATE lp_member x SET balance = x.balance + 100
          FROM earned e WHERE x.id = e.member_id
        """
    )
    credits = cr.rowcount
    cr.execute(
        """
        WITH m AS (
            SELECT m.id, m.program_id, m.partner_id, m.company_id, m.tier_id
              FROM lp_member m WHERE m.id %% 200 = 0
               AND NOT EXISTS (SELECT 1 FROM lp_ledger l WHERE l.member_id = m.id
                                  AND l.kind = 'earn' AND l.source_key = 'bench')
        ), recent AS (
            INSERT INTO lp_ledger (
                member_id, program_id, partner_id, company_id, kind, amount,
                shortfall, base_amount, date, available_from, held, remaining,
                source_key, user_id, create_uid, create_date, write_uid, write_date)
            SELECT id, program_id, partner_id, company_id, 'earn', 25, 0, 500,
                   now() at time zone 'UTC' - interval '5 hours',
                   now() at time zone 'UTC' + interval '14 days', TRUE, 25,
                   'bench', 1, 1, now(), 1, now()
              FROM m
            RETURNING member_id
        ), pending AS (
            UPDATE lp_member x SET pending = x.pending + 25
              FROM recent r WHERE x.id = r.member_id
        )
        INSERT INTO lp_tier_history (
            member_id, old_tier_id, new_tier_id, reason, window_spend, date,
            create_uid, create_date, write_uid, write_date)
        SELECT m.id, (%(tiers)s)[1], (%(tiers)s)[2], 'upgrade', 6000,
               now() at time zone 'UTC', 1, now(), 1, now()
          FROM m
        """,
        {"tiers": info["tiers"]},
    )
    cr.execute(
        "UPDATE lp_member SET tier_id = %s, window_spend = 6000 WHERE id %% 200 = 0",
        [info["tiers"][1]],
    )
    Param = env["ir.config_parameter"].sudo()
    computed = json.loads(Param.get_param(MARKER) or "0")
    if computed != info["customers"]:
        log("computing the customer statistics (nightly job)")
        env["lp.customer.stats"]._run_all()
        Param.set_param(MARKER, json.dumps(info["customers"]))
    env.invalidate_all()
    return {
        "credits": credits,
        "statistics_computed": computed != info["customers"],
        "seconds": round(time.perf_counter() - started, 1),
    }


def run_day(env, triggers, day, now):
    """Each trigger's run on ``day``; {kind: (seconds, due, target, control,
    skipped, mailings)} and the total seconds."""
    out = {}
    total = time.perf_counter()
    for trigger in triggers:
        started = time.perf_counter()
        run = trigger._run(day=day, now=now)
        env.flush_all()
        out[trigger.kind] = (
            round(time.perf_counter() - started, 2),
            run.due_count,
            run.target_count,
            run.control_count,
            run.skipped_count,
            len(run.mailing_ids),
        )
    return out, round(time.perf_counter() - total, 2)


def measure(env, info, size):
    from odoo import fields

    figures = {"customers": size}
    config = env["lp.campaign.config"]._for_company(env.company)
    config.write(
        {"tz": "Europe/Moscow", "cap_messages": 3, "cap_days": 7, "sms_part_price": 2.5}
    )
    triggers = env["lp.trigger"].search([("company_id", "=", env.company.id)])
    triggers.write(
        {"program_id": info["program"], "enabled": True, "control_percent": 10.0}
    )
    triggers.filtered(lambda t: t.kind == "winback").gift_points = 100.0
    env.flush_all()
    now = fields.Datetime.now()
    today = triggers[:1]._local_day(now)
    figures["day1"], figures["day1_s"] = run_day(env, triggers, today, now)
    figures["rerun"], figures["rerun_s"] = run_day(env, triggers, today, now)
    figures["day2"], figures["day2_s"] = run_day(
        env, triggers, today + timedelta(days=1), now + timedelta(days=1)
    )
    started = time.perf_counter()
    triggers._compute_results()
    env.flush_all()
    figures["results_s"] = round(time.perf_counter() - started, 2)
    env.cr.rollback()
    return figures


def main():
    args, odoo_args = stats.parse_args(sys.argv[1:])
    import odoo

    registry = audience.open_registry(args, odoo_args, log)
    rows = []
    for size in args.sizes:
        with registry.cursor() as cr:
            env = stats.env_of(registry, cr)
            info = audience.load_info(env)
            if size < info["customers"]:
                log(f"{size}: the database holds {info['customers']} customers; "
                    "use --recreate to measure a smaller size")  # fmt: skip
                continue
            audience.grow(env, info, size, log)
            log(f"trigger top-up: {top_up(env, info)}")
            cr.commit()
        stats.vacuum_analyze(args.db)
        rows.append(audience.measure_size(registry, measure, info, size, log))
    print()
    print("customers | day 1 (first switch-on) | rerun | day 2 | results | "
          "day 1 due per trigger")  # fmt: skip
    for f in rows:
        due = ", ".join(f"{k} {v[1]}" for k, v in f["day1"].items())
        print(
            f"{f['customers']:>9} | {f['day1_s']:>8}s | {f['rerun_s']:>5}s | "
            f"{f['day2_s']:>5}s | {f['results_s']:>5}s | {due}"
        )
    odoo.sql_db.close_all()


if __name__ == "__main__":
    main()
