"""POS start-up with the addon's loading and without it, in one database.

The till's start-up is ``pos.session.load_data``; the addon adds to it the
loyalty program and its tiers (``pos.session._load_pos_data_models``) and a
few values of the till's configuration (``pos.config._load_pos_data_read``).
"Without the addon" switches those two hooks to pass straight through to
core for the duration of a run: same database, same partners, same session,
so the ratio is the addon's share of the start-up, not core's partner
loading (which grows with the number of customers either way)."""

import contextlib
import statistics
from unittest.mock import patch


@contextlib.contextmanager
def addon_loading_off():
    # Imported here: the addons path is known once Odoo's options are read.
    from odoo.addons.loyalty_program.models import pos_config, pos_session

    session_cls, config_cls = pos_session.PosSession, pos_config.PosConfig

    def models(self, config):
        return super(session_cls, self)._load_pos_data_models(config)

    def read(self, records, config):
        return super(config_cls, self)._load_pos_data_read(records, config)

    with (
        patch.object(session_cls, "_load_pos_data_models", models),
        patch.object(config_cls, "_load_pos_data_read", read),
    ):
        yield


def startup(env, runs=7):
    """Median seconds of ``load_data`` as a cashier, with and without the
    addon's hooks, alternating which goes first (one warm-up each); the
    models each loads."""
    from bench_pos import Till

    till = Till("scale", env)
    with addon_loading_off():
        till.load_once()
        without_models = set(till.response)
    till.load_once()
    with_models = set(till.response)
    on, off = [], []
    for run in range(runs):
        # The first load of a pair is the slower one (seen at a million
        # customers): each way goes first every other round.
        for with_addon in (True, False) if run % 2 else (False, True):
            if with_addon:
                on.append(till.load_once())
            else:
                with addon_loading_off():
                    off.append(till.load_once())
    return {
        "with": statistics.median(on),
        "without": statistics.median(off),
        "ratio": statistics.median(on) / statistics.median(off),
        "added_models": sorted(with_models - without_models),
        "partners": len(till.response.get("res.partner", [])),
    }
