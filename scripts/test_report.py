"""Summarise an Odoo test log: "N passed, N failed, N skipped".

A skipped test counts against the run (Odoo skips browser tours silently
when Chromium or websocket-client is missing), and so does an ERROR or
CRITICAL line logged while a test that otherwise passed was running, or
outside any test (a failed install, a broken data file), as on Odoo's
runbot.
"""

import re
import sys

LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) \S+ "
    r"(?P<logger>\S+): (?P<msg>.*)"
)
SUMMARY = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<total>\d+) tests"
)
STARTING = re.compile(r"^Starting (?P<test>\S+) \.\.\.")
OUTCOME = re.compile(r"^(?:FAIL|ERROR): (?P<test>\S+)")
SKIP = re.compile(r"^skipped (?P<test>\S+)")
# An error about the Odoo tree, not this addon: a tree taken without some
# community-authored localisations leaves modules with missing dependencies,
# which Odoo reports at every start.
TREE_NOISE = "Some modules have inconsistent states, some dependencies may be missing"


def main(path, odoo_rc):
    total = failed = errors = 0
    skipped, stray = [], []
    failed_tests = set()
    current = None
    summary_seen = False
    with open(path, encoding="utf-8", errors="replace") as log:
        for raw in log:
            match = LINE.match(raw)
            if not match:
                continue
            level, logger, msg = match["level"], match["logger"], match["msg"]
            if logger == "odoo.tests.result" and (summary := SUMMARY.search(msg)):
                summary_seen = True
                total += int(summary["total"])
                failed += int(summary["failed"])
                errors += int(summary["errors"])
                current = None
            elif level == "INFO" and (start := STARTING.match(msg)):
                current = start["test"]
            elif level == "INFO" and (skip := SKIP.match(msg)):
                skipped.append(skip["test"] + ": " + msg.split(" : ", 1)[-1])
            elif level in ("ERROR", "CRITICAL"):
                print(raw.rstrip()[:2000])
                if outcome := OUTCOME.match(msg):
                    failed_tests.add(outcome["test"])
                elif ".tests." not in logger and not msg.startswith(TREE_NOISE):
                    stray.append((current, raw))
    for line in skipped:
        print("SKIPPED", line)
    failures = failed + errors
    # A test that passed but logged an error counts once; errors outside any
    # test count one each.
    extra = len({test for test, _raw in stray if test and test not in failed_tests})
    extra += sum(1 for test, _raw in stray if test is None)
    if not summary_seen or total == 0:
        print("no test ran (the install failed or no test matched)")
        extra = max(extra, 1)
    if odoo_rc and not (failures + extra):
        print(f"odoo-bin exited with status {odoo_rc}")
        extra = 1
    failures += extra
    passed = max(0, total - failed - errors - len(skipped))
    print(f"{passed} passed, {failures} failed, {len(skipped)} skipped")
    return 1 if (failures or skipped) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0))
