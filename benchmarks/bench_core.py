"""Benchmark of the loyalty core at two sizes: posting throughput, balance
read, the nightly expiry/release jobs and the tier re-evaluation.

Run it with ``benchmarks/run [--sizes small,large] [--regenerate]``. Each
size has its database ``lp_bench_<size>``, built and filled once by
``_common.prepare_core_database`` and reused; every measurement that changes
data is rolled back, so runs can be repeated on the same data.
"""

import contextlib
import os
import platform
import random
import statistics
import time
from datetime import datetime

from _common import (
    SIZES,
    bench_args,
    log,
    open_env,
    prepare_core_database,
    print_table,
    summary_ms,
    timed,
)

from odoo.tools import SQL

BATCH = 50_000  # the nightly job's default batch size


def measure_posting(env, earns, spends, rng):
    """Post ``earns`` earns and ``spends`` spends through the ORM path
    (``_earn``/``_spend``, as the POS does, with an idempotency key) on
    random members, in one transaction, rolled back after. The timing
    includes the flush and the precommit hooks (mail tracking) a commit
    runs, not the commit itself."""
    cr = env.cr
    cr.execute(
        "SELECT id FROM lp_member WHERE state = 'active' ORDER BY random() LIMIT %s",
        [earns],
    )
    earn_ids = [r[0] for r in cr.fetchall()]
    cr.execute(
        "SELECT id FROM lp_member WHERE state = 'active' AND balance >= 20 "
        "ORDER BY random() LIMIT %s",
        [spends],
    )
    spend_ids = [r[0] for r in cr.fetchall()]
    members = env["lp.member"]

    def post_earns():
        for index, member_id in enumerate(earn_ids):
            members.browse(member_id)._earn(
                round(rng.uniform(200, 5000), 2), source_key=f"bench-earn:{index}"
            )
        env.cr.flush()  # what a commit runs first: flush and precommit hooks

    def post_spends():
        for index, member_id in enumerate(spend_ids):
            member = members.browse(member_id)
            points = min(member.balance, rng.randint(10, 200))
            member._spend(points, source_key=f"bench-spend:{index}")
        env.cr.flush()

    _result, earn_seconds = timed(post_earns)
    _result, spend_seconds = timed(post_spends)
    bad = env["lp.ledger"]._check_consistency(earn_ids + spend_ids)
    cr.rollback()
    env.invalidate_all()
    return {
        "earns": len(earn_ids),
        "earn_seconds": earn_seconds,
        "spends": len(spend_ids),
        "spend_seconds": spend_seconds,
        "entries_per_second": (len(earn_ids) + len(spend_ids))
        / (earn_seconds + spend_seconds),
        "consistent": not bad,
    }


def measure_reads(env, reads):
    """Read ``balance`` of random members through the ORM with an empty
    cache, then the same number from the ledger by SQL aggregation, then the
    'expiring soon' figure the cashier sees."""
    cr = env.cr
    cr.execute("SELECT id FROM lp_member ORDER BY random() LIMIT %s", [reads])
    ids = [r[0] for r in cr.fetchall()]
    members = env["lp.member"]
    orm, aggregate, expiring = [], [], []
    for member_id in ids:
        env.invalidate_all()
        _value, seconds = timed(lambda m=member_id: members.browse(m).balance)
        orm.append(seconds)
    cr.execute("SELECT id FROM lp_member ORDER BY random() LIMIT %s", [reads])
    for (member_id,) in cr.fetchall():
        query = SQL(
            "SELECT COALESCE(SUM(remaining) FILTER (WHERE NOT held), 0) "
            "FROM lp_ledger WHERE member_id = %s",
            member_id,
        )
        _value, seconds = timed(lambda q=query: (cr.execute(q), cr.fetchone()))
        aggregate.append(seconds)
    cr.execute("SELECT id FROM lp_member ORDER BY random() LIMIT %s", [reads])
    for (member_id,) in cr.fetchall():
        env.invalidate_all()
        _value, seconds = timed(lambda m=member_id: members.browse(m).expiring_points)
        expiring.append(seconds)
    cr.rollback()
    return {"orm": orm, "aggregate": aggregate, "expiring": expiring}


def run_batches(step, **kwargs):
    """Call a batched job until a batch comes back short, as the cron does.
    Returns (rows, batches)."""
    total = batches = 0
    while True:
        done = step(limit=BATCH, **kwargs)
        total += done
        batches += 1
        if done < BATCH:
            return total, batches


