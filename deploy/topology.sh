#!/usr/bin/env bash
# The production topology on one machine, for the chaos test and the benchmarks:
#   nginx (TLS, static files) -> two gunicorn nodes on loopback ports
#   PostgreSQL primary + streaming replica (pg_basebackup -R), moto's S3-compatible server,
#   two workers, two schedulers.
# The processes run the ExecStart lines of deploy/systemd/*.service (with /opt/netral, %i, %H and
# the environment file substituted) and nginx runs deploy/nginx/netral.conf (with this machine's
# ports and paths), so what runs here is what is deployed. No Redis: the app needs none (cache,
# counters and tasks live in PostgreSQL; NETRAL_CACHE_URL is optional).
#
#   deploy/topology.sh up DIR [--data-only] [--no-migrate] [KEY=VALUE ...]
#       start everything in DIR (data, logs/, pids/<name>.pid), migrate, load regions and rules,
#       collect static files, and write DIR/topology.env (NETRAL_BASE_URL, NETRAL_CA_FILE,
#       DATABASE_URL, NETRAL_DATABASE_REPLICA_URL, NETRAL_STORAGE_URL, ...). KEY=VALUE pairs
#       override the application's environment (DIR/netral.env, made from
#       deploy/netral.env.example). --data-only starts PostgreSQL and moto and migrates, so data
#       can be loaded into the primary before the nodes start; a second `up DIR` starts the rest
#       (`up` only starts what is not running).
#   deploy/topology.sh down DIR            stop everything (DIR stays for its logs)
#   deploy/topology.sh start DIR NAME      (re)start one: web1 web2 worker1 worker2 scheduler1
#                                          scheduler2 proxy moto pg-primary pg-replica
#   deploy/topology.sh stop DIR NAME       stop one (SIGTERM, then SIGKILL after 10 s)
#   deploy/topology.sh kill DIR NAME       SIGKILL one (its whole process group)
# Ports: NETRAL_TOPOLOGY_PORT_BASE (default 18200): +0 https, +1 http, +2/+3 web nodes,
# +4 primary, +5 replica, +6 moto. Everything listens on 127.0.0.1 only.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
py=$ROOT/.venv/bin/python
SERVICES=(web1 web2 worker1 worker2 scheduler1 scheduler2)

