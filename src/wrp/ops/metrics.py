"""Prometheus metrics on `/metrics`, for the monitoring network only (METRICS_ALLOWED_NETWORKS; 404 for anyone else).

Two kinds of figure:
- per request, counted where it happens (RequestMetricsMiddleware): `wrp_http_requests_total{view,method,status}`
  and the latency histogram `wrp_http_request_duration_seconds{view,method}`. The view is the URL pattern's name
  (`portal:case`), never the path: a path may carry a case number or a token. gunicorn runs several processes: with
  PROMETHEUS_MULTIPROC_DIR set (an empty directory per node, emptied at each start), prometheus_client writes each
  process's figures there and a scrape adds them up; without it (one process: `make dev`, tests) they live in the
  process.
- of the platform's state, read from the database at scrape time (StateCollector), so every node answers the same
  and nothing is kept between scrapes: cases per state, running cases past their time limit (SLA-overdue), tasks
  waiting per queue, failed tasks of the queue, scheduled runs per status, the workers' heartbeat age.
Labels are names of views, states, queues and statuses: never a person, an ID number or a case number.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from wrp.core.clientaddr import client_address

log = logging.getLogger("wrp.ops")
request_log = logging.getLogger("wrp.request")

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
# Where the request figures live when not in multiprocess mode (their own registry: nothing else of the process).
PROCESS_REGISTRY = CollectorRegistry(auto_describe=True)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "wrp_http_requests",
    "HTTP requests answered, by view (URL pattern name), method and status code",
    ["view", "method", "status"],
    registry=PROCESS_REGISTRY,
)
LATENCY = Histogram(
    "wrp_http_request_duration_seconds",
    "Time from the request reaching the platform's middleware to its answer, by view and method",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=PROCESS_REGISTRY,
)


def view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or "<unnamed>"
    if request.path.startswith(settings.STATIC_URL):
        return "<static>"
    return "<unresolved>"


class RequestMetricsMiddleware:
    """Count and time every request by view; with LOG_REQUESTS, one log line per request (its request id is added
    by the log's context filter, wrp.ops.logs). Sits right inside wrp.audit.context.RequestIdMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.log_requests = getattr(settings, "LOG_REQUESTS", False)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        view = view_label(request)
        method = request.method if request.method in METHODS else "OTHER"
        REQUESTS.labels(view=view, method=method, status=str(response.status_code)).inc()
        LATENCY.labels(view=view, method=method).observe(elapsed)
        if self.log_requests:
            request_log.info(
                "request %s %s %s %.1fms",
                method,
                view,
                response.status_code,
                elapsed * 1000,
                extra={"view": view, "method": method, "status": response.status_code, "ms": round(elapsed * 1000, 1)},
            )
        return response


def _gauge(name: str, documentation: str, labels: list[str], rows: Iterable[tuple[list[str], float]]) -> Metric:
    family = GaugeMetricFamily(name, documentation, labels=labels)
    for values, value in rows:
        family.add_metric(values, value)
    return family


def _failed_tasks() -> int:
    if settings.TASKS_BACKEND == "rq":
        import django_rq
        from rq.registry import FailedJobRegistry

        return sum(FailedJobRegistry(queue=django_rq.get_queue(name)).count for name in sorted(settings.RQ_QUEUES))
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count()


class StateCollector:
    """The platform's state, counted from the database (and Redis for its queue) when scraped."""

    def describe(self) -> list[Metric]:
        return []  # computed at scrape time: nothing to describe at registration (which would query)

    def collect(self) -> Iterator[Metric]:
        from django.db.models import Count

        from wrp.cases.models import Case, CaseState
        from wrp.cases.workflow import RUNNING
        from wrp.ops.health import queue_lengths, worker_heartbeat_age
        from wrp.tasks.models import RunStatus, ScheduledRun

        started = time.perf_counter()
        try:
            by_state = dict.fromkeys(CaseState.values, 0)
            by_state.update(Case.objects.order_by().values_list("state").annotate(n=Count("id")))
            overdue = Case.objects.filter(overdue=True, state__in=RUNNING).count()
            runs = dict.fromkeys(RunStatus.values, 0)
            runs.update(ScheduledRun.objects.order_by().values_list("status").annotate(n=Count("id")))
            queues = queue_lengths()
            failed = _failed_tasks()
            age = worker_heartbeat_age()
        except Exception:  # a scrape while the database is away: say so, keep the request figures
            log.warning("metrics: the platform's state could not be read", exc_info=True)
            yield _gauge("wrp_state_up", "Whether the platform's state could be read", [], [([], 0)])
            return
        yield _gauge("wrp_cases", "Cases by state", ["state"], ([[state], n] for state, n in sorted(by_state.items())))
        yield _gauge(
            "wrp_cases_sla_overdue",
            "Running cases past their legal time limit (marked by the sweep)",
            [],
            [([], overdue)],
        )
        yield _gauge(
            "wrp_task_queue_length",
            "Tasks waiting on the queue",
            ["queue"],
            ([[name], n] for name, n in sorted(queues.items())),
        )
        yield _gauge(
            "wrp_tasks_failed", "Tasks of the queue that failed (kept until the retention job)", [], [([], failed)]
        )
        yield _gauge(
            "wrp_scheduled_runs",
            "Periodic job runs on record by status",
            ["status"],
            ([[status], n] for status, n in sorted(runs.items())),
        )
        if age is not None:
            yield _gauge(
                "wrp_worker_heartbeat_age_seconds",
                "Seconds since the newest worker heartbeat",
                [],
                [([], round(age, 1))],
            )
        yield _gauge("wrp_state_up", "Whether the platform's state could be read", [], [([], 1)])
        yield _gauge(
            "wrp_state_scrape_seconds",
            "Time taken to read the platform's state",
            [],
            [([], round(time.perf_counter() - started, 4))],
        )


def scrape_registry() -> CollectorRegistry:
    """The registry one scrape reads: every process's request figures (or this process's) and the state."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_ProcessFigures())
    registry.register(StateCollector())  # type: ignore[arg-type]
    return registry


class _ProcessFigures:
    def collect(self) -> Iterator[Metric]:
        yield from PROCESS_REGISTRY.collect()


def allowed(request: HttpRequest) -> bool:
    """Whether the client (behind a trusted proxy, the address it forwarded) is on a monitoring network."""
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        raise Http404
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
