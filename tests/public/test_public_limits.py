"""The public doors' limits (issue 11 §5), all on wrp.core.ratelimit: the self-check's posts and the assessment API per
client address (`RATE_LIMIT_PUBLIC`), answered 429 with when to try again; a forged X-Forwarded-For escapes nothing."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from tests.clock import beijing

CHECK = reverse("public:check")
ASSESSMENTS = "/api/v1/assessments"

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen_moment():
    return beijing(2026, 11, 26, 10, 0, 15)


@pytest.fixture(autouse=True)
def _narrow_limit(settings, frozen_clock):
    settings.RATE_LIMIT_PUBLIC = "3/m"
    caches["default"].clear()
    yield
    caches["default"].clear()


def test_the_self_checks_posts_are_limited_per_address_with_a_page_saying_when_to_try_again():
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [client.post(CHECK, {"service": "initial"}).status_code for _ in range(3)]
    refused = client.post(CHECK, {"service": "initial", "check": "1"})
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    html = refused.content.decode()
    assert "请求过于频繁" in html
    assert "请 45 秒后再试" in html
    assert Client(REMOTE_ADDR="203.0.113.8").post(CHECK, {"service": "initial"}).status_code == 200


def test_choosing_a_service_is_not_counted():
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert {client.get(CHECK, {"service": "initial"}).status_code for _ in range(5)} == {200}


def test_the_assessment_api_answers_429_with_retry_after():
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [client.post(ASSESSMENTS, b"{}", content_type="application/json").status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    refused = client.post(ASSESSMENTS, b"{}", content_type="application/json")
    assert refused.json() == {"error": "rate_limited"}
    assert refused["Retry-After"] == "45"


def test_a_forged_x_forwarded_for_does_not_escape_the_api_limit():
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [client.post(ASSESSMENTS, b"{}", content_type="application/json",
                            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(4)]
    assert statuses[-1] == 429


def test_behind_a_trusted_proxy_the_api_counts_each_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for _ in range(3):
        proxy.post(ASSESSMENTS, b"{}", content_type="application/json", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert proxy.post(ASSESSMENTS, b"{}", content_type="application/json",
                      HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert proxy.post(ASSESSMENTS, b"{}", content_type="application/json",
                      HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 422
