"""Benchmark of the SMS gateway addon ``sms_smsc`` (issue 25): SMS handed
to SMSC per second for a campaign, in-process, against the mock of
``sms_smsc/tests/common.py`` (the documented answers of ``send.php``; no
network, so the figure is Odoo's own cost per SMS, not SMSC's).

The database ``lp_bench_sms`` (``mass_mailing_sms`` and ``sms_smsc``, no
demo data) is created on the first run and reused. For each size N it
writes, set-based, what a mass SMS mailing of N customers leaves in the
queue: one SMS mailing, N traces, N queued SMS with personal texts
(Cyrillic, one or two parts) and their N trackers. Then it sends them as
the SMS job does, a batch of ``sms_smsc.batch_size`` (1,000) at a time,
each batch in a transaction of its own, committed, and times it:

* ``send``: ``sms.sms._send`` of each batch (the ``list`` requests of 100
  SMS to the mock, the states, the traces, the trackers' SMSC key and
  price), and the rate, SMS per second;
* ``report``: delivery reports for every SMS, applied as the status
  handler does (``sms.tracker._smsc_update``), per second.

Usage::

    benchmarks/run bench_sms_gateway.py --sizes 2000,10000

Figures go to stdout, progress to stderr. Nothing here is a pass/fail test.
"""

import argparse
import sys
import time
from unittest.mock import patch

from _argv import split_argv

DBNAME = "lp_bench_sms"
MODULES = ("mass_mailing_sms", "sms_smsc")


def log(message):
    print(f"[bench_sms_gateway] {message}", file=sys.stderr, flush=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="2000,10000",
        type=lambda s: [int(x) for x in s.split(",") if x],
        help="comma-separated campaign sizes (default: 2000,10000)",
    )
    own, odoo_args = split_argv(sys.argv[1:])
    args = parser.parse_args(own)
    import _common as common

    common.setup_odoo(odoo_args)
    return args, common


def configure(env):
    company = env.company
    company.write(
        {
            "sms_provider": "smsc",
            "sms_smsc_login": "shop",
            "sms_smsc_password": "secret",
            "sms_smsc_currency_id": company.currency_id.id,
        }
    )
    params = env["ir.config_parameter"].sudo()
    params.set_param("sms_smsc.endpoint", "https://smsc.test")
    params.set_param("sms_smsc.retry_delays", "0")
    env.cr.commit()


def fill_queue(env, size):
    """One SMS mailing, ``size`` traces, queued SMS and trackers, set-based.
    Returns the mailing's id."""
    from odoo.tools import SQL

    cr = env.cr
    env["sms.sms"].search([]).unlink()
    cr.execute("DELETE FROM mailing_mailing WHERE subject LIKE 'Bench SMS%'")
    mailing = env["mailing.mailing"].create(
        {
            "mailing_type": "sms",
            "subject": f"Bench SMS {size}",
            "body_plaintext": "bench",
            "mailing_model_id": env["ir.model"]._get_id("res.partner"),
        }
    )
    env.flush_all()
    cr.execute(
        SQL(
            """
            WITH n AS (SELECT g AS i, md5('bench' || g || clock_timestamp()) AS uuid
                         FROM generate_series(1, %(size)s) g),
            sms AS (
                INSERT INTO sms_sms (uuid, number, body, state, to_delete,
                                     mailing_id, record_company_id,
                                     create_date, write_date)
                SELECT uuid, '+7999' || lpad(i::text, 7, '0'),
                       'Анна ' || i || ', вам +50 баллов до воскресенья! '
                       || CASE WHEN i %% 3 = 0
                               THEN 'Карта *' || i || ', баланс 1 234 балла. '
                                    || 'Ждём вас в магазине на Ленина, 1.'
                               ELSE '' END,
                       'outgoing', FALSE, %(mailing)s, %(company)s, now(), now()
                  FROM n RETURNING id, uuid, number
            ),
            trace AS (
                INSERT INTO mailing_trace (trace_type, model, res_id,
                                           mass_mailing_id, sms_id_int,
                                           sms_number, trace_status,
                                           create_date, write_date)
                SELECT 'sms', 'res.partner', sms.id, %(mailing)s, sms.id,
                       sms.number, 'outgoing', now(), now()
                  FROM sms RETURNING id, sms_id_int
            )
            INSERT INTO sms_tracker (sms_uuid, mailing_trace_id, create_date,
                                     write_date)
            SELECT sms.uuid, trace.id, now(), now()
              FROM sms JOIN trace ON trace.sms_id_int = sms.id
            """,
            size=size,
            mailing=mailing.id,
            company=env.company.id,
        )
    )
    cr.commit()
    env.invalidate_all()
    return mailing.id


def send_all(env):
    """Send the queue a batch at a time, as the SMS job does."""
    Sms = env["sms.sms"]
    batch_size = Sms._get_send_batch_size()
    batches = 0
    while True:
        records = Sms.search([("state", "=", "outgoing")], limit=batch_size, order="id")
        if not records:
            return batches
        records._send(unlink_failed=False, unlink_sent=True, raise_exception=False)
        env.cr.commit()
        env.invalidate_all()
        batches += 1


def report_all(env):
    """Apply a delivery report (delivered) to every SMS sent."""
    trackers = env["sms.tracker"].search([("sms_smsc_key", "!=", False)])
    for tracker in trackers:
        tracker._smsc_update(1)
    env.cr.commit()
    return len(trackers)


def measure(env, mock, size):
    fill_queue(env, size)
    mock._smsc_reset()
    started = time.perf_counter()
    batches = send_all(env)
    send_seconds = time.perf_counter() - started
    sent = len(mock.smsc_sent)
    env.cr.execute(
        "SELECT COUNT(*), COALESCE(SUM(sms_price), 0) FROM sms_tracker "
        "WHERE sms_smsc_key IS NOT NULL"
    )
    priced, price = env.cr.fetchone()
    started = time.perf_counter()
    reported = report_all(env)
    report_seconds = time.perf_counter() - started
    return {
        "size": size,
        "sent": sent,
        "requests": len(mock.smsc_requests),
        "batches": batches,
        "send_s": send_seconds,
        "sms_per_s": sent / send_seconds if send_seconds else 0.0,
        "priced": priced,
        "reported_cost": round(price, 2),
        "mock_cost": round(sum(s["cost"] for s in mock.smsc_sent), 2),
        "report_s": report_seconds,
        "reports_per_s": reported / report_seconds if report_seconds else 0.0,
    }


def main():
    args, common = parse_args()
    install = common.ensure_database(DBNAME, modules=MODULES)
    log(f"database {DBNAME} ready (install {install:.0f}s)")
    from odoo.addons.sms_smsc.tests.common import SmscMock as Mock

    def send(session, request, **kwargs):
        return Mock._request_handler(session, request, **kwargs)

    rows = []
    with common.open_env(DBNAME) as env, patch("requests.Session.send", send):
        configure(env)
        for size in args.sizes:
            log(f"campaign of {size} SMS")
            rows.append(measure(env, Mock, size))
    columns = list(rows[0])
    print("\t".join(columns))
    for row in rows:
        print(
            "\t".join(
                f"{row[c]:.2f}" if isinstance(row[c], float) else str(row[c])
                for c in columns
            )
        )


if __name__ == "__main__":
    main()
