"""The HTTP door of contracts/assessment.md: POST /api/v1/assessments, its OpenAPI document and its docs page.

The endpoint is rate-limited per client address through Django's cache. Every test here starts from an empty cache,
so the limit of one test never spills into another; the rate-limit test itself uses a client address of its own.
"""

from __future__ import annotations

import json
import re
import time
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache

from tests.contract.doors import (
    ASSESSMENTS_URL,
    EXAMPLE_REQUEST_FILE,
    as_bytes,
    cli_door_in_process,
    example_request,
    python_door,
    run_wrp,
)
from wrp.core.ratelimit import parse_rate

pytestmark = pytest.mark.django_db  # the HTTP door reads the administrators' reference data

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _empty_throttle_cache():
    cache.clear()
    yield
    cache.clear()


def _post(client, body: bytes, **headers: str):
    return client.post(ASSESSMENTS_URL, body, content_type="application/json", headers=headers)


# --- the assessment ---------------------------------------------------------------------------------------------------


def test_example_request_answers_200_with_the_python_doors_response(client):
    response = _post(client, EXAMPLE_REQUEST_FILE.read_bytes())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == python_door(example_request())[1]


def test_no_login_is_needed(client):
    assert settings.SESSION_COOKIE_NAME not in client.cookies, "an anonymous client, never signed in"
    response = _post(client, EXAMPLE_REQUEST_FILE.read_bytes())
    assert response.status_code == 200


def test_any_decision_is_200(client):
    request = example_request()
    request["unit"]["penalty"] = "blacklisted"
    response = _post(client, as_bytes(request))
    assert response.status_code == 200
    assert response.json()["decision"] == "ineligible"
    assert response.json() == python_door(request)[1]


def test_messages_are_chinese_without_accept_language(client):
    body = _post(client, EXAMPLE_REQUEST_FILE.read_bytes()).json()
    assert all(CJK.search(check["message"]) for check in body["checks"])


@pytest.mark.parametrize("accept", ["en", "en-US,en;q=0.9", "en-GB;q=0.9, zh-CN;q=0.5"])
def test_accept_language_en_gives_english(client, accept):
    response = _post(client, EXAMPLE_REQUEST_FILE.read_bytes(), **{"Accept-Language": accept})
    assert response.status_code == 200
    body = response.json()
    assert body == python_door(example_request(), lang="en")[1]
    messages = [check["message"] for check in body["checks"]] + body["manual_checks"]
    assert not [message for message in messages if CJK.search(message)]


@pytest.mark.parametrize("accept", ["zh-CN", "zh-CN,zh;q=0.9,en;q=0.8", "fr"])
def test_accept_language_not_preferring_english_gives_chinese(client, accept):
    body = _post(client, EXAMPLE_REQUEST_FILE.read_bytes(), **{"Accept-Language": accept}).json()
    assert body == python_door(example_request(), lang="zh")[1]


# --- invalid requests: 422 with the CLI's error object ----------------------------------------------------------------


def _example_without_applicant() -> dict[str, Any]:
    request = example_request()
    del request["applicant"]
    return request


def _example_with_negative_income() -> dict[str, Any]:
    request = example_request()
    request["applicant"]["taxable_income_12m"] = -100
    request["applicant"]["children"][0]["case"] = "stepchild"
    return request


INVALID = [
    pytest.param(b'{"service": "nope"}', id="unknown-service-and-no-date"),
    pytest.param(b'{"service": "initial", ', id="malformed-json"),
    pytest.param(b"", id="empty-body"),
    pytest.param(b"[]", id="not-an-object"),
    pytest.param(b"\xff\xfe{}", id="not-utf-8"),
    pytest.param(as_bytes(_example_without_applicant()), id="missing-applicant"),
    pytest.param(as_bytes(_example_with_negative_income()), id="negative-income-and-bad-child-case"),
]


@pytest.mark.parametrize("body", INVALID)
def test_invalid_request_is_422_with_the_same_error_object_as_the_cli(client, body):
    response = _post(client, body)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    error = response.json()
    assert error["error"] == "invalid_request"
    assert error["fields"]
    cli = run_wrp("assess", stdin=body)
    assert cli.returncode == 2
    assert cli.stdout == b""
    assert json.loads(cli.stderr) == error


