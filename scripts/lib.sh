# shellcheck shell=bash
# Shared setup for scripts/run and scripts/test: the Odoo tree, the virtual
# environment, a PostgreSQL server, Chromium and wkhtmltopdf. Sourced, never
# executed.

set -euo pipefail

PROJECT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_HOME=${ODOO_HOME:-/opt/odoo19}
VENV=${LOYALTY_VENV:-$PROJECT_ROOT/.venv}
PGDATA_DIR=${LOYALTY_PGDATA:-}  # chosen by choose_pgdata when empty
RUN_DIR=$PROJECT_ROOT/.run
PYTHON=${PYTHON:-python3}
# Packages of the Odoo tree's requirements.txt that belong to custom addons
# shipped in the same repository, or that need system LDAP headers.
ODOO_REQ_SKIP='^(python-ldap|geopy|numpy|opencv-python-headless|onnxruntime|PyJWT)\b'

log() { printf '\033[1m[loyalty]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[loyalty] %s\033[0m\n' "$*" >&2; exit 2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
    log "installing with apt-get: $*"
    if [ ! -f "$RUN_DIR/apt-updated" ]; then
        as_root apt-get update -qq
        mkdir -p "$RUN_DIR" && touch "$RUN_DIR/apt-updated"
    fi
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

check_odoo_home() {
    local msg="loyalty_program needs an Odoo 19.0 Community source tree (odoo/, odoo-bin, addons/, requirements.txt).
Set ODOO_HOME to it (now: '$ODOO_HOME'). Get it with
    git clone --depth 1 --branch 19.0 https://github.com/odoo/odoo.git /opt/odoo19
or extract it from any repository that holds Odoo 19.0 Community."
    [ -f "$ODOO_HOME/odoo-bin" ] && [ -f "$ODOO_HOME/odoo/release.py" ] \
        && [ -d "$ODOO_HOME/addons/point_of_sale" ] && [ -f "$ODOO_HOME/requirements.txt" ] \
        || die "$msg"
    grep -Eq '^version_info = \(19, 0,' "$ODOO_HOME/odoo/release.py" \
        || die "ODOO_HOME=$ODOO_HOME is not Odoo 19.0. $msg"
}

# The virtual environment is rebuilt only when a requirements file changes.
ensure_venv() {
    mkdir -p "$RUN_DIR"
    local reqs="$RUN_DIR/odoo-requirements.txt"
    grep -Ev "$ODOO_REQ_SKIP" "$ODOO_HOME/requirements.txt" > "$reqs"
    local stamp
    stamp=$(cat "$reqs" "$PROJECT_ROOT/requirements.txt" "$PROJECT_ROOT/requirements-dev.txt" \
        | sha256sum | cut -c1-16)
    if [ -f "$VENV/.stamp" ] && [ "$(cat "$VENV/.stamp")" = "$stamp" ]; then
        return 0
    fi
    # psycopg2 builds against libpq.
    command -v pg_config >/dev/null && [ -f /usr/include/postgresql/libpq-fe.h ] \
        || apt_install libpq-dev
    log "creating the virtual environment in $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade "pip<25" wheel "setuptools<81"
    "$VENV/bin/pip" install -q -r "$reqs" -r "$PROJECT_ROOT/requirements.txt" \
        -r "$PROJECT_ROOT/requirements-dev.txt"
    echo "$stamp" > "$VENV/.stamp"
}

pg_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    return 1
}

# Sets DB_ARGS for odoo-bin. With PGHOST/PGPORT/PGUSER/PGPASSWORD (or
# LOYALTY_DB_HOST...) set, that server is used; otherwise the checkout's own
# cluster (see choose_pgdata: .pgdata/, git-ignored, when reachable) is
# created and started. PG_STARTED=1 when this process started it, so the
# caller can stop it on exit.
PG_STARTED=0
ensure_postgres() {
    DB_ARGS=()
    if [ -n "${PGHOST:-}${PGPORT:-}${PGUSER:-}" ]; then
        [ -n "${PGHOST:-}" ] && DB_ARGS+=(--db_host "$PGHOST")
        [ -n "${PGPORT:-}" ] && DB_ARGS+=(--db_port "$PGPORT")
        [ -n "${PGUSER:-}" ] && DB_ARGS+=(--db_user "$PGUSER")
        [ -n "${PGPASSWORD:-}" ] && DB_ARGS+=(--db_password "$PGPASSWORD")
        log "using the PostgreSQL server given by PG* variables"
        return 0
    fi
    local bin
    bin=$(pg_bin) || { apt_install postgresql; bin=$(pg_bin); }
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
    fi
    choose_pgdata
    local port=${LOYALTY_PGPORT:-54329}
    local sock="$PGDATA_DIR/socket"
    if [ ! -f "$PGDATA_DIR/data/PG_VERSION" ]; then
        log "initialising a PostgreSQL cluster in $PGDATA_DIR"
        mkdir -p "$PGDATA_DIR/data" "$sock"
        if [ "$(id -u)" = 0 ]; then chown -R postgres: "$PGDATA_DIR"; fi
        pg_as "$bin/initdb" -D "$PGDATA_DIR/data" -U postgres --auth=trust -E UTF8 \
            --locale=C.UTF-8 >/dev/null
        cat >> "$PGDATA_DIR/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$sock'
port = $port
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 512MB
work_mem = 32MB
maintenance_work_mem = 256MB
max_connections = 200
EOF
    fi
    if ! pg_as "$bin/pg_ctl" -D "$PGDATA_DIR/data" status >/dev/null 2>&1; then
        log "starting PostgreSQL (socket $sock, port $port)"
        pg_as "$bin/pg_ctl" -D "$PGDATA_DIR/data" -l "$PGDATA_DIR/server.log" -w start >/dev/null
        PG_STARTED=1
    fi
    # Odoo refuses the 'postgres' superuser: give it a role of its own.
    if ! pg_as "$bin/psql" -h "$sock" -p "$port" -U postgres -tAc \
            "SELECT 1 FROM pg_roles WHERE rolname='odoo'" postgres | grep -q 1; then
        pg_as "$bin/psql" -h "$sock" -p "$port" -U postgres -qc \
            "CREATE ROLE odoo LOGIN SUPERUSER" postgres
    fi
    DB_ARGS=(--db_host "$sock" --db_port "$port" --db_user odoo)
    export PGHOST_LOCAL=$sock PGPORT_LOCAL=$port PG_BIN=$bin
}

