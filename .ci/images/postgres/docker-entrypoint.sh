#!/usr/bin/env bash
# The first start of an empty data directory: initdb with the user and its
# password, then the database; every start: postgres, listening on every
# interface with password authentication (scram-sha-256) from the network.
set -euo pipefail

user="${POSTGRES_USER:-postgres}"
database="${POSTGRES_DB:-$user}"
password="${POSTGRES_PASSWORD:-}"
if [[ -n ${POSTGRES_PASSWORD_FILE:-} ]]; then
    password="$(<"$POSTGRES_PASSWORD_FILE")"
fi

if [[ ${1:-postgres} == postgres && ! -s "$PGDATA/PG_VERSION" ]]; then
    if [[ -z $password ]]; then
        echo "postgres: set POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE" >&2
        exit 1
    fi
    pwfile="$(mktemp)"
    printf '%s\n' "$password" >"$pwfile"
    initdb --username="$user" --pwfile="$pwfile" --auth-local=trust \
        --auth-host=scram-sha-256 --encoding=UTF8 >/dev/null
    rm -f "$pwfile"
    printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
    if [[ $database != postgres ]]; then
        # Started on the socket only, to create the database, then stopped.
        pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
        createdb --username="$user" "$database"
        pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    fi
    echo "postgres: created the user $user and the database $database in $PGDATA"
fi

if [[ ${1:-} == postgres ]]; then
    shift
    exec postgres -c listen_addresses='*' "$@"
fi
exec "$@"
