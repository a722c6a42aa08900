#!/usr/bin/env bash
# The whole gate, as CI runs it: lint, types, migrations, deploy check, tests on SQLite and on a
# throwaway PostgreSQL, browser tests on Debian's Chromium. Under CI=true nothing may be skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
strict=false
[ "${CI:-}" = true ] && strict=true
failures=()
skipped=()

step() { echo; echo "==> $*"; }
warn() { echo "WARNING: $*" >&2; }
skip() {
  if $strict; then failures+=("$1 (cannot be skipped under CI: $2)"); else skipped+=("$1: $2"); warn "skipping $1: $2"; fi
}
run() { local name=$1; shift; step "$name"; "$@" || failures+=("$name"); }

is_root=false; [ "$(id -u)" = 0 ] && is_root=true
has_apt=false; command -v apt-get >/dev/null && [ -f /etc/debian_version ] && has_apt=true

# --- System packages (Debian, root): only what is missing ----------------------------------
APT_PACKAGES=(postgresql nginx-light openssl curl chromium chromium-driver libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core python3-venv tesseract-ocr tesseract-ocr-ind)
if $is_root && $has_apt; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    step "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || failures+=("apt-get install")
  fi
else
  warn "not root on Debian: PostgreSQL, Chromium, the PDF libraries and tesseract (OCR) are not installed by this script"
fi

step "Python packages (uv, from the lock)"
bash scripts/bootstrap.sh dev || { echo "bootstrap failed" >&2; exit 1; }
py=.venv/bin/python
export NETRAL_TESTING=1

# --- Throwaway PostgreSQL -------------------------------------------------------------------
pg_url=""
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -n "${TEST_POSTGRES_URL:-}" ]; then
  pg_url=$TEST_POSTGRES_URL
elif [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ]; then
  pg_tmp=$(mktemp -d /tmp/netral-pg.XXXXXX)
  pg_port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_pg=()
  if $is_root; then chown postgres "$pg_tmp"; as_pg=(runuser -u postgres --); fi
  step "PostgreSQL: throwaway cluster in $pg_tmp on 127.0.0.1:$pg_port"
  if "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_tmp/data" -U postgres --auth=trust -E UTF8 >"$pg_tmp/initdb.log" 2>&1 \
     && "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_tmp/data" -l "$pg_tmp/server.log" -w \
          -o "-p $pg_port -k $pg_tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null; then
    pg_url="postgres://postgres@127.0.0.1:$pg_port/netral"
    trap '"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_tmp/data" -m fast stop >/dev/null 2>&1; rm -rf "$pg_tmp"' EXIT
  else
    cat "$pg_tmp/initdb.log" "$pg_tmp/server.log" 2>/dev/null | tail -20 >&2
    failures+=("start PostgreSQL")
  fi
fi
[ -z "$pg_url" ] && skip "PostgreSQL tests" "no PostgreSQL server binaries (apt-get install postgresql)"

# --- Gates ----------------------------------------------------------------------------------
run "ruff check" .venv/bin/ruff check .
run "ruff format --check" .venv/bin/ruff format --check .
run "mypy" .venv/bin/mypy netral e2e bench
run "compile translations" $py manage.py compile_translations
run "migrations up to date" $py manage.py makemigrations --check --dry-run
deploy_env=(env NETRAL_TESTING=0 NETRAL_DEBUG=0 NETRAL_ALLOWED_HOSTS=netral.example.org
  NETRAL_SECRET_KEY="$($py -c 'import secrets; print(secrets.token_urlsafe(64))')"
  NETRAL_IDENTITY_KEYS="ci:$($py -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')"
  NETRAL_AUDIT_SIGNING_KEY="ci:$($py -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')"
  NETRAL_VAR_DIR="$(mktemp -d)")
run "check --deploy (production settings)" "${deploy_env[@]}" $py manage.py check --deploy --fail-level WARNING

workers=${PYTEST_WORKERS:-2}
run "pytest on SQLite" $py -m pytest -q -n "$workers" netral
if [ -n "$pg_url" ]; then
  run "pytest on PostgreSQL" env DATABASE_URL="$pg_url" $py -m pytest -q -n "$workers" netral
fi

# The API fuzzed against its own OpenAPI document (schemathesis), under production settings, on
# PostgreSQL when there is one (it refuses what SQLite accepts, such as NUL bytes).
run "API fuzzing (schemathesis, gunicorn, production settings)" \
  env FUZZ_DATABASE_URL="${pg_url:+${pg_url%/*}/netral_fuzz}" bash scripts/fuzz_api.sh

# The production topology on one machine (deploy/topology.sh: nginx with TLS, two gunicorn nodes,
# PostgreSQL primary and replica, moto's S3 server, two workers, two schedulers) under a short
# load while a web node, a worker in the middle of an export and the replica go down. The full
# form is `make chaos`.
if [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] && [ -x "$(command -v nginx || echo /usr/sbin/nginx)" ]; then
  run "chaos test (short form: scripts/chaos.py --short)" $py scripts/chaos.py --short
else
  skip "chaos test" "needs PostgreSQL's server binaries and nginx (apt-get install postgresql nginx-light)"
fi

chromium=${NETRAL_CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium" ]; then
  run "browser tests (Playwright, Chromium)" env NETRAL_CHROMIUM="$chromium" $py -m pytest -q -p no:xdist e2e
else
  skip "browser tests" "no Chromium at $chromium (apt-get install chromium chromium-driver)"
fi

echo
if [ ${#skipped[@]} -gt 0 ]; then printf 'SKIPPED: %s\n' "${skipped[@]}"; fi
if [ ${#failures[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failures[@]}"
  exit 1
fi
echo "All gates passed."
