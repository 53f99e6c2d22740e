"""Install and uninstall hooks."""

import logging
from graphlib import CycleError, TopologicalSorter

from odoo.tools import SQL

_logger = logging.getLogger(__name__)

MODULE = "loyalty_program"


def post_init_hook(env):
    """A shop that already sells with Odoo sees its customers' statistics,
    RFM groups and segments right after the install: the statistics job is
    triggered now, to run in the background with its progress shown on the
    scheduled action, instead of waiting for the first night."""
    cron = env.ref(f"{MODULE}.cron_lp_customer_stats", raise_if_not_found=False)
    if cron:
        cron._trigger()


def uninstall_hook(env):
    """Uninstall without a refused deletion (PostgreSQL logs each as an
    ERROR): the addon's own rows are deleted first, those referring to
    others before those they refer to (the tables are dropped next anyway);
    records of other models created by the addon (demo customers, the
    points discount product) that orders still refer to stay, without
    the addon's external id (the product archived)."""
    own = _own_tables(env)
    _clear_foreign_references(env.cr, own)
    for table in _deletion_order(env.cr, own):
        env.cr.execute(SQL("DELETE FROM %s", SQL.identifier(table)))
    env.invalidate_all()
    _keep_referenced_records(env, own)


def _own_tables(env):
    tables = set()
    for model in env.registry.values():
        if model._original_module == MODULE and model._auto and not model._abstract:
            tables.add(model._table)
    return tables


def _clear_foreign_references(cr, tables):
    """Empty the addon's nullable columns on other tables (e.g. an order's
    member) whose foreign key would refuse deleting the addon's rows."""
    cr.execute(
        """
        SELECT src.relname, a.attname
          FROM pg_constraint c
          JOIN pg_class src ON src.oid = c.conrelid
          JOIN pg_class dst ON dst.oid = c.confrelid
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND dst.relname IN %s AND src.relname NOT IN %s
           AND c.confdeltype IN ('r', 'a') AND NOT a.attnotnull
        """,
        [tuple(tables), tuple(tables)],
    )
    for src, column in cr.fetchall():
        cr.execute(
            SQL(
                "UPDATE %s SET %s = NULL WHERE %s IS NOT NULL",
                SQL.identifier(src),
                SQL.identifier(column),
                SQL.identifier(column),
            )
        )


def _deletion_order(cr, tables):
    """``tables`` ordered so that a table comes before those it refers to.
    Foreign keys that refuse the deletion come first; one that cascades or
    sets null is followed only where it closes no cycle (new models may refer
    to each other both ways)."""
    cr.execute(
        """
        SELECT DISTINCT src.relname, dst.relname, c.confdeltype IN ('r', 'a')
          FROM pg_constraint c
          JOIN pg_class src ON src.oid = c.conrelid
          JOIN pg_class dst ON dst.oid = c.confrelid
         WHERE c.contype = 'f' AND src.relname IN %s AND dst.relname IN %s
           AND src.relname <> dst.relname
        """,
        [tuple(tables), tuple(tables)],
    )
    graph = {table: set() for table in tables}

    def acyclic():
        try:
            TopologicalSorter(graph).prepare()
        except CycleError:
            return False
        return True

    for src, dst, restricting in sorted(cr.fetchall(), key=lambda edge: not edge[2]):
        graph[dst].add(src)
        if not acyclic():
            graph[dst].discard(src)
            if restricting:
                _logger.warning(
                    "Loyalty uninstall: foreign keys %s -> %s form a cycle", src, dst
                )
    return list(TopologicalSorter(graph).static_order())


def _restricting_references(cr, table, ids, skip_tables):
    """Ids among ``ids`` of ``table`` that a row of another table refers to
    through a foreign key that refuses the deletion."""
    cr.execute(
        """
        SELECT src.relname, a.attname
          FROM pg_constraint c
          JOIN pg_class src ON src.oid = c.conrelid
          JOIN pg_class dst ON dst.oid = c.confrelid
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND dst.relname = %s AND c.confdeltype IN ('r', 'a')
           AND array_length(c.conkey, 1) = 1
        """,
        [table],
    )
    referenced = set()
    for src, column in cr.fetchall():
        # Odoo's own metadata (access rights, menus...) of the addon is
        # deleted by the uninstall itself, in order.
        if src in skip_tables or src.startswith("ir_"):
            continue
        cr.execute(
            SQL(
                "SELECT DISTINCT %s FROM %s WHERE %s IN %s",
                SQL.identifier(column),
                SQL.identifier(src),
                SQL.identifier(column),
                tuple(ids),
            )
        )
        referenced.update(row[0] for row in cr.fetchall())
    return referenced


def _archive_products(env, products):
    """Archive products (and their templates) that orders still show, in
    SQL: the addon's own override still makes the points product a "special"
    POS product that the ORM refuses to archive."""
    env.flush_all()
    env.cr.execute(
        "UPDATE product_product SET active = FALSE WHERE id IN %s RETURNING "
        "product_tmpl_id",
        [tuple(products.ids)],
    )
    templates = tuple({row[0] for row in env.cr.fetchall()})
    env.cr.execute(
        "UPDATE product_template SET active = FALSE WHERE id IN %s", [templates]
    )
    env.invalidate_all()


def _keep_referenced_records(env, own_tables):
    data = env["ir.model.data"].search([("module", "=", MODULE)])
    by_model = {}
    for row in data:
        if row.model.startswith(("ir.", "res.groups")) or row.model not in env:
            continue
        if env[row.model]._table in own_tables:
            continue
        by_model.setdefault(row.model, {})[row.res_id] = row
    kept = env["ir.model.data"]
    for model_name, rows in by_model.items():
        model = env[model_name].with_context(active_test=False)
        ids = _restricting_references(env.cr, model._table, list(rows), own_tables)
        records = model.browse(ids).exists()
        if not records:
            continue
        kept |= env["ir.model.data"].browse(rows[i].id for i in records.ids)
        # Deleting a parent (e.g. a product's template) would take the
        # record with it: keep the parents too.
        for parent_model, field in model._inherits.items():
            parents = records[field]
            kept |= data.filtered(
                lambda d, m=parent_model, p=parents: d.model == m and d.res_id in p.ids
            )
        if model_name == "product.product":
            _archive_products(env, records)
    if kept:
        _logger.info(
            "Loyalty uninstall: %s records still used by orders stay: %s",
            len(kept),
            ", ".join(kept.mapped("complete_name")),
        )
        kept.unlink()
