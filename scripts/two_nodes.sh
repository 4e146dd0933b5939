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
# Shared state (issue 16): with TWO_NODES_REDIS=1 (default) the cache (rate limits, the workers' heartbeat), the
# sessions (cached_db) and the task queue (RQ) are on Redis at TWO_NODES_REDIS_URL (default db 12 of the local server,
# under a key prefix of this run); with TWO_NODES_S3=1 (default when the storage layer is there) the private files are
# in a bucket of a local S3 endpoint (moto server, tests/s3server.py) and none lands in the data directory. Then the
# journey of scripts/two_nodes_journey.py: a case's materials uploaded on node A, downloaded, reviewed and approved on
# node B; /health/ready of both nodes; a metrics scrape of both nodes before and after (the counters moved); the
# journey's upload request id found in node A's JSON log. Data: TWO_NODES_DATA=demo (default: `wrp demo`, about a
# minute) or light (the demo's staff and two units only: seconds; the CI test tests/ops/test_two_nodes.py).
#
#   bash scripts/two_nodes.sh                 # needs PostgreSQL at PG_URL and nginx (installed with apt-get if root)
#   PG_URL=postgres://postgres@127.0.0.1:5432 BENCH_SECONDS=10 TWO_NODES_ROUNDS=2 TWO_NODES_BENCH=0 KEEP=1 \
#     bash scripts/two_nodes.sh
#   TWO_NODES_DATA=light TWO_NODES_BENCH=0 bash scripts/two_nodes.sh     # what CI runs
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/.venv/bin
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
DB=wrp_two_nodes_$$
BENCH=${TWO_NODES_BENCH:-1}
export BENCH_SECONDS=${BENCH_SECONDS:-10}
DATA_SET=${TWO_NODES_DATA:-demo}
# The light run (CI) starts one gunicorn process per node: half the start-up on a small machine; two nodes still.
[ "$DATA_SET" = light ] && export WEB_WORKERS=${WEB_WORKERS:-1}
USE_REDIS=${TWO_NODES_REDIS:-1}
USE_S3=${TWO_NODES_S3:-auto}
if [ "$USE_S3" = auto ]; then
  USE_S3=0
  [ -f tests/s3server.py ] && grep -q WRP_STORAGE src/wrp/config/settings.py && USE_S3=1
fi

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
  if [ "$USE_REDIS" = 1 ] && [ -n "${WRP_CACHE_KEY_PREFIX:-}" ]; then  # this run's cache keys (sessions, limits, beat)
    "$BIN/python" - <<'EOF' || true
import os, redis
client = redis.Redis.from_url(os.environ["REDIS_URL"])
keys = list(client.scan_iter(match=os.environ["WRP_CACHE_KEY_PREFIX"] + ":*"))
if keys:
    client.delete(*keys)
