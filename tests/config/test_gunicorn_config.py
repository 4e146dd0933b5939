"""gunicorn's configuration module (`-c python:wrp.config.gunicorn`, docs/deploy.md §Server configuration): threaded
workers, values from the environment, and an access log that never prints a query string or a referrer."""

from __future__ import annotations

import http.client
import importlib
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import wrp.config.gunicorn as config

ROOT = Path(__file__).resolve().parents[2]


def _loaded(monkeypatch: pytest.MonkeyPatch, **env: str):
    for name in ("WEB_WORKERS", "WEB_THREADS", "WEB_TIMEOUT", "WEB_GRACEFUL_TIMEOUT", "WEB_MAX_REQUESTS",
                 "WEB_ACCESS_LOG", "WEB_BIND", "WEB_KEEPALIVE", "WEB_PRELOAD", "WEB_KEEPALIVE_REQUESTS",
                 "WEB_KEEPALIVE_LIFETIME_MS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(config)


def test_defaults_are_threaded_workers_one_per_core(monkeypatch):
    loaded = _loaded(monkeypatch, DATABASE_URL="postgres://wrp@db.internal:5432/wrp")
    assert loaded.worker_class == "gthread"
    assert loaded.workers == len(os.sched_getaffinity(0))
    assert loaded.threads == 8
    assert _loaded(monkeypatch, DATABASE_URL="sqlite:///var/wrp.sqlite3").threads == 4  # one writer at a time
    monkeypatch.delenv("DATABASE_URL")
    assert _loaded(monkeypatch).threads == 4  # the embedded default is SQLite
    loaded = _loaded(monkeypatch, DATABASE_URL="postgres://wrp@db.internal:5432/wrp")
    assert loaded.graceful_timeout >= 20 + 5  # the API's upload wait (UPLOAD_API_WAIT_SECONDS) and a margin
    assert loaded.timeout >= loaded.graceful_timeout
    assert loaded.max_requests == 10_000
    assert 0 < loaded.max_requests_jitter < loaded.max_requests
    assert loaded.preload_app is True  # workers, replacements too, are forked from a warm master
    assert loaded.keepalive_requests == 100
    assert loaded.keepalive_lifetime == 1.0  # seconds
    assert loaded.accesslog == "-"


def test_environment_overrides_and_refuses_nonsense(monkeypatch):
    loaded = _loaded(monkeypatch, WEB_WORKERS="3", WEB_THREADS="3", WEB_TIMEOUT="90", WEB_ACCESS_LOG="",
                     WEB_MAX_REQUESTS="0", WEB_BIND="127.0.0.1:9999", WEB_PRELOAD="false")
    assert (loaded.workers, loaded.threads, loaded.timeout) == (3, 3, 90)
    assert loaded.preload_app is False
    assert loaded.accesslog is None
    assert loaded.max_requests == 0
    assert loaded.max_requests_jitter == 0
    assert loaded.bind == ["127.0.0.1:9999"]
    with pytest.raises(ImproperlyConfigured, match="WEB_WORKERS"):
        _loaded(monkeypatch, WEB_WORKERS="many")
    _loaded(monkeypatch)


def test_access_log_leaves_out_query_strings_and_referrers():
    atoms = set(re.findall(r"%\((\w)\)s", config.access_log_format))
    assert {"U", "s", "M"} <= atoms  # path, status, milliseconds
    assert not atoms & {"q", "r", "f"}  # query string, request line (which carries it), referrer
    assert "{" not in config.access_log_format  # no request header is printed either


def test_gunicorn_reads_the_module():
    out = subprocess.run([str(Path(sys.executable).parent / "gunicorn"), "-c", "python:wrp.config.gunicorn",
                          "--print-config"], capture_output=True, text=True, cwd=ROOT, check=True,
                         env={**os.environ, "WEB_THREADS": "6"}).stdout
    settings = dict(re.findall(r"^(\w+)\s+= (.*)$", out, re.M))
    assert settings["worker_class"] == "gthread"
    assert settings["threads"] == "6"
    assert settings["worker_tmp_dir"] == "/dev/shm"



HELLO = "def app(environ, start_response):\n    start_response('200 OK', [('Content-Length', '2')])\n    return [b'ok']\n"


def test_a_kept_alive_connection_is_closed_after_web_keepalive_requests(tmp_path):
    """Connections a client keeps busy are spread again over the workers after a recycle (docs/deploy.md): gunicorn
    with this configuration answers "Connection: close" on a connection's WEB_KEEPALIVE_REQUESTS-th request."""
    (tmp_path / "hello.py").write_text(HELLO)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "WEB_KEEPALIVE_REQUESTS": "3", "WEB_KEEPALIVE_LIFETIME_MS": "0", "WEB_WORKERS": "1",
           "WEB_BIND": f"127.0.0.1:{port}", "WEB_ACCESS_LOG": ""}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "python:wrp.config.gunicorn",
                               "--pythonpath", str(tmp_path), "hello:app"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, "gunicorn stopped"
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.05)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        answers = []
        for _ in range(3):
            connection.request("GET", "/")
            response = connection.getresponse()
            assert response.read() == b"ok"
            answers.append(response.getheader("Connection"))
        assert answers == ["keep-alive", "keep-alive", "close"]
        connection.close()
    finally:
        server.terminate()
        server.wait(timeout=30)