def measure_jobs(env):
    """The nightly jobs over everything due, each rolled back after."""
    cr = env.cr
    ledger = env["lp.ledger"]
    members = env["lp.member"]
    figures = {}
    (expired, batches), figures["expire_seconds"] = timed(
        run_batches, ledger._expire_due
    )
    figures["expired"], figures["expire_batches"] = expired, batches
    bad, figures["check_after_expire_seconds"] = timed(ledger._check_consistency)
    figures["consistent_after_expire"] = not bad
    cr.rollback()
    env.invalidate_all()
    far = datetime(2999, 1, 1)
    (released, batches), figures["release_seconds"] = timed(
        run_batches, ledger._release_held, now=far
    )
    figures["released"], figures["release_batches"] = released, batches
    bad, _seconds = timed(ledger._check_consistency)
    figures["consistent_after_release"] = not bad
    cr.rollback()
    env.invalidate_all()
    figures["window_changed"], figures["window_seconds"] = timed(
        members._recompute_window_spend
    )
    figures["tier_changed"], figures["tier_seconds"] = timed(members._reevaluate_tiers)
    cr.rollback()
    env.invalidate_all()
    cr.execute("SELECT count(*) FROM lp_tier_history")
    history_before = cr.fetchone()[0]
    _result, figures["cron_tier_seconds"] = timed(members._cron_reevaluate_tiers)
    cr.execute("SELECT count(*) FROM lp_tier_history")
    figures["cron_tier_changed"] = cr.fetchone()[0] - history_before
    cr.rollback()
    env.invalidate_all()
    return figures


def counts(env):
    cr = env.cr
    result = {}
    for table in ("lp_member", "lp_card", "lp_ledger", "lp_ledger_allocation"):
        cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))
        result[table] = cr.fetchone()[0]
    cr.execute(
        "SELECT pg_size_pretty(pg_total_relation_size('lp_ledger')), "
        "pg_size_pretty(pg_database_size(current_database()))"
    )
    result["ledger_size"], result["db_size"] = cr.fetchone()
    return result


def report_rows(info, sizes, check, posting, reads, jobs):
    """The rows of one size's table."""
    bad, check_seconds = check
    generated = f"{info['seconds']} s" + (" (earlier run)" if info["reused"] else "")
    generated += f", then VACUUM ANALYZE {info.get('vacuum_analyze_seconds', '?')} s"
    checked = "[] ok" if not bad else f"{len(bad)} members differ"
    earn_rate = posting["earns"] / posting["earn_seconds"]
    spend_rate = posting["spends"] / posting["spend_seconds"]
    expired = (
        f"{jobs['expired']:,} credits in {jobs['expire_seconds']:.2f} s "
        f"({jobs['expire_batches']} batches; "
        f"consistent: {jobs['consistent_after_expire']})"
    )
    released = (
        f"{jobs['released']:,} credits in {jobs['release_seconds']:.2f} s "
        f"(consistent: {jobs['consistent_after_release']})"
    )
    return [
        ("members / cards", f"{sizes['lp_member']:,} / {sizes['lp_card']:,}"),
        (
            "ledger entries / allocations",
            f"{sizes['lp_ledger']:,} / {sizes['lp_ledger_allocation']:,}",
        ),
        (
            "ledger table+indexes / database",
            f"{sizes['ledger_size']} / {sizes['db_size']}",
        ),
        ("install (this run)", f"{info['install_seconds']:.0f} s"),
        ("generation", generated),
        (
            "consistency check (full ledger aggregate)",
            f"{checked} in {check_seconds:.2f} s",
        ),
        (
            f"posting: {posting['earns']} _earn",
            f"{posting['earn_seconds']:.2f} s = {earn_rate:.0f} /s",
        ),
        (
            f"posting: {posting['spends']} _spend (FIFO + allocations)",
            f"{posting['spend_seconds']:.2f} s = {spend_rate:.0f} /s",
        ),
        (
            "posting throughput (earn+spend)",
            (
                f"{posting['entries_per_second']:.0f} entries/s "
                f"(consistent: {posting['consistent']})"
            ),
        ),
        (
            f"balance read, ORM cold cache (median / p95, n={len(reads['orm'])})",
            summary_ms(reads["orm"]),
        ),
        ("balance by SQL aggregation of the ledger", summary_ms(reads["aggregate"])),
        ("expiring-soon read, ORM cold cache", summary_ms(reads["expiring"])),
        ("expiry job _expire_due (all due)", expired),
        ("release job _release_held(now=2999)", released),
        (
            "tier: _recompute_window_spend (all)",
            f"{jobs['window_changed']:,} changed in {jobs['window_seconds']:.2f} s",
        ),
        (
            "tier: _reevaluate_tiers (all)",
            f"{jobs['tier_changed']:,} changes in {jobs['tier_seconds']:.2f} s",
        ),
        (
            "tier: _cron_reevaluate_tiers (batches of 100k)",
            (
                f"{jobs['cron_tier_changed']:,} changes in "
                f"{jobs['cron_tier_seconds']:.2f} s"
            ),
        ),
    ]


