"""Benchmark of the messenger bot of loyalty_program (issue 24).

It reuses the database of ``bench_stats.py`` (``lp_bench_stats``) with the
top-up of ``_audience.py`` (phones, time zones, cards), generated up to the
largest of ``--sizes``, and a bot on its program (Telegram mocked at the
HTTP level: nothing leaves the machine). It measures, in-process:

* ``updates``: updates handled per second by ``lp.bot._lp_receive`` (what
  the webhook route and the polling job call), one transaction each,
  committed, as one webhook request each (and the commands once more in
  one transaction rolled back: the handling without the commit): ``--joins`` joining
  conversations of six updates (start with a till's deep link, the shared
  contact, name, birthday, two consents: the last one enrols a member with
  a virtual card and the welcome bonus), then a ``/balance`` of each new
  member, then every update of the conversations again (Telegram's
  retries: claimed already, nothing done). The new members are deleted at
  the end.
* ``campaign``, for each size (the audience: the first N customers): a
  finished chat and the bot consent for every member among them, and a
  campaign on the bot channel (10% control, cap 1 per 7 days with a
  previous campaign that messaged one customer in four, a gift):
  ``prepare`` (the recipient rows), ``schedule`` (the rows queued as bot
  messages at their send moment, set-based): messages queued per second.
* ``send``: the sender on ``--send`` of those messages with Telegram
  answering at once and a clock that never waits (Telegram's own 30 a
  second left out): what one cron thread spends per message (rendering,
  the calls side by side, the rows and gifts written). Rolled back.

Usage::

    benchmarks/run bench_bot.py --sizes 20000 --joins 100 --send 3000

Figures go to stdout, progress to stderr. Nothing here is a pass/fail test.
"""

import argparse
import json
import sys
import time
from unittest.mock import patch

import _audience as audience
import bench_stats as stats
from _argv import split_argv

TOKEN = "100000:bench-token"
CHAT_BASE = 9_000_000_000  # Telegram ids of the benchmark's customers


def log(message):
    print(f"[bench_bot] {message}", file=sys.stderr, flush=True)


def parse_args(argv):
    own, odoo_args = split_argv(argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="20000",
        type=lambda s: sorted(int(x) for x in s.split(",") if x),
        help="customers of the campaign, comma-separated (default 20000)",
    )
    parser.add_argument("--joins", type=int, default=100)
    parser.add_argument("--send", type=int, default=3000)
    parser.add_argument("--db", default=stats.DBNAME)
    parser.add_argument("--recreate", action="store_true")
    return parser.parse_args(own), odoo_args


def telegram_ok():
    """``requests.Session.send`` answering every Bot API call at once."""
    import requests

    def send(session, request, **kwargs):
        response = requests.Response()
        response.status_code = 200
        response._content = b'{"ok": true, "result": {"message_id": 1}}'
        return response

    return patch.object(requests.Session, "send", send)


def setup_bot(env, info):
    program = env["lp.program"].browse(info["program"])
    program.welcome_points = 100.0
    bot = env["lp.bot"].search([("program_id", "=", program.id)], limit=1)
    if not bot:
        bot = env["lp.bot"].create({"name": "Bench bot", "program_id": program.id})
    bot.write(
        {
            "token": TOKEN,
            "username": "BenchBot",
            "state": "connected",
            "paused_until": False,
        }
    )
    env.cr.commit()
    return bot


