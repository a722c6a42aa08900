#!/usr/bin/env bash
# Start Netral on SQLite with demo data: web server and background worker on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
export NETRAL_DEBUG=1 PYTHONUNBUFFERED=1
py=.venv/bin/python
# Letters are PDFs (WeasyPrint): Pango, HarfBuzz and a font; screenshots are read by tesseract
# with its Indonesian model. Installed here when root on Debian.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ -f /etc/debian_version ]; then
  missing=()
  for p in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core tesseract-ocr tesseract-ocr-ind; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi
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
