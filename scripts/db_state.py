"""Print 'installed' when the database exists with loyalty_program installed,
'absent' otherwise. Arguments: odoo-style --db_host/--db_port/--db_user/
--db_password options, then the database name."""

import argparse

import psycopg2


def main():
    parser = argparse.ArgumentParser()
    for opt in ("host", "port", "user", "password"):
        parser.add_argument(f"--db_{opt}")
    parser.add_argument("dbname")
    args = parser.parse_args()
    params = {
        k: v
        for k, v in (
            ("host", args.db_host),
            ("port", args.db_port),
            ("user", args.db_user),
            ("password", args.db_password),
        )
        if v
    }
    try:
        conn = psycopg2.connect(dbname=args.dbname, **params)
    except psycopg2.OperationalError:
        print("absent")
        return
    with conn, conn.cursor() as cr:
        try:
            cr.execute(
                "SELECT state FROM ir_module_module WHERE name = 'loyalty_program'"
            )
            row = cr.fetchone()
        except psycopg2.Error:
            row = None
    conn.close()
    print("installed" if row and row[0] == "installed" else "absent")


if __name__ == "__main__":
    main()
