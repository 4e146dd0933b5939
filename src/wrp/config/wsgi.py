"""WSGI entry point (gunicorn wrp.config.wsgi)."""

import gc
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from wrp.config.env import env_int
from wrp.core.admission import Admission

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wrp.config.settings")
application = get_wsgi_application()
# With WEB_ACTIVE=N, at most N requests of this process run at once (wrp.core.admission); 0, the default: as many as
# it has threads.
ACTIVE = env_int("WEB_ACTIVE", 0, minimum=0, maximum=64)
if ACTIVE:
    application = Admission(application, ACTIVE, body_limit=settings.MAX_REQUEST_BYTES)


def freeze_loaded_heap() -> None:
    """Load every view module now, then move all that is loaded out of the collector's sight (`gc.freeze`).

    A worker holds a few hundred thousand long-lived objects (Django, the platform's modules, the URL map). Python's
    full collection walks all of them each time it runs — 55–130 ms measured in a gunicorn worker (bench/pages.py's
    server, 2026-12-03), every thread of the worker stalled meanwhile: the open loop's p99 went from ~20 ms to 130–200 ms
    in half of its runs. Frozen, they are never walked again; what requests leave behind is still collected."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — imports the views (and the API's routers) before the first request
    gc.collect()
    gc.freeze()


freeze_loaded_heap()
