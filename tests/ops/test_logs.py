"""Logs: one JSON object per line with the request's id (the X-Request-ID the user got, the number on the error page,
the audit events' request_id), plain text by setting, and never a resident ID number."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import path

from wrp.config.urls import urlpatterns as platform_urls
from wrp.ops.logs import ContextFilter, json_formatter

pytestmark = pytest.mark.django_db

RESIDENT_ID = "110101199003071234"


def boom(request: HttpRequest) -> HttpResponse:
    logging.getLogger("wrp.cases").warning("about to fail for %s", RESIDENT_ID)
    raise RuntimeError("the view failed")


def forbidden(request: HttpRequest) -> HttpResponse:
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


def audited(request: HttpRequest) -> HttpResponse:
    from wrp.audit.services import audit_note

    audit_note(actor=None, actor_role="anonymous", action="ops.test", object_type="ops.test", object_id="1")
    return HttpResponse("ok")


urlpatterns = [path("boom/", boom), path("forbidden/", forbidden), path("audited/", audited), *platform_urls]
handler500 = "wrp.config.errors.server_error"


@pytest.fixture
def json_lines():
    """What the platform's JSON handler (the formatter and filter of settings.LOGGING) writes, as parsed lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def test_a_request_line_carries_the_request_id_sent_to_the_user(client, settings, json_lines):
    settings.LOG_REQUESTS = True
    answer = client.get("/health/live")
    (line,) = [line for line in json_lines() if line["logger"] == "wrp.request"]
    assert line["request_id"] == answer["X-Request-ID"]
    assert line["view"] == "ops:live"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert {"time", "level", "event"} <= set(line)


@pytest.mark.urls("tests.ops.test_logs")
def test_the_500_page_and_the_error_log_show_the_same_request_id(client, json_lines):
    client.raise_request_exception = False
    answer = client.get("/boom/")
    assert answer.status_code == 500
    page = answer.content.decode()
    request_id = answer["X-Request-ID"]
    assert request_id in page
    lines = json_lines()
    error = next(line for line in lines if line["logger"] == "django.request")
    assert error["level"] == "error"
    assert error["request_id"] == request_id
    assert "RuntimeError: the view failed" in error["exception"]
    assert "request" not in error  # Django's request object (path and query) is not written out
    warning = next(line for line in lines if line["logger"] == "wrp.cases")
    assert warning["request_id"] == request_id
    assert RESIDENT_ID not in json.dumps(lines, ensure_ascii=False)
    assert warning["event"] == "about to fail for [ID]"


@pytest.mark.urls("tests.ops.test_logs")
def test_the_403_page_shows_the_request_id(client):
    answer = client.get("/forbidden/")
    assert answer.status_code == 403
    assert answer["X-Request-ID"] in answer.content.decode()


def test_the_404_page_shows_the_request_id(client, json_lines):
    answer = client.get("/no-such-page/")
    assert answer.status_code == 404
    assert answer["X-Request-ID"] in answer.content.decode()
    warning = next(line for line in json_lines() if line["logger"] == "django.request")
    assert warning["request_id"] == answer["X-Request-ID"]


@pytest.mark.urls("tests.ops.test_logs")
def test_the_audit_event_of_a_request_keeps_its_request_id(client):
    from wrp.audit.models import AuditEvent

    answer = client.get("/audited/")
    assert AuditEvent.objects.get(action="ops.test").request_id == answer["X-Request-ID"]


def test_plain_lines_carry_the_request_id_and_mask_resident_ids(settings):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("wrp.test-plain")
    logger.addHandler(handler)
    try:
        from wrp.audit.context import request_id

        token = request_id.set("abc123")
        try:
            logger.warning("applicant %s filed", RESIDENT_ID)
        finally:
            request_id.reset(token)
        logger.warning("outside a request, id %sX", RESIDENT_ID[:17])
    finally:
        logger.removeHandler(handler)
    first, second = stream.getvalue().splitlines()
    assert first.endswith("[abc123] applicant [ID] filed")
    assert second.endswith("[-] outside a request, id [ID]")


def test_numbers_that_are_not_resident_ids_stay(settings):
    from wrp.ops.logs import mask_resident_ids

    assert mask_resident_ids("case 2026-000123, took 1234567890123ms") == "case 2026-000123, took 1234567890123ms"
    assert mask_resident_ids("request 0610a38615864a709ae1df64f42c2348") == "request 0610a38615864a709ae1df64f42c2348"
    assert mask_resident_ids(f"id={RESIDENT_ID};") == "id=[ID];"