def cleanup(env, bot):
    """The benchmark's campaigns, bot messages and updates, and the members
    the joins created (with their ledger, cards and customers)."""
    cr = env.cr
    cr.execute("DELETE FROM lp_bot_message WHERE bot_id = %s", [bot.id])
    cr.execute("DELETE FROM lp_bot_update WHERE bot_id = %s", [bot.id])
    cr.execute("SELECT id FROM lp_campaign WHERE name LIKE 'Bench bot %'")
    ids = tuple(r[0] for r in cr.fetchall()) or (0,)
    cr.execute("DELETE FROM lp_campaign_recipient WHERE campaign_id IN %s", [ids])
    cr.execute("DELETE FROM lp_campaign WHERE id IN %s", [ids])
    cr.execute(
        "SELECT m.id, m.partner_id FROM lp_bot_chat c "
        "JOIN lp_member m ON m.id = c.member_id WHERE c.bot_id = %s AND c.joined",
        [bot.id],
    )
    rows = cr.fetchall()
    members = tuple(r[0] for r in rows) or (0,)
    partners = tuple(r[1] for r in rows) or (0,)
    cr.execute("DELETE FROM lp_bot_chat WHERE bot_id = %s", [bot.id])
    cr.execute(
        "DELETE FROM lp_ledger_allocation WHERE credit_id IN "
        "(SELECT id FROM lp_ledger WHERE member_id IN %s) OR debit_id IN "
        "(SELECT id FROM lp_ledger WHERE member_id IN %s)",
        [members, members],
    )
    for table in ("lp_ledger", "lp_tier_history", "lp_reservation"):
        cr.execute(f"DELETE FROM {table} WHERE member_id IN %s", [members])
    cr.execute("DELETE FROM lp_card WHERE member_id IN %s", [members])
    cr.execute("DELETE FROM lp_member WHERE id IN %s", [members])
    cr.execute("DELETE FROM lp_consent_event WHERE partner_id IN %s", [partners])
    cr.execute("DELETE FROM lp_join_request WHERE member_id IN %s", [members])
    cr.execute("DELETE FROM res_partner WHERE id IN %s", [partners])
    cr.execute("UPDATE res_partner SET lp_consent_bot = FALSE WHERE lp_consent_bot")
    cr.commit()
    env.invalidate_all()


def conversation(index, update_id):
    chat = CHAT_BASE + index
    sender = {"id": chat, "is_bot": False, "first_name": "Bench", "language_code": "ru"}

    def message(**body):
        nonlocal update_id
        update_id += 1
        return {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": chat, "type": "private"},
                "from": sender,
                **body,
            },
        }

    phone = f"7955{index:07d}"
    return [
        message(text="/start pos-1"),
        message(contact={"phone_number": phone, "user_id": chat}),
        message(text=f"Bench Bot {index}"),
        message(text="08.03.1990"),
        message(text="Yes"),
        message(text="No"),
    ], update_id


def measure_updates(registry, bot_id, joins):
    figures = {}
    conversations, update_id = [], 800_000_000
    for index in range(joins):
        updates, update_id = conversation(index, update_id)
        conversations.append(updates)

    def run(updates):
        started = time.perf_counter()
        states = {}
        for update in updates:
            with registry.cursor() as cr:
                env = stats.env_of(registry, cr)
                state = env["lp.bot"].browse(bot_id)._lp_receive(update)
                states[state] = states.get(state, 0) + 1
            # leaving the block commits, as a webhook request does
        seconds = time.perf_counter() - started
        return (
            round(len(updates) / seconds, 1),
            round(seconds * 1000 / len(updates), 2),
            states,
        )

    flat = [u for updates in conversations for u in updates]
    rate, ms, states = run(flat)
    figures["join_updates"] = {
        "updates": len(flat),
        "per_s": rate,
        "ms": ms,
        "states": states,
    }
    balance = []
    for index in range(joins):
        update_id += 1
        chat = CHAT_BASE + index
        balance.append(
            {
                "update_id": update_id,
                "message": {
                    "chat": {"id": chat, "type": "private"},
                    "from": {"id": chat, "language_code": "ru"},
                    "text": "/balance",
                },
            }
        )
    rate, ms, states = run(balance)
    figures["balance_updates"] = {"updates": len(balance), "per_s": rate, "ms": ms}
    # The same commands again in one transaction, rolled back: the handling
    # alone, without a commit (WAL flush) per update.
    for update in balance:
        update["update_id"] += 10_000_000
    with registry.cursor() as cr:
        env = stats.env_of(registry, cr)
        bot = env["lp.bot"].browse(bot_id)
        started = time.perf_counter()
        queries = cr.sql_log_count
        for update in balance:
            bot._lp_receive(update)
        env.flush_all()
        seconds = time.perf_counter() - started
        figures["balance_no_commit"] = {
            "updates": len(balance),
            "per_s": round(len(balance) / seconds, 1),
            "ms": round(seconds * 1000 / len(balance), 2),
            "queries": round((cr.sql_log_count - queries) / len(balance), 1),
        }
        cr.rollback()
    rate, ms, states = run(flat)
    figures["replayed_updates"] = {
        "updates": len(flat),
        "per_s": rate,
        "ms": ms,
        "states": states,
    }
    return figures