# Runs a PostgreSQL command as the cluster's owner: 'postgres' when we are
# root (the server refuses to run as root), else ourselves. From '/', so a
# current directory the owner cannot enter does not matter.
pg_as() {
    if [ "$(id -u)" = 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

# Sets PGDATA_DIR, the directory of this checkout's cluster (data/, socket/,
# server.log): LOYALTY_PGDATA when set; else .pgdata/ in the checkout when the
# cluster's owner can reach it (or a cluster already lives there); else, e.g. a
# checkout under /root or inside a 'chmod 700' folder while we are root, a
# directory of its own outside the checkout, keyed by a hash of the checkout
# path (one cluster per checkout), owned by the cluster's owner:
# /var/lib/postgresql/loyalty_program/<hash>/ as root, else
# ${XDG_RUNTIME_DIR:-/tmp}/loyalty_program-<uid>/<hash>/. A unix socket path
# has at most 107 bytes, so a very deep checkout also goes there.
choose_pgdata() {
    if [ -n "$PGDATA_DIR" ]; then return 0; fi
    local in_tree=$PROJECT_ROOT/.pgdata
    if pg_as test -f "$in_tree/data/PG_VERSION" \
            || { [ ${#in_tree} -le 80 ] && pg_as test -x "$PROJECT_ROOT"; }; then
        PGDATA_DIR=$in_tree
        return 0
    fi
    local key base
    key=$(printf '%s' "$PROJECT_ROOT" | sha256sum | cut -c1-16)
    if [ "$(id -u)" = 0 ]; then
        base=/var/lib/postgresql/loyalty_program
        if [ ! -d /var/lib/postgresql ]; then
            mkdir -p /var/lib/postgresql && chown postgres: /var/lib/postgresql
        fi
        mkdir -p "$base" && chown postgres: "$base" && chmod 755 "$base"
    else
        base=${XDG_RUNTIME_DIR:-/tmp}/loyalty_program-$(id -u)
        mkdir -p "$base" && chmod 700 "$base"
    fi
    PGDATA_DIR=$base/$key
    mkdir -p "$PGDATA_DIR"
    # Which checkout this cluster belongs to, for whoever cleans up.
    printf '%s\n' "$PROJECT_ROOT" > "$PGDATA_DIR/checkout"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$PGDATA_DIR" "$PGDATA_DIR/checkout"; fi
    log "the cluster's owner cannot use $in_tree: the cluster lives in $PGDATA_DIR"
}

# LOYALTY_PG_KEEP=1 leaves the cluster running (for several runs at once).
stop_postgres() {
    if [ "$PG_STARTED" = 1 ] && [ "${LOYALTY_PG_KEEP:-0}" != 1 ] && [ -n "$PGDATA_DIR" ]; then
        log "stopping PostgreSQL"
        pg_as "$PG_BIN/pg_ctl" -D "$PGDATA_DIR/data" -m fast -w stop >/dev/null || true
    fi
}

ensure_chromium() {
    if [ -n "${ODOO_BROWSER_BIN:-}" ] && [ -x "$ODOO_BROWSER_BIN" ]; then return 0; fi
    local b
    for b in chromium chromium-browser google-chrome; do
        command -v "$b" >/dev/null && return 0
    done
    apt_install chromium fonts-dejavu-core
}

# Odoo prints PDF reports (the member statement, the gift certificate) with
# wkhtmltopdf. Debian's build is the plain-Qt one: Odoo prefers the
# patched-Qt build (headers and footers on every page, several documents in
# one file) but renders one document per file with it, fonts included.
ensure_wkhtmltopdf() {
    command -v wkhtmltopdf >/dev/null && return 0
    apt_install wkhtmltopdf fonts-dejavu-core
}

odoo_bin() {
    "$VENV/bin/python" "$ODOO_HOME/odoo-bin" "$@"
}

addons_path() {
    echo "$ODOO_HOME/addons,$ODOO_HOME/odoo/addons,$PROJECT_ROOT"
}
