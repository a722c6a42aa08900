#!/usr/bin/env bash
# Start Netral on SQLite with demo data: web server and background worker on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
export NETRAL_DEBUG=1 PYTHONUNBUFFERED=1
py=.venv/bin/python
$py manage.py compile_translations
$py manage.py migrate --no-input -v0
$py manage.py createcachetable
$py manage.py load_regions
$py manage.py load_rules
$py manage.py seed_demo | tee var/demo-logins.txt

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
$py manage.py db_worker --interval 1 > var/worker.log 2>&1 &
pids+=($!)
$py manage.py run_scheduler > var/scheduler.log 2>&1 &
pids+=($!)
echo
echo "Netral: http://127.0.0.1:8000  (worker log: var/worker.log; demo logins above and in var/demo-logins.txt)"
$py manage.py runserver 127.0.0.1:8000