def top_up_chats(env, bot, last_id):
    """A finished chat and the bot consent for each member among the first
    customers (set-based)."""
    cr = env.cr
    cr.execute(
        """
        INSERT INTO lp_bot_chat (bot_id, company_id, chat_ref, step, partner_id,
                                 member_id, blocked, joined, consent_bot,
                                 consent_sms, lang, create_date, write_date)
        SELECT %(bot)s, m.company_id, %(base)s + m.partner_id, 'done', m.partner_id,
               m.id, FALSE, FALSE, TRUE, FALSE, 'en_US', now(), now()
          FROM lp_member m JOIN res_partner p ON p.id = m.partner_id
         WHERE m.program_id = %(program)s AND p.email LIKE '%%@bench.example'
           AND p.id <= %(last)s
        ON CONFLICT DO NOTHING
        """,
        {
            "bot": bot.id,
            "base": CHAT_BASE,
            "program": bot.program_id.id,
            "last": last_id,
        },
    )
    cr.execute(
        """
        UPDATE res_partner p SET lp_consent_bot = TRUE
          FROM lp_bot_chat c WHERE c.bot_id = %s AND c.partner_id = p.id
        """,
        [bot.id],
    )
    cr.execute("ANALYZE lp_bot_chat")
    cr.commit()


