#!/bin/sh
# The part of the upstream postgres image's entrypoint that compose.yaml relies on: on first start,
# a cluster whose superuser is POSTGRES_USER with POSTGRES_PASSWORD (required, scram-sha-256 over
# TCP) and a database POSTGRES_DB; then the server as the postgres user, listening on every address.
set -eu
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
as_postgres() { setpriv --reuid postgres --regid postgres --init-groups "$@"; }

chown postgres:postgres "$PGDATA"
chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    chown postgres "$pwfile"
    as_postgres initdb --username="$user" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust \
        --auth-host=scram-sha-256 >/dev/null
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    # A private socket while the database is created, so the healthcheck (pg_isready on the
    # default socket) passes only once the server below runs.
    as_postgres pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -k /tmp" start >/dev/null
    [ "$db" = postgres ] || as_postgres psql -h /tmp -U "$user" -d postgres -qc "CREATE DATABASE \"$db\""
    as_postgres pg_ctl -D "$PGDATA" -w stop >/dev/null
    echo "initialised $PGDATA: superuser $user, database $db"
fi
exec setpriv --reuid postgres --regid postgres --init-groups "$@" -c listen_addresses='*'
