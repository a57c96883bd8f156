#!/usr/bin/env bash
# run.sh - `make run`: a private PostgreSQL under var/, migrations, demo
# content (once), then the portal on http://127.0.0.1:8080 in the
# foreground.  Ctrl-C stops the portal, then the database; a second run
# reuses the data.
set -euo pipefail
cd "$(dirname "$0")/.."

PGDIR=var/pg
PGPORT=${PORTAL_PG_PORT:-5439}
mkdir -p var

scripts/pg.sh start "$PGDIR" "$PGPORT" >/dev/null
PORTAL_DATABASE_URL=$(scripts/pg.sh url "$PGDIR" "$PGPORT")
export PORTAL_DATABASE_URL

stop_db() { scripts/pg.sh stop "$PGDIR" >/dev/null 2>&1 || true; }
trap stop_db EXIT

build/portal migrate
# Idempotent: keeps the passwords listed in var/demo-accounts.txt, and
# seeds again a database that was thrown away.
build/portal seed-demo

url=${PORTAL_BASE_URL:-http://127.0.0.1:8080}
cat <<MSG

  Il portale è su $url
  Account dimostrativi (ruolo, email, password), anche in var/demo-accounts.txt:

MSG
awk -F'\t' '{ printf "    %-14s %-36s %s\n", $1, $2, $3 }' var/demo-accounts.txt
printf '\n  Ctrl-C ferma il portale e il database.\n\n'

# Not exec: the trap must stop the database after the portal exits.
build/portal serve &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' INT TERM
wait $pid || true
wait $pid 2>/dev/null || true