die() { echo "topology: $*" >&2; exit 1; }
log() { echo "topology: $*" >&2; }
[ $# -ge 2 ] || die "usage: $0 up|down|start|stop|kill DIR [NAME] [options]"
action=$1
mkdir -p "$2"
DIR=$(cd "$2" && pwd)
shift 2

base=${NETRAL_TOPOLOGY_PORT_BASE:-18200}
https_port=$base http_port=$((base + 1)) web1_port=$((base + 2)) web2_port=$((base + 3))
primary_port=$((base + 4)) replica_port=$((base + 5)) moto_port=$((base + 6))
pg_bin=${NETRAL_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
nginx_bin=${NETRAL_NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
as_pg=()
[ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)

pidfile() { echo "$DIR/pids/$1.pid"; }
alive() { local f; f=$(pidfile "$1"); [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; }

# --- The application's environment --------------------------------------------------------------
write_env() {  # DIR/netral.env: the example's settings, this machine's values, then the overrides
  local secret identity audit
  if [ -s "$DIR/netral.env" ] && [ $# -eq 0 ]; then return; fi
  secret=$($py -c 'import secrets; print(secrets.token_urlsafe(64))')
  identity="topology:$($py -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')"
  audit="topology:$($py -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')"
  if [ -s "$DIR/netral.env" ]; then  # keep the keys of the data already written
    secret=$(sed -n 's/^NETRAL_SECRET_KEY=//p' "$DIR/netral.env")
    identity=$(sed -n 's/^NETRAL_IDENTITY_KEYS=//p' "$DIR/netral.env")
    audit=$(sed -n 's/^NETRAL_AUDIT_SIGNING_KEY=//p' "$DIR/netral.env")
  fi
  $py - "$ROOT/deploy/netral.env.example" "$DIR/netral.env" "$@" <<PY
import sys
example, target, *overrides = sys.argv[1:]
values = {}
for line in open(example, encoding="utf-8"):
    line = line.strip()
    if line and not line.startswith("#") and "=" in line:
        key, value = line.split("=", 1)
        values[key] = value
values.update({
    "NETRAL_SECRET_KEY": "$secret",
    "NETRAL_IDENTITY_KEYS": "$identity",
    "NETRAL_AUDIT_SIGNING_KEY": "$audit",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:$primary_port/netral",
    "NETRAL_DATABASE_REPLICA_URL": "postgres://postgres@127.0.0.1:$replica_port/netral",
    "NETRAL_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "NETRAL_CSRF_TRUSTED_ORIGINS": "https://127.0.0.1:$https_port,https://localhost:$https_port",
    "NETRAL_SITE_URL": "https://127.0.0.1:$https_port",
    "NETRAL_STORAGE_URL": "s3://netral/files?endpoint_url=http://127.0.0.1:$moto_port",
    "AWS_ACCESS_KEY_ID": "topology",
    "AWS_SECRET_ACCESS_KEY": "topology",
    "AWS_DEFAULT_REGION": "us-east-1",
    "NETRAL_VAR_DIR": "$DIR/var",
    "NETRAL_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    "NETRAL_EMAIL_HOST": "127.0.0.1",
    "NETRAL_FROM_EMAIL": '"Netral <netral@localhost>"',
    "GUNICORN_CMD_ARGS": '"--workers 2 --timeout 60 --graceful-timeout 10"',
    "NETRAL_SCHEDULER_INTERVAL": "2",
})
for item in overrides:
    key, sep, value = item.partition("=")
    if not sep or not key.replace("_", "").isalnum():
        sys.exit(f"topology: not a KEY=VALUE override: {item!r}")
    values[key] = value
with open(target, "w", encoding="utf-8") as out:
    out.write("# Made by deploy/topology.sh from deploy/netral.env.example\n")
    out.writelines(f"{key}={value}\n" for key, value in values.items())
PY
  chmod 600 "$DIR/netral.env"
}

env_of_file() {  # the environment a unit gets (EnvironmentFile= semantics), NUL-separated
  $py - "$DIR/netral.env" <<'PY'
import sys
out = []
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if not line or line.startswith("#") or "=" not in line:
        continue
    key, value = line.split("=", 1)
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    out.append(f"{key}={value}")
sys.stdout.write("\0".join(out))
PY
}

manage() {  # manage.py with the nodes' environment
  local envs=()
  mapfile -d '' envs < <(env_of_file)
  (cd "$ROOT" && env -i PATH="$PATH" HOME="${HOME:-/root}" LANG=C.UTF-8 PYTHONUNBUFFERED=1 \
    "${envs[@]}" "$py" manage.py "$@")
}

# --- PostgreSQL primary and replica -------------------------------------------------------------
pg_ctl_of() { "${as_pg[@]}" "$pg_bin/pg_ctl" "$@"; }

start_pg() {  # name data-directory port
  local name=$1 data=$2 port=$3
  pg_ctl_of -D "$data" -l "$DIR/pg/$name.log" -w -t 60 \
    -o "-p $port -k $DIR/pg -c listen_addresses=127.0.0.1" start >/dev/null
  head -n 1 "$data/postmaster.pid" >"$(pidfile "$name")"
}

up_pg() {
  [ -x "$pg_bin/initdb" ] || die "no PostgreSQL server binaries (apt-get install postgresql)"
  mkdir -p "$DIR/pg"
  [ ${#as_pg[@]} -gt 0 ] && chown postgres "$DIR/pg"
  if [ ! -d "$DIR/pg/primary" ]; then
    log "initdb primary (127.0.0.1:$primary_port)"
    "${as_pg[@]}" "$pg_bin/initdb" -D "$DIR/pg/primary" -U postgres --auth=trust -E UTF8 \
      >"$DIR/logs/initdb.log" 2>&1 || { cat "$DIR/logs/initdb.log" >&2; die "initdb failed"; }
    # A throwaway machine: no fsync (a crash of the OS loses the topology anyway).
    cat >>"$DIR/pg/primary/postgresql.conf" <<EOF
wal_level = replica
max_wal_senders = 5
hot_standby = on
fsync = off
full_page_writes = off
max_connections = 200
EOF
  fi
  alive pg-primary || start_pg pg-primary "$DIR/pg/primary" "$primary_port"
  "$pg_bin/psql" -h 127.0.0.1 -p "$primary_port" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'netral'" | grep -q 1 \
    || "$pg_bin/createdb" -h 127.0.0.1 -p "$primary_port" -U postgres netral
  if [ ! -d "$DIR/pg/replica" ]; then
    log "pg_basebackup -R replica (127.0.0.1:$replica_port)"
    "${as_pg[@]}" "$pg_bin/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres \
      -D "$DIR/pg/replica" -R -X stream -c fast >"$DIR/logs/basebackup.log" 2>&1 \
      || { cat "$DIR/logs/basebackup.log" >&2; die "pg_basebackup failed"; }
  fi
  alive pg-replica || start_pg pg-replica "$DIR/pg/replica" "$replica_port"
}

# --- Object storage (moto's S3 server) ----------------------------------------------------------
up_moto() {
  alive moto && return
  log "moto S3 server (127.0.0.1:$moto_port)"
  setsid "$ROOT/.venv/bin/moto_server" -H 127.0.0.1 -p "$moto_port" >>"$DIR/logs/moto.log" 2>&1 &
  echo $! >"$(pidfile moto)"
  AWS_ACCESS_KEY_ID=topology AWS_SECRET_ACCESS_KEY=topology AWS_DEFAULT_REGION=us-east-1 \
    $py - "$moto_port" <<'PY'
import sys, time
import boto3
client = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}")
for _ in range(100):
    try:
        if "netral" not in [b["Name"] for b in client.list_buckets()["Buckets"]]:
            client.create_bucket(Bucket="netral")
        break
    except Exception:
        time.sleep(0.2)
else:
    sys.exit("topology: moto did not start")
PY
}

# --- The units ----------------------------------------------------------------------------------
unit_of() {  # service name -> unit file and instance
  case $1 in
    web1) echo "netral-web@.service $web1_port" ;;
    web2) echo "netral-web@.service $web2_port" ;;
    worker[0-9]) echo "netral-worker@.service ${1#worker}" ;;
    scheduler[0-9]) echo "netral-scheduler@.service ${1#scheduler}" ;;
    *) die "unknown service $1" ;;
  esac
}

exec_start() {  # the unit's ExecStart= as argv (NUL-separated), as systemd would run it here
  $py - "$ROOT/deploy/systemd/$1" "$2" "$ROOT" "$DIR/netral.env" <<'PY'
import os, re, shlex, socket, sys
unit, instance, root, env_file = sys.argv[1:]
env = {}
for line in open(env_file, encoding="utf-8"):
    line = line.strip()
    if line and not line.startswith("#") and "=" in line:
        key, value = line.split("=", 1)
        env[key] = value[1:-1] if len(value) >= 2 and value[0] == value[-1] in "\"'" else value
lines = [l for l in open(unit, encoding="utf-8") if l.startswith("ExecStart=")]
if len(lines) != 1:
    sys.exit(f"{unit}: expected one ExecStart= line")
line = lines[0].split("=", 1)[1].strip()
specifiers = {"%i": instance, "%H": socket.gethostname().split(".")[0], "%%": "%"}
line = re.sub(r"%[iH%]", lambda m: specifiers[m.group(0)], line)
line = line.replace("/opt/netral", root)
def expand(match):
    name = match.group(1) or match.group(2)
    if name not in env:
        sys.exit(f"{unit}: ${name} is not in {env_file}")
    return env[name]
line = re.sub(r"\$\{(\w+)\}|\$(\w+)", expand, line)
sys.stdout.write("\0".join(shlex.split(line)))
PY
}

start_service() {
  local name=$1 unit instance cmd=() envs=()
  alive "$name" && return
  read -r unit instance < <(unit_of "$name")
  mapfile -d '' cmd < <(exec_start "$unit" "$instance")
  mapfile -d '' envs < <(env_of_file)
  # Its own session (process group), like a unit's cgroup: `kill` ends the node with its children.
  (cd "$ROOT" && exec setsid env -i PATH="$PATH" HOME="${HOME:-/root}" LANG=C.UTF-8 \
    PYTHONUNBUFFERED=1 "${envs[@]}" "${cmd[@]}" >>"$DIR/logs/$name.log" 2>&1) &
  echo $! >"$(pidfile "$name")"
}

# --- nginx --------------------------------------------------------------------------------------
up_proxy() {
  alive proxy && return
  [ -x "$nginx_bin" ] || die "no nginx (apt-get install nginx-light)"
  mkdir -p "$DIR/nginx/tmp" "$DIR/tls"
  if [ ! -s "$DIR/tls/cert.pem" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
      -keyout "$DIR/tls/key.pem" -out "$DIR/tls/cert.pem" >/dev/null 2>&1 \
      || die "openssl could not make the certificate"
  fi
  # deploy/nginx/netral.conf with this machine's ports and paths.
  sed -e "s|listen 443 ssl|listen 127.0.0.1:$https_port ssl|" \
      -e "s|listen 80;|listen 127.0.0.1:$http_port;|" \
      -e "s|127.0.0.1:8001|127.0.0.1:$web1_port|" -e "s|127.0.0.1:8002|127.0.0.1:$web2_port|" \
      -e "s|/etc/ssl/netral/fullchain.pem|$DIR/tls/cert.pem|" \
      -e "s|/etc/ssl/netral/privkey.pem|$DIR/tls/key.pem|" \
      -e "s|/var/lib/netral/static/|$DIR/var/static/|" \
      -e "s|return 301 https://\$host\$request_uri|return 301 https://\$host:$https_port\$request_uri|" \
      -e "s|server_name netral.example.go.id|server_name 127.0.0.1 localhost|" \
      "$ROOT/deploy/nginx/netral.conf" >"$DIR/nginx/netral.conf"
  local user_line=""
  if [ "$(id -u)" = 0 ]; then  # workers drop to www-data (or nobody): they read the static files
    local worker_user=www-data
    id -u www-data >/dev/null 2>&1 || worker_user=nobody
    user_line="user $worker_user;"
    chown -R "$worker_user" "$DIR/nginx/tmp"
  fi
  cat >"$DIR/nginx/nginx.conf" <<EOF
$user_line
worker_processes 2;
daemon off;
pid $DIR/nginx/nginx.pid;
error_log $DIR/logs/proxy.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $DIR/logs/proxy-access.log;
    client_body_temp_path $DIR/nginx/tmp/body;
    proxy_temp_path $DIR/nginx/tmp/proxy;
    fastcgi_temp_path $DIR/nginx/tmp/fastcgi;
    uwsgi_temp_path $DIR/nginx/tmp/uwsgi;
    scgi_temp_path $DIR/nginx/tmp/scgi;
    sendfile on;
    include $DIR/nginx/netral.conf;
}
EOF
  "$nginx_bin" -t -q -e "$DIR/logs/proxy.log" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" || die "nginx -t failed"
  setsid "$nginx_bin" -e "$DIR/logs/proxy.log" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" >>"$DIR/logs/proxy.log" 2>&1 &
  echo $! >"$(pidfile proxy)"
}

wait_http() {  # url, expected status, seconds
  local code=""
  for _ in $(seq 1 $(($3 * 4))); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DIR/tls/cert.pem" \
      -H 'X-Forwarded-Proto: https' "$1" || true)
    [ "$code" = "$2" ] && return 0
    sleep 0.25
  done
  die "$1 answered $code, not $2, within $3 s (logs in $DIR/logs)"
}

write_topology_env() {
  cat >"$DIR/topology.env" <<EOF
# Made by deploy/topology.sh up; KEY=VALUE lines (values have no spaces or quotes).
NETRAL_TOPOLOGY_DIR=$DIR
NETRAL_BASE_URL=https://127.0.0.1:$https_port
NETRAL_CA_FILE=$DIR/tls/cert.pem
NETRAL_ENV_FILE=$DIR/netral.env
DATABASE_URL=postgres://postgres@127.0.0.1:$primary_port/netral
NETRAL_DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:$replica_port/netral
NETRAL_STORAGE_URL=s3://netral/files?endpoint_url=http://127.0.0.1:$moto_port
AWS_ACCESS_KEY_ID=topology
AWS_SECRET_ACCESS_KEY=topology
AWS_DEFAULT_REGION=us-east-1
NETRAL_WEB_NODES=http://127.0.0.1:$web1_port,http://127.0.0.1:$web2_port
EOF
}

stop_one() {  # name signal wait-seconds
  local name=$1 f pid
  f=$(pidfile "$name")
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  case $name in
    pg-primary) pg_ctl_of -D "$DIR/pg/primary" -m fast -w stop >/dev/null 2>&1 || true ;;
    pg-replica) pg_ctl_of -D "$DIR/pg/replica" -m fast -w stop >/dev/null 2>&1 || true ;;
    *)
      kill -"$2" -- -"$pid" 2>/dev/null || kill -"$2" "$pid" 2>/dev/null || true
      for _ in $(seq 1 $(($3 * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then kill -KILL -- -"$pid" 2>/dev/null || true; fi
      ;;
  esac
  rm -f "$f"
}

start_one() {
  case $1 in
    pg-primary) start_pg pg-primary "$DIR/pg/primary" "$primary_port" ;;
    pg-replica) start_pg pg-replica "$DIR/pg/replica" "$replica_port" ;;
    moto) up_moto ;;
    proxy) up_proxy ;;
    *) start_service "$1" ;;
  esac
}