class _Connection:
    """What gunicorn reads a connection's requests through (`req.unreader`): one object a connection."""


class _Request:
    def __init__(self, connection: _Connection, number: int) -> None:
        self.unreader, self.req_number, self.must_close = connection, number, False


def test_a_connection_is_closed_after_its_first_request_past_its_lifetime(monkeypatch):
    """WEB_KEEPALIVE_LIFETIME_MS: the connections a client keeps busy are renewed every second, so that each lands on
    the worker that accepts it first (docs/deploy.md §Server configuration)."""
    loaded = _loaded(monkeypatch, WEB_KEEPALIVE_LIFETIME_MS="1000", WEB_KEEPALIVE_REQUESTS="0")
    now = [100.0]
    monkeypatch.setattr(loaded.time, "monotonic", lambda: now[0])
    one, other = _Connection(), _Connection()
    served = []
    for moment, connection, number in [(100.0, one, 1), (100.5, one, 2), (100.9, other, 1), (100.999, one, 3),
                                       (101.0, one, 4), (101.5, other, 2), (101.9, other, 3)]:
        now[0] = moment
        request = _Request(connection, number)
        loaded.pre_request(None, request)
        served.append(request.must_close)
    assert served == [False, False, False, False, True, False, True]
    _loaded(monkeypatch)


WARM_PROBE = """
import gc, sys
import wrp.config.wsgi
from django.db import connections
from django.template import engines
from django.urls import get_resolver
loader = engines["django"].engine.template_loaders[0]
print(gc.get_freeze_count(), 'wrp.portal.clerk.views' in sys.modules, 'wrp.api.cases' in sys.modules,
      type(loader).__module__, len(loader.get_template_cache), sorted(get_resolver()._reverse_dict),
      sum(connection.connection is not None for connection in connections.all(initialized_only=True)))
"""


def test_the_master_loads_and_warms_the_platform_then_freezes_its_heap(tmp_path):
    """wrp.config.wsgi (what gunicorn's master imports before it forks the workers): every view module loaded, the URL
    map of both languages built and every template of the platform compiled before the first request, no database
    connection left open for the workers to share, and all that is loaded frozen out of the collector's full passes
    (which stalled a worker's threads 55–130 ms each)."""
    env = {**os.environ, "WRP_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "wrp.config.settings"}
    env.pop("WRP_ENV", None)
    out = subprocess.run([sys.executable, "-c", WARM_PROBE], env=env, cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split(maxsplit=5)
    frozen, views, api, loader, templates, rest = out
    assert int(frozen) > 100_000
    assert (views, api) == ("True", "True")
    platform_templates = [path for path in (ROOT / "src" / "wrp").rglob("templates/**/*") if path.suffix in {".html", ".txt"}]
    assert loader == "wrp.core.templates"  # compiled templates are kept (Django's cached loader, a subclass)
    assert int(templates) >= len(platform_templates) > 100
    languages, connections = rest.rsplit(maxsplit=1)
    assert languages == "['en', 'zh-hans']"
    assert connections == "0"


@pytest.mark.parametrize(("active", "expected"), [(None, "WSGIHandler"), ("2", "Admission 2"), ("0", "WSGIHandler")])
def test_a_worker_runs_at_most_web_active_requests_at_once(tmp_path, active, expected):
    """With WEB_ACTIVE=N, wrp.config.wsgi wraps Django in wrp.core.admission (N slots a process); not by default."""
    probe = ("import wrp.config.wsgi as w; a = w.application; "
             "print(type(a).__name__, getattr(a, 'size', ''))")
    env = {**os.environ, "WRP_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "wrp.config.settings"}
    env.pop("WRP_ENV", None)
    env.pop("WEB_ACTIVE", None)
    if active is not None:
        env["WEB_ACTIVE"] = active
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == expected