def test_invalid_request_in_english_matches_the_cli_in_english(client):
    body = as_bytes(_example_with_negative_income())
    response = _post(client, body, **{"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json() == cli_door_in_process(body, lang="en")[1]
    assert set(response.json()["fields"]) == {"applicant.taxable_income_12m", "applicant.children.0.case"}


def test_get_is_405(client):
    assert client.get(ASSESSMENTS_URL).status_code == 405


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_405(client, method):
    assert getattr(client, method)(ASSESSMENTS_URL).status_code == 405


# --- rate limit --------------------------------------------------------------------------------------------------------


def test_rate_limit_answers_429_rate_limited(client, monkeypatch):
    """The configured limit itself (settings.RATE_LIMIT_PUBLIC, read when the endpoint is built), not a patched one.

    With the default 120 requests a minute this is 121 cheap requests (an empty object is refused before the policy
    runs), sent from an address no other test uses, against a cache emptied before and after. The limiter's clock is
    held in the middle of an hour: windows start on the clock, and on a busy machine the requests could otherwise
    straddle the start of a minute and be counted in two windows.
    """
    held = (int(time.time()) // 3600) * 3600 + 1800
    monkeypatch.setattr("wrp.core.ratelimit.time", SimpleNamespace(time=lambda: held))
    allowed = parse_rate(settings.RATE_LIMIT_PUBLIC).limit
    assert allowed <= 2000, f"RATE_LIMIT_PUBLIC={settings.RATE_LIMIT_PUBLIC} is too generous to test by requests"
    address = {"REMOTE_ADDR": "203.0.113.7"}
    statuses = [
        client.post(ASSESSMENTS_URL, b"{}", content_type="application/json", **address).status_code
        for _ in range(allowed)
    ]
    assert set(statuses) == {422}
    refused = client.post(
        ASSESSMENTS_URL, EXAMPLE_REQUEST_FILE.read_bytes(), content_type="application/json", **address
    )
    assert refused.status_code == 429
    assert refused.json() == {"error": "rate_limited"}
    other = client.post(
        ASSESSMENTS_URL, EXAMPLE_REQUEST_FILE.read_bytes(), content_type="application/json", REMOTE_ADDR="203.0.113.8"
    )
    assert other.status_code == 200, "the limit is per client address"


# --- OpenAPI document and docs page -----------------------------------------------------------------------------------


@pytest.fixture
def openapi(client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_openapi_lists_the_assessments_endpoint_with_its_request_schema(openapi):
    operation = openapi["paths"]["/api/v1/assessments"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/AssessmentRequest"}
    request_schema = openapi["components"]["schemas"]["AssessmentRequest"]
    assert {"service", "as_of", "change", "unit", "applicant"} <= set(request_schema["properties"])
    assert {"200", "422"} <= set(operation["responses"])
    assert "security" not in operation or operation["security"] in ([], [{}])


def _refs(node: Any):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} is not a local reference"
    node: Any = document
    for token in ref[2:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict), f"{ref} does not resolve (not an object at {token!r})"
        assert token in node, f"{ref} does not resolve ({token!r} missing)"
        node = node[token]
    return node


def test_every_ref_of_the_openapi_document_resolves(openapi):
    refs = set(_refs(openapi))
    assert "#/components/schemas/AssessmentRequest" in refs
    unresolved = []
    for ref in sorted(refs):
        try:
            _resolve(openapi, ref)
        except AssertionError as error:
            unresolved.append(str(error))
    assert unresolved == []


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.urls.append(values["src"] or "")
        if tag == "link" and "stylesheet" in (values.get("rel") or "").split() and values.get("href"):
            self.urls.append(values["href"] or "")


def test_docs_page_loads_its_scripts_and_styles_from_static(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    parser = _Assets()
    parser.feed(page)
    scripts = [url for url in parser.urls if url.endswith(".js")]
    assert scripts, "the docs page loads scripts"
    assert [url for url in parser.urls if not url.startswith(settings.STATIC_URL)] == []
    assert settings.STATIC_URL == "/static/"
    assert "https://" not in "".join(parser.urls)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "no asset from another host"
    missing = [url for url in parser.urls if finders.find(url.removeprefix(settings.STATIC_URL)) is None]
    assert missing == [], "every asset the page loads is a static file of the project"
