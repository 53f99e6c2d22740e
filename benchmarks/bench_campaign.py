"""Benchmark of campaign preparation and results of loyalty_program
(issue 11).

It reuses the database of ``bench_stats.py`` (``lp_bench_stats``: customers
with e-mail and consent, POS and sales orders over two years, half of them
members), generated up to the largest of ``--sizes``, with the top-up of
``_audience.py`` (phones, time zones, preferred channels, blacklists,
cards). Each phase runs in a transaction of its own, committed (as in real
use: preview, scheduling and results are different requests); the
benchmark's campaigns are deleted at the end. For each size (the audience:
the first N customers), it times:

* ``prepare``: a campaign for tomorrow, channel "each customer's own", 10%
  control, cap 1 per 7 days (a previous campaign messaged one customer in
  four two days ago), a gift: ``lp.message.dispatch._prepare`` (audience,
  channel, consent, blacklists, cap, control split, member snapshot, time
  zone buckets) and the SMS part count (each SMS rendered in Python);
* ``schedule``: send moments fixed, the cap enforced again, one mailing per
  channel and send moment, rows attached, the SMS counted again with their
  mailings' links (``schedule_warning``: the figures differed from the
  preview, nothing queued);
* ``results``: the response of target and control within 14 days (sent 20
  days ago) from the POS and sales orders, and the campaign's figures.

Usage::

    benchmarks/run bench_campaign.py --sizes 20000,200000

Figures go to stdout, progress to stderr. Nothing here is a pass/fail test.
"""

import sys
import time

import _audience as audience
import bench_stats as stats


def log(message):
    print(f"[bench_campaign] {message}", file=sys.stderr, flush=True)


def cleanup(env):
    """Remove the benchmark's campaigns, their rows and mailings."""
    env.cr.execute("SELECT id FROM lp_campaign WHERE name LIKE 'Bench %'")
    ids = [r[0] for r in env.cr.fetchall()]
    if ids:
        env.cr.execute(
            "DELETE FROM mailing_mailing WHERE lp_campaign_id IN %s", [tuple(ids)]
        )
        env.cr.execute(
            "DELETE FROM lp_campaign_recipient WHERE campaign_id IN %s", [tuple(ids)]
        )
        env.cr.execute("DELETE FROM lp_campaign WHERE id IN %s", [tuple(ids)])
    env.cr.commit()
    env.invalidate_all()


