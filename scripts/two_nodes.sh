#!/usr/bin/env bash
# Two web nodes on one PostgreSQL database behind a reverse proxy, on this machine (issue 14 item 6; docs/deploy.md
# §Server configuration). Creates a fresh database, loads the demo, then starts:
#   node A and node B — gunicorn (-c python:wrp.config.gunicorn) on two ports, each with its own `wrp worker`;
#   one `wrp scheduler`;
#   nginx on 127.0.0.1 (config in a temporary directory): a round-robin upstream of both nodes, and a second port whose
#   upstream is node A alone (for the 1-node vs 2-node figure).
# Both nodes share everything that must be shared: the database (which also holds the cache — rate limits — and the
# task queue), the data directory (private files; on two machines this must be shared storage), and the keys
# (SECRET_KEY, WRP_FIELD_KEY, WRP_AUDIT_KEY). Then it runs a smoke journey through the proxy (home page, sign-in,
# the unit's case list, a case page, the API list and one case), shows from the access logs that both nodes served,
# checks the scheduler's jobs ran once each, measures a page through the proxy with 1 node and with 2 (wrk when
# installed, else the Python client of bench/server.py), stops everything and drops the database.
#
#   bash scripts/two_nodes.sh                 # needs PostgreSQL at PG_URL and nginx (installed with apt-get if root)
#   PG_URL=postgres://postgres@127.0.0.1:5432 BENCH_SECONDS=10 TWO_NODES_ROUNDS=2 TWO_NODES_BENCH=0 KEEP=1 \
#     bash scripts/two_nodes.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/.venv/bin
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
DB=wrp_two_nodes_$$
BENCH=${TWO_NODES_BENCH:-1}
export BENCH_SECONDS=${BENCH_SECONDS:-10}

say() { printf '\n== %s  [%s]\n' "$*" "$(date +%T)"; }
fail() { echo "two_nodes.sh: $*" >&2; exit 1; }

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  [ "$(id -u)" = 0 ] || fail "nginx is not installed: apt-get install nginx-light (as root)"
  say "installing nginx (Debian package nginx-light)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx-light >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

WORK=$(mktemp -d /tmp/wrp-two-nodes.XXXXXX)
chmod 711 "$WORK"  # nginx's workers (user nobody when started by root) reach their temp dirs below, nothing else
DATA=$WORK/data    # WRP_DATA_DIR of both nodes (made 0700 by the platform)
mkdir -p "$WORK/nginx" "$WORK/logs"
chmod 755 "$WORK/nginx"

free_port() { "$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT_A=$(free_port); PORT_B=$(free_port); PORT_PROXY=$(free_port); PORT_ONE=$(free_port)

pids=()
nginx_pid=
stop() {  # TERM to everything started here; KILL what is still alive 35 s later; drop the database
  trap - INT TERM EXIT
  local pid tries alive
  [ -n "$nginx_pid" ] && kill -QUIT "$nginx_pid" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for tries in $(seq 350); do
    alive=0
    for pid in "${pids[@]}" $nginx_pid; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}" $nginx_pid; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${KEEP:-0}" = 1 ]; then
    echo "kept: database $DB, directory $WORK"
  else
    "$BIN/python" - "$PG_URL" "$DB" <<'EOF' || true
import sys, psycopg
with psycopg.connect(sys.argv[1] + "/postgres", autocommit=True) as connection:
    connection.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
EOF
    rm -rf "$WORK"
  fi
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap 'stop' EXIT

say "fresh database $DB, shared data directory $DATA"
"$BIN/python" - "$PG_URL" "$DB" <<'EOF'
import sys, psycopg
with psycopg.connect(sys.argv[1] + "/postgres", autocommit=True) as connection:
    connection.execute(f'CREATE DATABASE "{sys.argv[2]}"')
EOF
key() { "$BIN/python" -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'; }
# What every node must share. Outside production these keys would otherwise be derived from a secret key generated
# into the data directory; set them explicitly, as a deployment of several nodes must.
export DATABASE_URL=$PG_URL/$DB
export WRP_DATA_DIR=$DATA
export SECRET_KEY=$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))')
export WRP_FIELD_KEY=$(key)
export WRP_AUDIT_KEY=$(key)
export WRP_PUBLIC_BASE_URL=http://127.0.0.1:$PORT_PROXY
# The client address (rate limits) comes from X-Forwarded-For only when the peer is the proxy. The nodes listen on
# 127.0.0.1, where nginx connects from; nginx replaces any X-Forwarded-For a client sent with the address it saw.
export TRUSTED_PROXIES=127.0.0.1
export TRUST_X_FORWARDED_FOR=false
unset WRP_ENV WRP_TASKS_BACKEND WEB_BIND

