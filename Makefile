# 朝阳区工作居住证服务平台 — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: run dev worker scheduler test lint bench bench-scale messages install serve clean

# Create the virtual environment and install the pinned dependency tree (once, again when the pins change).
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Set up and serve the platform on the embedded SQLite database (var/), with demo data on a new database, together
# with one background worker and the scheduler; Ctrl-C stops all three (WRP_DEMO=0: no demo data).
run: install
	bash scripts/run.sh

# Development: Django's server with DEBUG on and reloading on change, on the same database (no worker, no scheduler).
# Its error pages show the code's variables: never on a shared machine or a public address.
dev: install
	umask 077 && $(BIN)/wrp migrate --no-input && DEBUG=true $(BIN)/wrp runserver $(HOST):$(PORT)

# One more background worker, or a scheduler, beside `make run` or on another node (docs/workers.md).
worker: install
	$(BIN)/wrp worker

scheduler: install
	$(BIN)/wrp scheduler

# The whole suite on SQLite, then again on PostgreSQL when a server answers (required on CI).
test: install
	bash scripts/test.sh

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src/wrp/policy
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

bench: install
	$(BIN)/python bench/assess.py
	$(BIN)/python bench/uploads.py

# The PostgreSQL benchmarks of issue 14 (BENCH_PG=postgres://postgres@127.0.0.1:5432 by default; each makes a fresh
# database and drops it at the end): list timings at 1k/10k/100k cases, pages under gunicorn, the server shapes, sweep, quota, audit.
SCALE_BENCHES := scale_lists.py pages.py server.py sweep.py quota.py audit.py
bench-scale: install
	@bash bench/ensure-tools.sh
	@status=0; for b in $(SCALE_BENCHES); do \
	  if [ -f bench/$$b ]; then echo "== bench/$$b"; $(BIN)/python bench/$$b || status=1; \
	  else echo "== bench/$$b: missing, skipped"; fi; \
	done; exit $$status

# Refresh the catalogues (src/wrp/locale) after adding a msgid; prints the msgids still without English.
messages: install
	$(BIN)/python scripts/messages.py

clean:
	rm -rf $(VENV) var test-output .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache
