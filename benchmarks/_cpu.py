"""CPU time used by process trees, from ``/proc`` (Linux): how much of the
machine a phase of ``bench_load.py`` cost Odoo's server, PostgreSQL and the
benchmark's own tills. On a machine where the tills' clients share the
cores with the server, the server's CPU per order is what a shop with its
tills elsewhere would pay; orders per minute are not.

Plain Python, no Odoo import.
"""

import os
import resource

TICKS = os.sysconf("SC_CLK_TCK")


def processes():
    """{pid: (ppid, seconds)}: user and system CPU time of each process,
    its reaped children's included (a recycled worker's time stays counted
    in its parent)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                data = f.read()
        except OSError:  # ended meanwhile
            continue
        fields = data[data.rindex(")") + 2 :].split()
        ppid = int(fields[1])
        utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
        found[int(entry)] = (ppid, (utime + stime + cutime + cstime) / TICKS)
    return found


def tree_seconds(table, root):
    """CPU seconds of ``root`` and all its live descendants."""
    if not root or root not in table:
        return 0.0
    children = {}
    for pid, (ppid, _s) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += table[pid][1]
        todo.extend(children.get(pid, ()))
    return total


def postmaster_pid(pgdata):
    """The pid of the cluster's postmaster (first line of postmaster.pid)."""
    for path in (
        os.path.join(pgdata, "data", "postmaster.pid"),
        os.path.join(pgdata, "postmaster.pid"),
    ):
        try:
            with open(path, encoding="ascii") as handle:
                return int(handle.readline())
        except (OSError, ValueError):
            continue
    return None


def snapshot(server_pid, pg_pid):
    """(Odoo's server tree, PostgreSQL's cluster, this process) CPU seconds."""
    table = processes()
    own = resource.getrusage(resource.RUSAGE_SELF)
    return (
        tree_seconds(table, server_pid),
        tree_seconds(table, pg_pid),
        own.ru_utime + own.ru_stime,
    )


def since(before, after):
    return tuple(b - a for a, b in zip(before, after, strict=True))
