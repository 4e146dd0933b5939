"""gunicorn's configuration for the platform: `gunicorn -c python:wrp.config.gunicorn wrp.config.wsgi`
(scripts/run.sh, scripts/two_nodes.sh; docs/deploy.md §Server configuration, which has the measurements behind the
defaults). Every value can be changed from the environment; gunicorn's own command-line flags win over this file.

| variable | default | meaning |
|---|---|---|
| `WEB_BIND` | `127.0.0.1:8000` | address:port (or `unix:/path`) to listen on |
| `WEB_WORKERS` | number of cores | worker processes |
| `WEB_THREADS` | 8 (4 on SQLite) | threads per worker: requests served at once by a worker |
| `WEB_ACTIVE` | 0 (no limit) | at most this many of a worker's requests run the platform's code at once (wrp.core.admission) |
| `WEB_TIMEOUT` | 60 | seconds a worker's main loop may go silent before the arbiter kills the worker |
| `WEB_GRACEFUL_TIMEOUT` | 30 | seconds a stopping or recycled worker keeps serving the requests it has |
| `WEB_KEEPALIVE` | 5 | seconds an idle HTTP/1.1 connection is kept open |
| `WEB_MAX_REQUESTS` | 10000 | a worker is replaced after about this many requests (0: never) |
| `WEB_KEEPALIVE_LIFETIME_MS` | 1000 | a kept-alive connection is closed after its first request past this age (0: never) |
| `WEB_KEEPALIVE_REQUESTS` | 100 | a kept-alive connection is closed after this many requests (0: never) |
| `WEB_PRELOAD` | true | load the platform once in the master and fork the workers from it (false: each worker loads it) |
| `WEB_ACCESS_LOG` | `-` | access log file (`-`: standard output; empty: none) |

Each thread of each worker holds at most one database connection (`CONN_MAX_AGE`, health-checked before reuse on
PostgreSQL): a node opens at most WEB_WORKERS × WEB_THREADS connections, and WEB_THREADS more while a recycled worker
overlaps its replacement.
"""

from __future__ import annotations

import os
import time

