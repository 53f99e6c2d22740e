"""Transactions of their own, for the few writes that must not wait on (or
fail because of) the snapshot of the request that asks for them."""

from contextlib import contextmanager

from psycopg2 import errors

from odoo.orm.environments import Transaction
from odoo.sql_db import Cursor


@contextmanager
def read_committed(env):
    """Yield ``env`` on a new cursor whose transaction runs at READ COMMITTED
    and commits when the block ends without error (rolls back otherwise).

    Odoo's transactions are REPEATABLE READ: one that waits on a row lock
    another transaction held, and finds the row changed after its snapshot,
    fails to serialize, and Odoo replays the whole request after sleeping.
    At READ COMMITTED each statement reads what was committed before it, so
    waiting on a member's lock then reading the member's balance and
    reservations gives the current figures, never a serialization failure.

    In tests the registry hands out the test's own cursor (a savepoint of
    the test transaction): the isolation level is left as it is."""
    with env.registry.cursor() as cr:
        if isinstance(cr, Cursor):
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        if cr.transaction is None:  # the registry at hand, not looked up again
            cr.transaction = Transaction(env.registry)
        yield env(cr=cr)


def or_read_committed(env, func):
    """Return ``func(env)`` run in a savepoint of the current transaction;
    when it fails to serialize (another transaction changed a row it locks
    after this transaction's snapshot was taken) or deadlocks, run it again
    in a transaction of its own at READ COMMITTED (:func:`read_committed`),
    committed on its own, instead of letting Odoo replay the whole request.

    For short writes whose outcome does not depend on the rest of the
    request (a till's reservation): the first attempt costs nothing more
    when nobody else is busy with the same rows."""
    try:
        with env.cr.savepoint():
            return func(env)
    except errors.TransactionRollbackError:
        env.invalidate_all(flush=False)
    with read_committed(env) as fresh_env:
        return func(fresh_env)
