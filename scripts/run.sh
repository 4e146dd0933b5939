#!/usr/bin/env bash
# make run: migrate the database (SQLite under var/ unless DATABASE_URL says otherwise), collect static files,
# load the demo data into a new database, and serve with gunicorn on http://$HOST:$PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
WORKERS=${WORKERS:-2}
mkdir -p "${WRP_DATA_DIR:-var}"
"$BIN/wrp" migrate --no-input
"$BIN/wrp" collectstatic --no-input --verbosity 0
if "$BIN/wrp" help demo >/dev/null 2>&1; then
  "$BIN/wrp" demo --if-empty
fi
echo
echo "  朝阳区工作居住证服务平台  http://$HOST:$PORT/"
echo "  自助检查 Self-check      http://$HOST:$PORT/check/"
echo "  接口文档 API docs        http://$HOST:$PORT/api/v1/docs"
echo
exec "$BIN/gunicorn" wrp.config.wsgi --bind "$HOST:$PORT" --workers "$WORKERS" --access-logfile - --graceful-timeout 5
