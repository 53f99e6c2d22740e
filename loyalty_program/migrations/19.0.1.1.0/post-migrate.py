"""19.0.1.1.0: the ledger's single-column indexes on ``kind`` and
``res_model`` are gone (composite indexes and the date serve every query on
them; each index was one more write per posting). Odoo keeps an index a
field no longer asks for, so drop them here."""

from odoo.tools import sql


def migrate(cr, version):
    for column in ("kind", "res_model"):
        sql.drop_index(cr, sql.make_index_name("lp_ledger", column), "lp_ledger")