case $action in
  up)
    data_only=false migrate=true overrides=()
    for arg in "$@"; do
      case $arg in
        --data-only) data_only=true ;;
        --no-migrate) migrate=false ;;
        *=*) overrides+=("$arg") ;;
        *) die "unknown option $arg" ;;
      esac
    done
    mkdir -p "$DIR/pids" "$DIR/logs" "$DIR/var"
    chmod 711 "$DIR"  # postgres and nginx's workers reach their own directories inside
    write_env "${overrides[@]}"
    up_pg
    up_moto
    if $migrate; then
      log "migrate, regions, rules, static files"
      manage migrate --no-input -v0
      manage createcachetable
      manage load_regions >/dev/null
      manage load_rules >/dev/null
      manage collectstatic --no-input -v0
      chmod -R a+rX "$DIR/var/static"
    fi
    write_topology_env
    if $data_only; then log "data services up ($DIR/topology.env)"; exit 0; fi
    for s in "${SERVICES[@]}"; do start_service "$s"; done
    up_proxy
    wait_http "http://127.0.0.1:$web1_port/health" 200 90
    wait_http "http://127.0.0.1:$web2_port/health" 200 30
    wait_http "https://127.0.0.1:$https_port/health" 200 30
    log "up: https://127.0.0.1:$https_port ($DIR/topology.env)"
    ;;
  down)
    for s in proxy web1 web2 worker1 worker2 scheduler1 scheduler2 moto; do stop_one "$s" TERM 10; done
    stop_one pg-replica TERM 10
    stop_one pg-primary TERM 10
    ;;
  start) [ $# -eq 1 ] || die "start DIR NAME"; start_one "$1" ;;
  stop) [ $# -eq 1 ] || die "stop DIR NAME"; stop_one "$1" TERM 10 ;;
  kill)
    [ $# -eq 1 ] || die "kill DIR NAME"
    case $1 in
      pg-*) pid=$(cat "$(pidfile "$1")"); kill -KILL "$pid"; rm -f "$(pidfile "$1")" ;;
      *) stop_one "$1" KILL 5 ;;
    esac
    ;;
  *) die "unknown action $action" ;;
esac
