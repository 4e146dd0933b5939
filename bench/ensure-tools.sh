#!/usr/bin/env bash
# The load generator of the PostgreSQL benchmarks (bench/common.py): wrk from Debian when it is missing. Without it
# the benchmarks fall back to a threaded Python client, whose figures are lower bounds (it shares the cores).
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; } || true
fi
command -v wrk >/dev/null 2>&1 || echo "bench: wrk not available; using the Python load generator" >&2