def bench_size(size, args):
    dbname, info = prepare_core_database(size, args.regenerate, args.seed)
    rng = random.Random(args.seed)
    load_before = os.getloadavg()[0]
    with open_env(dbname) as env:
        log(f"{dbname}: checking consistency")
        bad, check_seconds = timed(env["lp.ledger"]._check_consistency)
        sizes = counts(env)
        log(f"{dbname}: posting {args.posts} earns and {args.posts} spends")
        posting = measure_posting(env, args.posts, args.posts, rng)
        log(f"{dbname}: {args.reads} balance reads")
        reads = measure_reads(env, args.reads)
        log(f"{dbname}: nightly jobs")
        jobs = measure_jobs(env)
    rows = report_rows(info, sizes, (bad, check_seconds), posting, reads, jobs)
    rows.append(
        (
            "machine load average (1 min)",
            (
                f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after "
                f"({os.cpu_count()} CPUs)"
            ),
        )
    )
    print_table(f"loyalty core, size {size} ({dbname})", rows)
    return {
        "entries": sizes["lp_ledger"],
        "generation s": info["seconds"],
        "posting entries/s": posting["entries_per_second"],
        "balance read ORM median ms": statistics.median(reads["orm"]) * 1000,
        "balance by aggregation median ms": statistics.median(reads["aggregate"])
        * 1000,
        "expiry job s": jobs["expire_seconds"],
        "release job s": jobs["release_seconds"],
        "tier re-evaluation s": jobs["window_seconds"] + jobs["tier_seconds"],
        "consistent": not bad,
    }


def measure_interleaved(sizes, rounds=10, posts=200, reads=50, expire=9000):
    """The sizes side by side in one process, in alternating rounds, so that
    the load of a shared machine weighs on each alike: per round and size,
    ``posts`` postings (half earns, half spends) and ``reads`` cold balance
    reads; then the expiry of ``expire`` credits, three times. Rolled back."""
    figures = {size: {"post": 0.0, "reads": [], "expire": []} for size in sizes}
    with contextlib.ExitStack() as stack:
        envs = {
            size: stack.enter_context(open_env(f"lp_bench_{size}")) for size in sizes
        }
        ids = {}
        for size, env in envs.items():
            env.cr.execute(
                "SELECT id FROM lp_member WHERE state = 'active' AND balance >= 20 "
                "ORDER BY random() LIMIT %s",
                [rounds * (posts + reads)],
            )
            ids[size] = [r[0] for r in env.cr.fetchall()]
        half = posts // 2
        for rnd in range(rounds):
            for size, env in envs.items():
                members = env["lp.member"]
                chunk = ids[size][rnd * (posts + reads) : (rnd + 1) * (posts + reads)]
                started = time.perf_counter()
                for index, member_id in enumerate(chunk[:half]):
                    members.browse(member_id)._earn(
                        1000, source_key=f"i-e-{rnd}-{index}"
                    )
                for index, member_id in enumerate(chunk[half:posts]):
                    members.browse(member_id)._spend(
                        10, source_key=f"i-s-{rnd}-{index}"
                    )
                env.cr.flush()
                figures[size]["post"] += time.perf_counter() - started
                for member_id in chunk[posts:]:
                    env.invalidate_all()
                    figures[size]["reads"].append(
                        timed(
                            lambda m=member_id, e=env: e["lp.member"].browse(m).balance
                        )[1]
                    )
        for env in envs.values():
            env.cr.rollback()
            env.invalidate_all()
        for _rnd in range(3):
            for size, env in envs.items():
                done, seconds = timed(env["lp.ledger"]._expire_due, limit=expire)
                figures[size]["expire"].append(seconds / max(done, 1) * 1000)
                env.cr.rollback()
                env.invalidate_all()
    rows = []
    for size in sizes:
        fig = figures[size]
        rows.append(
            (
                size,
                f"{rounds * posts / fig['post']:.0f} entries/s",
                summary_ms(fig["reads"]),
                " ".join(f"{x:.3f}" for x in fig["expire"]),
            )
        )
    print_table(
        "interleaved, same load for each size",
        rows,
        headers=("size", "posting", "balance read median / p95", "expiry ms/credit"),
    )


def main():
    parser = bench_args(__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000, help="earns and spends")
    parser.add_argument("--reads", type=int, default=500, help="balance reads")
    parser.add_argument(
        "--no-interleaved",
        action="store_true",
        help="skip the side-by-side comparison of the sizes",
    )
    args = parser.parse_args()
    print(
        f"loyalty_program core benchmark: {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, sizes {', '.join(args.sizes)}"
    )
    results = {size: bench_size(size, args) for size in args.sizes}
    if len(results) > 1:
        first, last = args.sizes[0], args.sizes[-1]
        rows = []
        for key in results[first]:
            a, b = results[first][key], results[last][key]
            ratio = f"x{b / a:.2f}" if isinstance(a, float | int) and a else ""
            if isinstance(a, bool):
                ratio = ""
            rows.append((key, _fmt(a), _fmt(b), ratio))
        print_table(
            f"growth {first} ({SIZES[first]:,} members) -> {last} "
            f"({SIZES[last]:,} members)",
            rows,
            headers=("measure", first, last, "ratio"),
        )
        if not args.no_interleaved:
            log("interleaved comparison")
            measure_interleaved(args.sizes)


def _fmt(value):
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}"


if __name__ == "__main__":
    main()
