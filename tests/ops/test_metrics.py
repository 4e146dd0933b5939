"""/metrics: Prometheus figures for the monitoring networks only (404 for anyone else, also behind the proxy), request
counters and latency per view that move, the platform's state counted at scrape time, and no personal data in labels."""

from __future__ import annotations

import ipaddress

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.cases.conftest import people  # noqa: F401 - the applicant associated with the unit, with quota

pytestmark = pytest.mark.django_db


def scrape(client, **extra) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = client.get("/metrics", REMOTE_ADDR="127.0.0.1", **extra)
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.content.decode())
        for sample in family.samples
    }


def requests_of(figures, view: str, status: str = "200") -> float:
    return figures.get(("wrp_http_requests_total", (("method", "GET"), ("status", status), ("view", view))), 0.0)


def test_metrics_answer_404_outside_the_monitoring_networks(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 404
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.20.0.0/16")]
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200


def test_behind_the_proxy_the_forwarded_client_decides(client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    outside = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert outside.status_code == 404
    inside = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert inside.status_code == 200


def test_request_counters_and_latency_move_per_view(client):
    before = scrape(client)
    for _ in range(3):
        assert client.get("/health/live").status_code == 200
    client.get("/no-such-page/110101199003071234/")
    after = scrape(client)
    assert requests_of(after, "ops:live") - requests_of(before, "ops:live") == 3
    latency = ("wrp_http_request_duration_seconds_count", (("method", "GET"), ("view", "ops:live")))
    assert after[latency] - before.get(latency, 0.0) == 3
    assert requests_of(after, "<unresolved>", "404") - requests_of(before, "<unresolved>", "404") == 1


def test_labels_name_views_never_paths_or_numbers(client):
    client.get("/no-such-page/110101199003071234/")
    client.get("/health/live?who=110101199003071234")
    text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert "110101199003071234" not in text
    assert "/no-such-page" not in text
    assert "/health/live" not in text


def test_state_gauges_count_cases_by_state_the_overdue_and_the_failed(client, people):  # noqa: F811
    from tests.factories import case_in_state
    from wrp.cases.models import Case
    from wrp.tasks.models import RunStatus, ScheduledRun

    case = case_in_state(people, "submitted")
    Case.objects.filter(pk=case.pk).update(overdue=True)
    ScheduledRun.objects.create(job="sweep", period="2026-11-25", status=RunStatus.FAILED)
    figures = scrape(client)
    assert figures[("wrp_cases", (("state", "submitted"),))] == 1
    assert figures[("wrp_cases", (("state", "draft"),))] == 0
    assert figures[("wrp_cases", (("state", "approved"),))] == 0
    assert figures[("wrp_cases_sla_overdue", ())] == 1
    assert figures[("wrp_scheduled_runs", (("status", "failed"),))] == 1
    assert figures[("wrp_task_queue_length", (("queue", "default"),))] == 0
    assert figures[("wrp_tasks_failed", ())] == 0
    assert figures[("wrp_state_up", ())] == 1


def test_a_scrape_while_the_database_is_away_still_answers(client):
    from unittest import mock

    from django.db import OperationalError

    with mock.patch("wrp.cases.models.Case.objects.order_by", side_effect=OperationalError("gone")):
        figures = scrape(client)
    assert figures[("wrp_state_up", ())] == 0
    assert not any(name == "wrp_cases" for name, _labels in figures)