umask 077
"$BIN/wrp" migrate --no-input -v 0
"$BIN/wrp" collectstatic --no-input --verbosity 0
say "demo data (about a minute)"
"$BIN/wrp" demo --if-empty | tail -1
TOKEN=$("$BIN/wrp" user token hr 2>/dev/null | tail -1 | awk '{print $NF}')

say "node A :$PORT_A, node B :$PORT_B (gunicorn, -c python:wrp.config.gunicorn), a worker each, one scheduler"
for node in a b; do
  port=$PORT_A; [ $node = b ] && port=$PORT_B
  WEB_ACCESS_LOG=$WORK/logs/node-$node.access.log "$BIN/gunicorn" -c python:wrp.config.gunicorn \
    --bind "127.0.0.1:$port" --control-socket "$WORK/node-$node.ctl" --name "wrp-node-$node" \
    >"$WORK/logs/node-$node.log" 2>&1 &
  pids+=($!)
  "$BIN/wrp" worker >"$WORK/logs/worker-$node.log" 2>&1 &
  pids+=($!)
done
"$BIN/wrp" scheduler >"$WORK/logs/scheduler.log" 2>&1 &
pids+=($!)

cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/logs/nginx.error.log warn;
daemon off;
events { worker_connections 1024; }
http {
    # No query string (\$uri, not \$request_uri) and no referrer: the log keeps no search term or cursor.
    log_format wrp '\$remote_addr [\$time_local] "\$request_method \$uri \$server_protocol" \$status \$body_bytes_sent '
                   '\$request_time upstream=\$upstream_addr \$upstream_response_time';
    access_log $WORK/logs/nginx.access.log wrp;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    # Uploads are read whole by the proxy before a node sees them (a slow line holds no gunicorn thread); the platform
    # refuses bodies over WRP_MAX_REQUEST_BYTES (21 MiB) itself, so the proxy allows a little more.
    client_max_body_size 22m;
    upstream wrp_nodes {
        server 127.0.0.1:$PORT_A;
        server 127.0.0.1:$PORT_B;
        keepalive 32;
        keepalive_timeout 4s;   # shorter than gunicorn's keepalive (5 s)
    }
    upstream wrp_node_a {
        server 127.0.0.1:$PORT_A;
        keepalive 32;
        keepalive_timeout 4s;
    }
    map \$server_port \$wrp_upstream { $PORT_ONE wrp_node_a; default wrp_nodes; }
    server {
        listen 127.0.0.1:$PORT_PROXY;
        listen 127.0.0.1:$PORT_ONE;
        location / {
            proxy_pass http://\$wrp_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;
            proxy_set_header X-Forwarded-For \$remote_addr;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_read_timeout 60s;
        }
    }
}
EOF
"$NGINX" -e "$WORK/logs/nginx.error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -t -q
"$NGINX" -e "$WORK/logs/nginx.error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
nginx_pid=$!

