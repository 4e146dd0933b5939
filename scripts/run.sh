#!/usr/bin/env bash
# make run: migrate the database (SQLite under var/ unless DATABASE_URL says otherwise), collect static files,
# load the demo data into a new database, then serve with gunicorn on http://$HOST:$PORT together with one background
# worker (`wrp worker`) and the scheduler (`wrp scheduler`). Ctrl-C (SIGINT) or SIGTERM stops all three; if one of
# them exits on its own, the others are stopped too. docs/workers.md: running N workers and schedulers.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
export WEB_WORKERS=${WEB_WORKERS:-${WORKERS:-}}  # gunicorn worker processes (default: one per core); WORKERS: older name
DATA_DIR=${WRP_DATA_DIR:-var}
umask 077  # the database, uploads and the generated secret key: readable by this user alone (docs/deploy.md §Files)
mkdir -p "$DATA_DIR"
chmod 700 "$DATA_DIR"
"$BIN/wrp" migrate --no-input
"$BIN/wrp" collectstatic --no-input --verbosity 0
if [ "${WRP_DEMO:-1}" != "0" ] && "$BIN/wrp" help demo >/dev/null 2>&1; then  # WRP_DEMO=0: no demo data
  "$BIN/wrp" demo --if-empty
fi

pids=()
running() {  # the process exists and has not exited (an exited child stays a zombie until `wait` reaps it)
  local state
  state=$(cut -d')' -f2 "/proc/$1/stat" 2>/dev/null | cut -d' ' -f2) || return 1
  [ -n "$state" ] && [ "$state" != "Z" ]
}
stop() {  # TERM to all three; whatever has not stopped 35 s later (gunicorn drains for up to 30 s) is killed
  trap - INT TERM EXIT
  local pid deadline=$((SECONDS + 35))  # by the clock: on a loaded machine 350 rounds of 0.1 s take far longer
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  while [ "$SECONDS" -lt "$deadline" ]; do
    alive=0
    for pid in "${pids[@]}"; do running "$pid" && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do
    if running "$pid"; then
      echo "run.sh: $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)(pid $pid) did not stop in 35 s; killed" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  wait "${pids[@]}" 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap 'stop' EXIT

# gunicorn's settings are in src/wrp/config/gunicorn.py (docs/deploy.md §Server configuration): gthread workers, one
# per core with 8 threads each, 4 on SQLite (WEB_WORKERS, WEB_THREADS), timeouts that fit the API's 20 s upload wait,
# workers recycled after about 10,000 requests, an access log without query strings.
"$BIN/gunicorn" -c python:wrp.config.gunicorn --bind "$HOST:$PORT" --control-socket "$DATA_DIR/gunicorn.ctl" &
pids+=($!)
"$BIN/wrp" worker &
pids+=($!)
"$BIN/wrp" scheduler &
pids+=($!)

echo
echo "  朝阳区工作居住证服务平台  http://$HOST:$PORT/"
echo "  自助检查 Self-check      http://$HOST:$PORT/check/"
echo "  接口文档 API docs        http://$HOST:$PORT/api/v1/docs"
echo "  后台任务 worker + scheduler running (pids ${pids[*]:1}); Ctrl-C stops everything"
echo

# Wait until any of the three exits (or a signal arrives: the trap runs), then stop the rest.
set +e
wait -n "${pids[@]}"
code=$?
echo "run.sh: a process exited (status $code); stopping the others" >&2
exit "$code"