EOF
  fi
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
unset WRP_ENV WRP_TASKS_BACKEND WEB_BIND WRP_CACHE WRP_SESSIONS WRP_STORAGE PROMETHEUS_MULTIPROC_DIR
# Logs as in production: a JSON object per line with the request id, and a line per request.
export WRP_LOG_FORMAT=json WRP_LOG_REQUESTS=true
if [ "$USE_REDIS" = 1 ]; then
  export REDIS_URL=${TWO_NODES_REDIS_URL:-redis://127.0.0.1:6379/12}
  export WRP_CACHE=redis WRP_SESSIONS=cache WRP_TASKS_BACKEND=rq WRP_CACHE_KEY_PREFIX=wrp-two-nodes-$$
  "$BIN/python" -c 'import os, redis; redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=2).ping()' \
    || fail "Redis does not answer at $REDIS_URL (TWO_NODES_REDIS=0 runs without it)"
  say "Redis at $REDIS_URL: cache and sessions (key prefix $WRP_CACHE_KEY_PREFIX), the RQ task queue"
fi
s3() {  # a boto3 S3 client of the local endpoint, for the Python expression $1 on it (`client`)
  "$BIN/python" -c "import os, boto3
client = boto3.client('s3', endpoint_url=os.environ['WRP_S3_ENDPOINT_URL'], region_name='us-east-1',
    aws_access_key_id=os.environ['WRP_S3_ACCESS_KEY_ID'], aws_secret_access_key=os.environ['WRP_S3_SECRET_ACCESS_KEY'])
print($1)"
}
if [ "$USE_S3" = 1 ]; then
  "$BIN/python" -m tests.s3server >"$WORK/logs/s3.log" 2>&1 &
  pids+=($!)
  for tries in $(seq 300); do grep -q '^http://' "$WORK/logs/s3.log" 2>/dev/null && break; sleep 0.1; done
  S3_URL=$(grep -m1 '^http://' "$WORK/logs/s3.log") || fail "the local S3 endpoint did not start (log: $WORK/logs/s3.log)"
  export WRP_STORAGE=s3 WRP_S3_BUCKET=wrp-two-nodes-$$ WRP_S3_ENDPOINT_URL=$S3_URL WRP_S3_REGION=us-east-1
  export WRP_S3_ACCESS_KEY_ID=testing-access-key WRP_S3_SECRET_ACCESS_KEY=testing-secret-key
  s3 "client.create_bucket(Bucket=os.environ['WRP_S3_BUCKET'])['ResponseMetadata']['HTTPStatusCode']" >/dev/null
  say "private files in the bucket $WRP_S3_BUCKET of the local S3 endpoint $S3_URL"
fi

umask 077
"$BIN/wrp" migrate --no-input -v 0
"$BIN/wrp" collectstatic --no-input --verbosity 0
if [ "$DATA_SET" = light ]; then
  say "the demo's staff and two units with their accounts (its setup day alone)"
  "$BIN/wrp" shell --no-imports <<'EOF' 2>&1 | grep -v pikepdf | tail -3
from django.utils import timezone
from wrp.demo.dataset import demo_setup
from wrp.demo.steps import Demo, demo_pdf
from wrp.demo.timeline import one_hash_per_password
with one_hash_per_password():
    demo_setup(Demo(today=timezone.localdate(), pdf=demo_pdf()))
EOF
else
  say "demo data (about a minute)"
  "$BIN/wrp" demo --if-empty | tail -1
fi
TOKEN=$("$BIN/wrp" user token hr 2>/dev/null | tail -1 | awk '{print $NF}')
TOKEN_CLERK=$("$BIN/wrp" user token clerk 2>/dev/null | tail -1 | awk '{print $NF}')
# The journey's unit: registered by its new handler `hr_nodes`, its account not yet opened (the journey opens it).
UNIT=$("$BIN/wrp" shell --no-imports 2>/dev/null <<'EOF' | tail -1
from django.utils import timezone
from wrp.accounts.models import Role
from wrp.demo.steps import Demo, credit_code
demo = Demo(today=timezone.localdate())
demo.serial = 900
unit = demo.unit(demo.person("hr_nodes", Role.UNIT_HANDLER, "人事两节点"), "北京双节点试运行有限公司", credit_code(900))
print(unit.credit_code)
EOF
)
TOKEN_JOURNEY=$("$BIN/wrp" user token hr_nodes 2>/dev/null | tail -1 | awk '{print $NF}')

say "node A :$PORT_A, node B :$PORT_B (gunicorn, -c python:wrp.config.gunicorn), a worker each, one scheduler"
for node in a b; do
  port=$PORT_A; [ $node = b ] && port=$PORT_B
  mkdir -p "$WORK/prometheus-$node"  # the node's processes add up their request figures here (wrp.ops.metrics)
  PROMETHEUS_MULTIPROC_DIR=$WORK/prometheus-$node \
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

probe() {  # $1 = ready | requests | approved: both nodes' /health/ready, or a figure of their /metrics
  PORTS="$PORT_A $PORT_B" "$BIN/python" - "$1" <<'EOF'
import json, os, sys, urllib.error, urllib.request
from prometheus_client.parser import text_string_to_metric_families
what, total = sys.argv[1], 0.0
for port in os.environ["PORTS"].split():
    base = f"http://127.0.0.1:{port}"
    if what == "ready":
        try:
            with urllib.request.urlopen(base + "/health/ready", timeout=30) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as error:
            sys.exit(f"node :{port} is not ready: {error.code} {error.read().decode()}")
        print(f"  node :{port} /health/ready 200: " + ", ".join(
            f"{name} {check['status']} {check['ms']} ms" for name, check in body["checks"].items()))
        continue
    with urllib.request.urlopen(base + "/metrics", timeout=30) as response:
        text = response.read().decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if what == "requests" and sample.name == "wrp_http_requests_total":
                total += sample.value  # each node counts its own requests
            if what == "approved" and sample.name == "wrp_cases" and sample.labels.get("state") == "approved":
                total = sample.value  # the same figure on each node: read from the database
if what != "ready":
    print(int(total))
EOF
}
say "both nodes ready (/health/ready; the first answers of a fresh node are slow on a loaded machine)"
for tries in $(seq 90); do probe ready >/dev/null 2>&1 && break; sleep 2; done  # up to ~3 min: workers' first beats
probe ready
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

say "metrics of both nodes before the journey"
requests_before=$(probe requests)
approved_before=$(probe approved)
echo "  requests counted (both nodes): $requests_before; approved cases: $approved_before"

say "the journey: materials uploaded on node A; downloaded, reviewed and approved on node B"
journey=$(NODE_A=http://127.0.0.1:$PORT_A NODE_B=http://127.0.0.1:$PORT_B TOKEN_HR=$TOKEN_JOURNEY TOKEN_CLERK=$TOKEN_CLERK \
  UNIT=$UNIT "$BIN/python" scripts/two_nodes_journey.py) || { echo "$journey"; fail "the journey failed"; }
echo "$journey" | grep -v '^journey-request-id'
JOURNEY_ID=$(echo "$journey" | awk '/^journey-request-id/ {print $2}')
[ -n "$JOURNEY_ID" ] || fail "the journey reported no request id"

say "after the journey: the counters moved, its request id in node A's log, its files in the shared storage"
requests_after=$(probe requests)
approved_after=$(probe approved)
echo "  requests counted (both nodes): $requests_before → $requests_after; approved cases: $approved_before → $approved_after"
[ "$requests_after" -gt "$requests_before" ] || fail "the request counters did not move"
[ "$approved_after" -gt "$approved_before" ] || fail "the gauge of approved cases did not move"
line=$(grep -h "\"request_id\": \"$JOURNEY_ID\"" "$WORK/logs/node-a.log" | head -1) || true
[ -n "$line" ] || fail "no line of node A's log carries the journey's request id $JOURNEY_ID"
echo "  node A log: $line"
if [ "$USE_S3" = 1 ]; then
  on_disk=$({ find "$DATA/private" -type f 2>/dev/null || true; } | wc -l)
  in_bucket=$(s3 "client.list_objects_v2(Bucket=os.environ['WRP_S3_BUCKET']).get('KeyCount', 0)")
  echo "  private files: $in_bucket object(s) in the bucket, $on_disk file(s) in the data directory"
  [ "$in_bucket" -gt 0 ] && [ "$on_disk" -eq 0 ] || fail "the private files are not in the bucket alone"
fi

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
  echo "  worker $node ran $(grep -c 'scheduled run [^"]*: done after' "$WORK/logs/worker-$node.log" || true) job(s)"
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
