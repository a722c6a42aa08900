#!/usr/bin/env bash
# Fuzz the HTTP API with schemathesis against its own OpenAPI document, the way an attacker or a
# partner system would: gunicorn under production settings (DEBUG off, HTTPS behind a proxy) on a
# random loopback port, a throwaway database with the demo data, and three callers: anonymous and
# two officers' tokens (Bawaslu Kutai Kartanegara, BKPSDM Kutai Kartanegara). Checks: no server
# error, responses that match their documented schema, status and content type. Bounded
# (FUZZ_EXAMPLES per operation and phase) so it takes a few minutes on two cores.
#   FUZZ_DATABASE_URL=postgres://...  runs it on PostgreSQL (a database that may be created/dropped)
set -euo pipefail
cd "$(dirname "$0")/.."
py=$PWD/.venv/bin/python
examples=${FUZZ_EXAMPLES:-10}
tmp=$(mktemp -d /tmp/netral-fuzz.XXXXXX)
port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server=""
pg_database() {  # create (or drop) the throwaway PostgreSQL database named by DATABASE_URL
  $py - "$1" <<'PY'
import sys, os, psycopg
from urllib.parse import urlsplit, urlunsplit
url = urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
with psycopg.connect(urlunsplit(url._replace(path="/postgres")), autocommit=True) as db:
    # Bounded: a DROP waits for every backend of the server, and a stuck one elsewhere must not
    # hang the gate (the create then fails clearly; a failed drop leaves a database behind).
    db.execute("SET statement_timeout = '60s'")
    db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if sys.argv[1] == "create":
        db.execute(f'CREATE DATABASE "{name}"')
PY
}
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  case "${DATABASE_URL:-}" in postgres*) pg_database drop || echo "WARNING: could not drop $DATABASE_URL" >&2 ;; esac
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

export NETRAL_TESTING=0 NETRAL_DEBUG=0 NETRAL_VAR_DIR="$tmp" NETRAL_ALLOWED_HOSTS=127.0.0.1
export NETRAL_SECRET_KEY="$($py -c 'import secrets; print(secrets.token_urlsafe(64))')"
export NETRAL_IDENTITY_KEYS="fuzz:$($py -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')"
export DATABASE_URL=${FUZZ_DATABASE_URL:-sqlite:///$tmp/netral.sqlite3}
# The rate limits are production's rules, but high enough that the fuzzer reaches the code behind
# them (a 429 is documented, and would end most operations' exploration early).
export NETRAL_RATE_REPORTS=100000/h NETRAL_RATE_REPORTS_NO_POW=100000/h NETRAL_RATE_UPLOADS=100000/h
export NETRAL_RATE_RECEIPTS=100000/h NETRAL_LOG_LEVEL=ERROR PYTHONUNBUFFERED=1

echo "==> fuzz: database and demo data ($DATABASE_URL)"
case "$DATABASE_URL" in postgres*) pg_database create ;; esac
$py manage.py migrate --no-input -v0
$py manage.py createcachetable
$py manage.py collectstatic --no-input -v0
$py manage.py compile_translations >/dev/null
$py manage.py load_regions >/dev/null
$py manage.py load_rules >/dev/null
NETRAL_DEBUG=1 $py manage.py seed_demo >/dev/null  # the demo seeder refuses production settings
tokens=$($py manage.py shell -c '
from netral.accounts.models import User
from netral.accounts.services import create_api_token
for name in ("bawaslu.kukar", "bkpsdm.kukar"):
    print(create_api_token(user=User.objects.get(username=name), name="fuzz")[1])
')
mapfile -t token <<<"$tokens"

echo "==> fuzz: gunicorn on 127.0.0.1:$port (production settings)"
.venv/bin/gunicorn netral.wsgi:application -b "127.0.0.1:$port" -w 2 --timeout 60 \
  >"$tmp/gunicorn.log" 2>&1 &
server=$!
proto=(-H "X-Forwarded-Proto: https")
for _ in $(seq 1 60); do
  curl -fsS "${proto[@]}" "http://127.0.0.1:$port/api/openapi.json" -o "$tmp/openapi.json" 2>/dev/null && break
  sleep 0.5
done
[ -s "$tmp/openapi.json" ] || { echo "the server did not start" >&2; cat "$tmp/gunicorn.log" >&2; exit 1; }

status=0
fuzz() {
  local who=$1; shift
  echo "==> fuzz: schemathesis as $who"
  .venv/bin/schemathesis run "$tmp/openapi.json" --url "http://127.0.0.1:$port" "${proto[@]}" "$@" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --phases examples,coverage,fuzzing,stateful --max-examples "$examples" --seed 17 \
    --workers 1 --no-shrink --generation-database none --request-timeout 30 \
    --suppress-health-check all --warnings off --no-color || status=1
}
fuzz anonymous
fuzz "bawaslu.kukar (token)" -H "Authorization: Bearer ${token[0]}"
fuzz "bkpsdm.kukar (token)" -H "Authorization: Bearer ${token[1]}"
if grep -q "Internal Server Error\|Traceback" "$tmp/gunicorn.log"; then
  echo "server errors logged (the last line of each traceback):" >&2
  $py - "$tmp/gunicorn.log" >&2 <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    if entry.get("level") == "ERROR":
        last = (entry.get("exc_info") or "").strip().splitlines()[-1:] or [""]
        print(entry.get("message", "")[:200], "|", last[0][:300])
PY
  status=1
fi
exit $status