wait_port() {
  local tries
  for tries in $(seq 600); do
    (: </dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.1
  done
  fail "nothing listens on port $1 after 60 s (logs: $WORK/logs)"
}
for port in $PORT_A $PORT_B $PORT_PROXY $PORT_ONE; do wait_port "$port"; done
say "proxy http://127.0.0.1:$PORT_PROXY/ (both nodes), http://127.0.0.1:$PORT_ONE/ (node A alone)"

say "smoke journey through the proxy"
PROXY=http://127.0.0.1:$PORT_PROXY TOKEN=$TOKEN "$BIN/python" - <<'EOF'
import json, os, re, sys, urllib.request
sys.path.insert(0, "bench")
from server import sign_in

base, token = os.environ["PROXY"], os.environ["TOKEN"]

def get(path, headers=None, expect=200):
    request = urllib.request.Request(base + path, headers=headers or {})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == expect, (path, response.status)
        return response.read().decode()

get("/")
print("  GET /                      200")
cookie = sign_in(base)
print("  sign-in as hr              302 (session cookie)")
listing = get("/unit/cases/", {"Cookie": cookie})
cases = sorted(set(re.findall(r'href="/cases/([A-Z0-9-]+)/"', listing)))
assert cases, "the unit's case list shows no case"
print(f"  GET /unit/cases/           200 ({len(cases)} cases linked)")
page = get(f"/cases/{cases[0]}/", {"Cookie": cookie})
assert cases[0] in page
print("  GET /cases/<id>/           200")
api = json.loads(get("/api/v1/cases", {"Authorization": f"Bearer {token}"}))
items = api.get("items") or api.get("results") or []
assert items, api
print(f"  GET /api/v1/cases          200 ({len(items)} items)")
one = json.loads(get(f"/api/v1/cases/{items[0]['id']}", {"Authorization": f"Bearer {token}"}))
assert one["id"] == items[0]["id"]
print("  GET /api/v1/cases/<id>     200")
for _ in range(20):
    get("/unit/cases/", {"Cookie": cookie})  # the session made on one node is read on the other
print("  20 × GET /unit/cases/      200 (same session, alternating nodes)")
EOF

say "requests per node (gunicorn access logs; query strings are never logged)"
count_a=$(wc -l <"$WORK/logs/node-a.access.log"); count_b=$(wc -l <"$WORK/logs/node-b.access.log")
echo "  node A: $count_a requests, node B: $count_b requests"
tail -n 2 "$WORK/logs/node-a.access.log" | sed 's/^/  A  /'
tail -n 2 "$WORK/logs/node-b.access.log" | sed 's/^/  B  /'
awk '{print $NF, $(NF-1)}' "$WORK/logs/nginx.access.log" | cut -d= -f2 | cut -d' ' -f1 | sort | uniq -c | sed 's/^/  proxy → /'
[ "$count_a" -gt 0 ] && [ "$count_b" -gt 0 ] || fail "one node served nothing"

say "the scheduler's jobs: one run per job and day across both workers"
for tries in $(seq 90); do  # up to ~90 s: the first tick comes at once, then the workers run the day's jobs
  pending=$("$BIN/wrp" shell --no-imports 2>/dev/null <<'EOF' | tail -1
from wrp.tasks.models import RunStatus, ScheduledRun
runs = ScheduledRun.objects.all()
print(runs.exclude(status=RunStatus.SUCCEEDED).count() if runs.exists() else -1)
EOF
) || true
  [ "$pending" = 0 ] && break
  sleep 1
done
"$BIN/wrp" shell --no-imports 2>&1 <<'EOF' | grep -v pikepdf
from django.db.models import Count
from wrp.tasks.models import ScheduledRun
runs = list(ScheduledRun.objects.order_by("job").values_list("job", "period", "status"))
for job, period, status in runs:
    print(f"  {job:<28} {period}  {status}")
assert runs, "the scheduler enqueued nothing"
twice = ScheduledRun.objects.values("job", "period").annotate(n=Count("id")).filter(n__gt=1)
assert not twice.exists(), list(twice)
EOF
for node in a b; do
  echo "  worker $node ran $(grep -c 'run_scheduled state=SUCCESSFUL' "$WORK/logs/worker-$node.log" || true) job(s)"
done

if [ "$BENCH" = 1 ]; then
  say "a signed-in page (/unit/cases/ of hr) and the API list through the proxy: node A alone, then both nodes"
  # alternated (TWO_NODES_ROUNDS times), so the machine's other work drifting between them weighs on both alike
  for target in $(for round in $(seq "${TWO_NODES_ROUNDS:-2}"); do echo "$PORT_ONE:1_node $PORT_PROXY:2_nodes"; done); do
    BENCH_TOKEN=$TOKEN "$BIN/python" bench/server.py --target "http://127.0.0.1:${target%%:*}" --label "${target#*:}" \
      || echo "  (the measurement through port ${target%%:*} failed: see above; the smoke journey passed)"
  done
  echo "  node A: $(wc -l <"$WORK/logs/node-a.access.log") requests in all, node B: $(wc -l <"$WORK/logs/node-b.access.log")"
fi

say "stopping everything"
stop
echo "two_nodes.sh: done"
