"""The command line of a benchmark: ``benchmarks/run`` passes the script's
own options, then ``--`` and Odoo's (addons path, database server, log).

Plain Python, no Odoo import (some scripts import Odoo only once its
configuration is loaded)."""


def split_argv(argv):
    """(the script's own arguments, Odoo's arguments) of ``argv``, cut at
    the first ``--``."""
    if "--" in argv:
        cut = argv.index("--")
        return argv[:cut], argv[cut + 1 :]
    return argv, []