def measure(env, info, size):
    """Each phase in a transaction of its own, committed, as in real use
    (preview, scheduling and results happen in different requests); the
    rows are deleted at the end."""
    from datetime import timedelta

    from odoo import fields
    from odoo.tools import SQL

    cleanup(env)
    figures = {"customers": size}
    config = env["lp.campaign.config"]._for_company(env.company)
    config.write(
        {"tz": "Europe/Moscow", "cap_messages": 1, "cap_days": 7, "sms_part_price": 2.5}
    )
    program = env["lp.program"].browse(info["program"])
    env.cr.execute(
        "SELECT max(id) FROM (SELECT id FROM res_partner "
        "WHERE email LIKE '%%@bench.example' ORDER BY id LIMIT %s) x",
        [size],
    )
    last_id = env.cr.fetchone()[0]
    values = {
        "name": "Bench campaign",
        "send_date": fields.Date.today() + timedelta(days=1),
        "domain": repr([("email", "=like", "%@bench.example"), ("id", "<=", last_id)]),
        "program_id": program.id,
        "channel": "auto",
        "control_percent": 10.0,
        "gift_points": 50.0,
        "email_subject": "{first_name}, a gift for you",
        "email_body": "<p>Hello {name}, {gift_points} points. Balance {balance}.</p>",
        "sms_body": "{first_name}, +{gift_points} points until {expiring_date}! "
        "Balance {balance}, card *{card_ending}",
    }
    # a previous campaign messaged one customer in four two days ago
    previous = env["lp.campaign"].create(dict(values, name="Bench previous"))
    env.cr.execute(
        SQL(
            """
            INSERT INTO lp_campaign_recipient (
                campaign_id, partner_id, company_id, state, "group", is_control,
                scheduled_date, gift_points, sms_parts, bought, response_orders,
                response_revenue)
            SELECT %s, id, %s, 'sent', 'target', FALSE, now() - interval '2 days',
                   0, 0, 0, 0, 0
              FROM res_partner WHERE email LIKE '%%@bench.example'
               AND id <= %s AND id %% 4 = 0
            """,
            previous.id,
            env.company.id,
            last_id,
        )
    )
    campaign = env["lp.campaign"].create(values)
    env.cr.commit()
    dispatch = env["lp.message.dispatch"]
    spec = campaign._dispatch_spec()
    started = time.perf_counter()
    dispatch._prepare(spec)
    figures["prepare_rows_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    # the counts, and each SMS rendered and counted as the operator gets it
    values = campaign._preview_values(spec)
    figures["sms_parts_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    campaign.write(values)
    env.flush_all()
    env.cr.commit()
    figures["preview_and_commit_s"] = round(time.perf_counter() - started, 2)
    figures["prepare_total_s"] = round(
        figures["prepare_rows_s"]
        + figures["sms_parts_s"]
        + figures["preview_and_commit_s"],
        2,
    )
    figures["counts"] = {
        "recipients": campaign.audience_count,
        "email": campaign.email_count,
        "sms": campaign.sms_count,
        "control": campaign.control_count,
        "no_consent": campaign.no_consent_count,
        "no_address": campaign.no_address_count,
        "blacklisted": campaign.blacklisted_count,
        "capped": campaign.capped_count,
        "send_moments": campaign.bucket_count,
        "sms_parts": campaign.sms_total_parts,
    }
    started = time.perf_counter()
    # moments fixed, cap enforced again, mailings made, SMS counted again
    figures["schedule_warning"] = bool(campaign._schedule())
    env.flush_all()
    env.cr.commit()
    figures["schedule_s"] = round(time.perf_counter() - started, 2)
    figures["mailings"] = len(campaign.mailing_ids)
    # as if sent 20 days ago
    env.cr.execute(
        SQL(
            """
            UPDATE lp_campaign_recipient
               SET scheduled_date = scheduled_date - interval '20 days',
                   state = CASE WHEN state = 'scheduled' THEN 'sent' ELSE state END
             WHERE campaign_id = %s
            """,
            campaign.id,
        )
    )
    campaign.write({"state": "done", "last_send": fields.Datetime.now()})
    env.cr.commit()
    env.invalidate_all()
    started = time.perf_counter()
    campaign._compute_results()
    env.flush_all()
    env.cr.commit()
    figures["results_s"] = round(time.perf_counter() - started, 2)
    figures["results"] = {
        "target_rate_pct": round(campaign.target_rate, 2),
        "control_rate_pct": round(campaign.control_rate, 2),
        "target_revenue": round(campaign.target_revenue),
        "uplift_pts": round(campaign.uplift, 2),
    }
    cleanup(env)
    return figures


def main():
    args, odoo_args = stats.parse_args(sys.argv[1:])
    import odoo

    registry = audience.open_registry(args, odoo_args, log)
    rows = []
    with registry.cursor() as cr:
        env = stats.env_of(registry, cr)
        info = audience.load_info(env)
        audience.grow(env, info, max(args.sizes), log)
    stats.vacuum_analyze(args.db)
    for size in args.sizes:
        rows.append(audience.measure_size(registry, measure, info, size, log))
    print()
    print("customers | recipients | prepare (rows + SMS parts + preview) | "
          "schedule | results | mailings")  # fmt: skip
    for f in rows:
        print(
            f"{f['customers']:>9} | {f['counts']['recipients']:>10} | "
            f"{f['prepare_total_s']:>6}s ({f['prepare_rows_s']} + {f['sms_parts_s']}"
            f" + {f['preview_and_commit_s']}) | {f['schedule_s']:>6}s | "
            f"{f['results_s']:>6}s | "
            f"{f['mailings']}"
        )
    odoo.sql_db.close_all()


if __name__ == "__main__":
    main()