from wrp.config.env import env_bool, env_int, env_str


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may run on (a container's cpuset)
    except (AttributeError, OSError):
        return os.cpu_count() or 1


wsgi_app = "wrp.config.wsgi:application"
bind = [env_str("WEB_BIND", "127.0.0.1:8000")]

# Threaded workers: a request that waits — the API's upload answer waiting up to UPLOAD_API_WAIT_SECONDS (20) for the
# worker's verdict, a large upload arriving, a slow client — holds one thread, not a whole process. One process per
# core carries the CPU-bound work (templates, ORM: one thread at a time runs Python in a process); eight threads per
# process overlap the database round trips. Measured on 2 cores (docs/deploy.md): 2×8 served 1.1–1.9× the requests/s of
# 2×4 at the same CPU per request, 2×16 no more than 2×8, and 3×4 or 4×2 less, at more CPU per request.
worker_class = "gthread"
workers = env_int("WEB_WORKERS", _cores(), minimum=1, maximum=64)
# On SQLite (the embedded default: one writer at a time) four threads a process, so fewer writers queue on its lock.
_sqlite = env_str("DATABASE_URL", "sqlite:").startswith("sqlite:")
threads = env_int("WEB_THREADS", 4 if _sqlite else 8, minimum=1, maximum=64)

# For gthread workers the timeout is a liveness check of the worker's main loop (it keeps ticking while its threads
# serve requests), not a bound on a request: a worker whose loop is stuck this long is killed. The longest legitimate
# request — a 20 MB upload on a slow line followed by the API's 20 s wait for its check, or an approval that issues
# and signs a PDF (under a second) — stays well inside it. The proxy's read timeout (60 s) bounds what a client waits.
timeout = env_int("WEB_TIMEOUT", 60, minimum=5)
# On SIGTERM (deployment, `make run`'s Ctrl-C) and on recycling, a worker stops accepting and finishes the requests it
# has for up to this long: the 20 s upload wait plus a margin. An idle worker stops at once.
graceful_timeout = env_int("WEB_GRACEFUL_TIMEOUT", 30, minimum=1)
# Behind a proxy, kept-alive upstream connections save a TCP handshake per request; the proxy's own idle timeout for
# them must be shorter than this (scripts/two_nodes.sh: 4 s), so it never sends on a connection gunicorn is closing.
keepalive = env_int("WEB_KEEPALIVE", 5, minimum=0)
# Replace a worker after about this many requests (jittered so the workers do not all restart together): bounds any
# slow memory growth. The replacement is started before the old worker finishes its requests, but its first requests
# are slow (imports, catalogues): at 1000, a loaded node recycled a worker every few seconds and the home page served
# 0.6–0.9× the requests/s with a p99 2–4× longer (docs/deploy.md). At 10,000, a node of 2 workers serving 5 requests
# a second replaces each about once an hour.
max_requests = env_int("WEB_MAX_REQUESTS", 10_000, minimum=0)
max_requests_jitter = max(1, max_requests // 10) if max_requests else 0
# A kept-alive connection is closed after its first request once it is WEB_KEEPALIVE_LIFETIME_MS old, or after
# WEB_KEEPALIVE_REQUESTS requests (0: never), as nginx's keepalive_time and keepalive_requests do: the client opens a
# new one, which the least busy worker is the likeliest to accept. Without it a connection stays with the worker that
# accepted it: a client that opens many at once (the benchmark's wrk, a proxy's pool filling under a burst) had all 50
# taken by one worker in one round of three (0.03 s of the other worker's CPU in 8 s: one core serving, 84-115
# req/s of the API list against 170-184), and while a recycled worker finishes, every connection that reconnects lands
# on the others (the bare view at 306-524 req/s in 10-s windows with a recycle, ~700 without). With connections
# renewed every second both workers took half the work in each of 9 windows. A new connection costs the server
# 0.2-0.3 ms of CPU: 50 busy connections renewed each second cost ~1 % of 2 cores.
keepalive_requests = env_int("WEB_KEEPALIVE_REQUESTS", 100, minimum=0)
keepalive_lifetime = env_int("WEB_KEEPALIVE_LIFETIME_MS", 1000, minimum=0) / 1000
# The master imports and warms the platform once (wrp.config.wsgi: views, URL map, catalogues, every template compiled)
# and forks each worker from it, a replacement included: the fork takes milliseconds and the new worker's first request
# is as fast as any. Loaded in each worker, a replacement spent 2.7 s of CPU importing and its first request 0.25 s
# more, on the cores the other worker was serving from. The master opens no database or cache connection. New code
# needs the master restarted (a deployment restarts the service); SIGHUP only replaces the workers.
preload_app = env_bool("WEB_PRELOAD", True)

# The heartbeat file each worker touches: in memory, so a busy or slow disk never makes a healthy worker look dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Access log without query strings or referrers (either may carry a search term or a cursor; personal data never
# belongs in a URL, and the log would keep it if it were there): client, time, method, path, protocol, status, bytes,
# milliseconds, worker pid.
accesslog = os.environ.get("WEB_ACCESS_LOG", "-").strip() or None
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %(p)s'
errorlog = "-"


def pre_request(worker: object, req: object) -> None:
    """gunicorn's hook before each request: a connection's WEB_KEEPALIVE_REQUESTS-th request, or its first once
    WEB_KEEPALIVE_LIFETIME_MS have passed since its first, is answered with "Connection: close"."""
    connection = getattr(req, "unreader", None)  # one a connection: its requests are read through it
    now = time.monotonic()
    opened = getattr(connection, "wrp_opened", None)
    if opened is None and connection is not None:
        connection.wrp_opened = opened = now
    if (keepalive_requests and getattr(req, "req_number", 1) >= keepalive_requests) or (
            keepalive_lifetime and opened is not None and now - opened >= keepalive_lifetime):
        req.must_close = True  # type: ignore[attr-defined]  # gunicorn.http.message.Message.should_close reads it