def measure_campaign(env, bot, size, send):
    from datetime import timedelta

    from odoo import fields
    from odoo.tools import SQL

    figures = {"customers": size}
    env["lp.campaign.config"]._for_company(env.company).write(
        {"tz": "Europe/Moscow", "cap_messages": 1, "cap_days": 7}
    )
    env.cr.execute(
        "SELECT max(id) FROM (SELECT id FROM res_partner "
        "WHERE email LIKE '%%@bench.example' ORDER BY id LIMIT %s) x",
        [size],
    )
    last_id = env.cr.fetchone()[0]
    top_up_chats(env, bot, last_id)
    values = {
        "name": "Bench bot campaign",
        "send_date": fields.Date.today() + timedelta(days=1),
        "domain": repr([("email", "=like", "%@bench.example"), ("id", "<=", last_id)]),
        "program_id": bot.program_id.id,
        "channel": "bot",
        "control_percent": 10.0,
        "gift_points": 50.0,
        "sms_body": "{first_name}, +{gift_points} points until {expiring_date}!",
        "bot_body": "{first_name}, +{gift_points} points are yours until "
        "{expiring_date}. Balance {balance}, card *{card_ending}.",
    }
    previous = env["lp.campaign"].create(dict(values, name="Bench bot previous"))
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
    started = time.perf_counter()
    campaign._prepare()
    env.flush_all()
    env.cr.commit()
    figures["prepare_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    campaign._schedule()
    env.flush_all()
    env.cr.commit()
    figures["schedule_s"] = round(time.perf_counter() - started, 2)
    env.cr.execute(
        "SELECT COUNT(*) FROM lp_bot_message m JOIN lp_campaign_recipient r "
        "ON r.id = m.recipient_id WHERE r.campaign_id = %s",
        [campaign.id],
    )
    queued = env.cr.fetchone()[0]
    figures["counts"] = {
        "recipients": campaign.audience_count,
        "bot": campaign.bot_count,
        "control": campaign.control_count,
        "capped": campaign.capped_count,
        "no_consent": campaign.no_consent_count,
        "queued": queued,
    }
    figures["queued_per_s"] = round(queued / figures["schedule_s"]) if queued else 0
    figures["prepared_and_queued_per_s"] = (
        round(queued / (figures["schedule_s"] + figures["prepare_s"])) if queued else 0
    )
    if send and queued:
        figures["send"] = measure_send(env, bot, campaign, send)
    return figures


def measure_send(env, bot, campaign, count):
    """The sender on ``count`` of the campaign's messages, due now, with
    Telegram answering at once; rolled back."""
    env.cr.execute(
        """
        UPDATE lp_bot_message
           SET not_before = now() at time zone 'UTC' - interval '1 day'
         WHERE id IN (SELECT m.id FROM lp_bot_message m
                        JOIN lp_campaign_recipient r ON r.id = m.recipient_id
                       WHERE r.campaign_id = %s ORDER BY m.id LIMIT %s)
        """,
        [campaign.id, count],
    )
    env.invalidate_all()
    fake = {"now": 0.0}

    def sleep(seconds):
        fake["now"] += seconds

    with telegram_ok():
        started = time.perf_counter()
        sent = bot._lp_send_queue(clock=lambda: fake["now"], sleep=sleep)
        env.flush_all()
        seconds = time.perf_counter() - started
    env.cr.rollback()
    env.invalidate_all()
    return {
        "sent": sent,
        "seconds": round(seconds, 2),
        "per_s_cpu": round(sent / seconds, 1) if seconds else 0,
        "telegram_paced_s": round(fake["now"], 1),
    }


def main():
    args, odoo_args = parse_args(sys.argv[1:])
    import odoo

    registry = audience.open_registry(args, odoo_args, log)
    with registry.cursor() as cr:
        env = stats.env_of(registry, cr)
        info = audience.load_info(env)
        audience.grow(env, info, max(args.sizes), log)
        bot = setup_bot(env, info)
        cleanup(env, bot)
        bot_id = bot.id
    stats.vacuum_analyze(args.db)
    results = {}
    log(f"updates: {args.joins} joining conversations")
    with telegram_ok():
        results["updates"] = measure_updates(registry, bot_id, args.joins)
    print(json.dumps(results["updates"], indent=1), flush=True)
    with registry.cursor() as cr:
        # what the conversations queued is not the campaign's to send
        cr.execute("DELETE FROM lp_bot_message WHERE bot_id = %s", [bot_id])
    rows = []
    for size in args.sizes:
        with registry.cursor() as cr:
            env = stats.env_of(registry, cr)
            bot = env["lp.bot"].browse(bot_id)
            log(f"{size}: campaign")
            figures = measure_campaign(env, bot, size, args.send)
            print(json.dumps(figures, indent=1), flush=True)
            rows.append(figures)
            cleanup(env, bot)
    print()
    updates = results["updates"]
    print(
        "updates/s in-process (one commit each): joining "
        f"{updates['join_updates']['per_s']}, /balance "
        f"{updates['balance_updates']['per_s']} (without the commits "
        f"{updates['balance_no_commit']['per_s']}), replayed "
        f"{updates['replayed_updates']['per_s']}"
    )
    print("customers | bot rows queued | prepare | schedule (queue) | queued/s | "
          "send CPU/s")  # fmt: skip
    for f in rows:
        send = f.get("send", {}).get("per_s_cpu", "-")
        print(
            f"{f['customers']:>9} | {f['counts']['queued']:>15} | "
            f"{f['prepare_s']:>6}s | {f['schedule_s']:>15}s | "
            f"{f['queued_per_s']:>8} | {send}"
        )
    odoo.sql_db.close_all()


if __name__ == "__main__":
    main()
