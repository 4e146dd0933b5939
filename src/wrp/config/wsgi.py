"""WSGI entry point (gunicorn wrp.config.wsgi).

gunicorn loads this module once, in its master process (`preload_app`, wrp.config.gunicorn), and forks its workers
from there: everything `warm` loads is then already in each worker, including one that replaces a recycled worker
(`max_requests`). Loaded in each worker instead (WEB_PRELOAD=false), a new worker spent 2.7 s of CPU importing the
platform and its first request another 0.25 s populating the URL map, compiling templates and reading catalogues, on
the same cores as the worker still serving."""

import gc
import os
from pathlib import Path

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


def warm() -> None:
    """Load now what the first requests would: every view module (and the API's routers), the URL map in each
    language (`reverse` in every page's links), each language's translation catalogues, and every template of the
    platform compiled (the cached loader keeps them). Nothing here opens a database or cache connection: the workers
    forked from this process must not share one."""
    from django.template import engines
    from django.template.utils import get_app_template_dirs
    from django.urls import get_resolver
    from django.utils import translation

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 — imports the views
    for language, _name in settings.LANGUAGES:
        with translation.override(language):  # activating a language reads its catalogues
            resolver.reverse_dict  # noqa: B018 — populated per language
    engine = engines["django"]
    for directory in {*engine.engine.dirs, *get_app_template_dirs("templates")}:
        if not Path(directory).is_relative_to(settings.PACKAGE_DIR):
            continue  # the platform's own templates; Django's admin and the libraries' compile when first used
        for path in Path(directory).rglob("*"):
            if path.suffix in {".html", ".txt"}:
                engine.get_template(path.relative_to(directory).as_posix())


def freeze_loaded_heap() -> None:
    """Warm the process, then move all that is loaded out of the collector's sight (`gc.freeze`).

    A worker holds a few hundred thousand long-lived objects (Django, the platform's modules, the URL map, the
    compiled templates). Python's full collection walks all of them each time it runs — 55–130 ms measured in a
    gunicorn worker (bench/pages.py's server, 2026-12-03), every thread of the worker stalled meanwhile: the open loop's
    p99 went from ~20 ms to 130–200 ms in half of its runs. Frozen, they are never walked again; what requests leave
    behind is still collected. Frozen before the fork, they also stay shared between the workers: the collector never
    writes to their pages."""
    warm()
    gc.collect()
    gc.freeze()


freeze_loaded_heap()
