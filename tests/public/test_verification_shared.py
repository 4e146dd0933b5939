"""Verification behind a proxy and across processes (issue 12 §8): the bad-token count lives in the database cache,
so every worker process sees the same count; the client address comes from X-Forwarded-For only when the settings
trust the proxy; and an issued document is verified by its 文号 and SHA-256, showing no personal data."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import date

import pytest
from django.core.cache import caches
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.clock import beijing
from tests.factories import make_permit
from wrp.accounts.services import user_set_id_number
from wrp.core import ratelimit
from wrp.core.clientaddr import client_address
from wrp.documents.models import IssuedDocument, StoredFile
from wrp.permits.verification import permit_token

WHOLE_ID = "11010519491231002X"


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def frozen_moment():
    return beijing(2026, 11, 26, 10, 0, 30)


@pytest.fixture
def permit(people):
    return make_permit(people.applicant, people.unit, issued_on=date(2025, 3, 1))


# --- one count for every process ----------------------------------------------------------------------------------


def test_the_default_cache_is_the_shared_database_cache(settings):
    from django.core.cache.backends.db import DatabaseCache

    assert issubclass(caches.create_connection("default").__class__, DatabaseCache)
    assert settings.CACHES["default"]["BACKEND"] == "wrp.core.cache.DatabaseCache"


def test_two_cache_clients_see_each_others_counts():
    """Two connections built from the settings, as two worker processes build theirs: one's write, the other's read."""
    first, second = caches.create_connection("default"), caches.create_connection("default")
    assert first is not second
    first.add("wrp:rl:public:verify-miss:60:x:1", 0, timeout=120)
    first.incr("wrp:rl:public:verify-miss:60:x:1")
    second.incr("wrp:rl:public:verify-miss:60:x:1")
    assert first.get("wrp:rl:public:verify-miss:60:x:1") == 2


def test_bad_tokens_counted_by_different_processes_add_up(permit, monkeypatch):
    """Each request gets a cache client of its own, as if each were served by another process: the 31st is refused."""
    monkeypatch.setattr(ratelimit, "_cache", lambda: caches.create_connection("default"))
    client = Client()
    for attempt in range(30):
        assert client.get(f"/verify/forged{attempt}/").status_code == 404
    assert client.get("/verify/forged-again/").status_code == 429
    assert client.get(reverse("documents:verify", args=[permit_token(permit)])).status_code == 429


# --- the client address -------------------------------------------------------------------------------------------


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/verify/x/", **extra)


@pytest.mark.parametrize(
    ("trust", "proxies", "remote", "forwarded", "expected"),
    [
        (False, [], "198.51.100.1", "203.0.113.9", "198.51.100.1"),
        (False, ["10.0.0.2"], "198.51.100.1", "203.0.113.9", "198.51.100.1"),
        (True, [], "10.0.0.2", "203.0.113.9", "203.0.113.9"),
        (True, [], "10.0.0.2", "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        (False, ["10.0.0.2"], "10.0.0.2", "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        (False, ["10.0.0.2", "10.0.0.3"], "10.0.0.2", "203.0.113.9, 10.0.0.3", "203.0.113.9"),
        (True, [], "10.0.0.2", "not-an-address", "10.0.0.2"),
        (True, [], "10.0.0.2", None, "10.0.0.2"),
    ],
    ids=["untrusted", "peer-not-a-trusted-proxy", "trusted", "client-written-hops-ignored", "trusted-proxy-list",
         "chain-of-trusted-proxies", "garbage-header", "no-header"],
)
def test_the_client_address_follows_x_forwarded_for_only_when_trusted(settings, trust, proxies, remote, forwarded,
                                                                     expected):
    settings.TRUST_X_FORWARDED_FOR = trust
    settings.TRUSTED_PROXIES = proxies
    assert client_address(_request(remote, forwarded)) == expected


def test_a_forged_x_forwarded_for_does_not_escape_the_limit(permit, settings):
    """Not trusted (the default): a client that writes a new X-Forwarded-For on every request is still one address."""
    client = Client()
    for attempt in range(30):
        client.get(f"/verify/forged{attempt}/", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")
    assert client.get("/verify/forged/", HTTP_X_FORWARDED_FOR="198.51.100.200").status_code == 429


def test_behind_a_trusted_proxy_each_client_has_its_own_count(permit, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    client = Client()
    for attempt in range(31):
        client.get(f"/verify/forged{attempt}/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    path = reverse("documents:verify", args=[permit_token(permit)])
    assert client.get(path, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    assert client.get(path, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200


# --- the settings -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["wrp.example.gov.cn", "https://wrp.example.gov.cn/verify", "ftp://x"],
                         ids=["no-scheme", "with-a-path", "not-http"])
def test_a_public_base_url_that_is_not_scheme_and_host_stops_start_up(value):
    env = {key: item for key, item in os.environ.items() if key not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")}
    env.update({"WRP_ENV": "development", "WRP_PUBLIC_BASE_URL": value})
    code = "import os; os.environ['DJANGO_SETTINGS_MODULE']='wrp.config.settings'; import django; django.setup()"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode != 0
    assert "WRP_PUBLIC_BASE_URL must be scheme and host only" in result.stderr


# --- a document by its number and hash ----------------------------------------------------------------------------

PDF = b"%PDF-1.7 an issued approval\n%%EOF\n"
DIGEST = hashlib.sha256(PDF).hexdigest()


def _document(people, *, number: str, kind: str = "decision", title: str = "准予行政许可决定书", data: bytes = PDF,
              supersedes: IssuedDocument | None = None) -> IssuedDocument:
    stored = StoredFile.objects.create(
        storage_name=f"issued/{number or kind}-{hashlib.sha256(data).hexdigest()[:8]}.pdf",
        sha256=hashlib.sha256(data).hexdigest(), size=len(data), pages=1, uploaded_at=beijing(2026, 11, 20))
    return IssuedDocument.objects.create(
        number=number, kind=kind, title=title, permit=None, file=stored, sha256=stored.sha256,
        issued_at=beijing(2026, 11, 20, 15, 0), issued_by=people.approver, supersedes=supersedes)


def check(number: str, sha256: str, client: Client | None = None, **extra):
    response = (client or Client()).get(reverse("public:verify_document"), {"number": number, "sha256": sha256},
                                        **extra)
    return response.status_code, response.content.decode(), response


@pytest.fixture
def named_applicant(people):
    people.applicant.real_name = "张三丰"
    people.applicant.save(update_fields=["real_name"])
    user_set_id_number(user=people.applicant, id_number=WHOLE_ID, actor=None)
    return people


def test_the_form_is_on_the_public_verification_page():
    response = Client().get(reverse("public:verify_document"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="number"' in html
    assert 'name="sha256"' in html
    assert "文书核验" in html
    assert response["Cache-Control"] == "no-store"


def test_a_document_found_by_number_and_hash_shows_title_number_date_issuer_and_status(named_applicant):
    people = named_applicant
    document = _document(people, number="朝人社工居〔2026〕第000123号")
    status, html, _ = check(document.number, DIGEST.upper())  # the hash in either case, as tools print it
    assert status == 200
    for shown in ("准予行政许可决定书", "朝人社工居〔2026〕第000123号", "2026年11月20日", "北京市朝阳区人力资源和社会保障局",
                  "现行有效"):
        assert shown in html
    for private in ("张三丰", "张*丰", WHOLE_ID, people.unit.name, people.approver.username):
        assert private not in html


def test_a_window_notice_names_the_service_centre(people):
    document = _document(people, number="朝人服工居〔2026〕第000007号", kind="acceptance", title="受理通知书")
    status, html, _ = check(document.number, DIGEST)
    assert status == 200
    assert "朝阳区人力资源公共服务中心" in html


def test_a_superseded_document_says_so(people):
    earlier = _document(people, number="朝人社工居〔2026〕第000123号", kind="certificate", title="北京市工作居住证")
    later_pdf = PDF + b"renewed"
    _document(people, number="朝人社工居〔2026〕第000200号", kind="certificate", title="北京市工作居住证",
              data=later_pdf, supersedes=earlier)
    status, html, _ = check(earlier.number, DIGEST)
    assert status == 200
    assert "已被更新的文书取代" in html
    assert "现行有效" not in html
    assert "现行有效" in check("朝人社工居〔2026〕第000200号", hashlib.sha256(later_pdf).hexdigest())[1]


@pytest.mark.parametrize("case", ["unknown-number", "wrong-hash", "hash-of-another-document"])
def test_a_number_and_hash_that_do_not_match_find_nothing(people, case):
    document = _document(people, number="朝人社工居〔2026〕第000123号")
    other = _document(people, number="朝人社工居〔2026〕第000124号", data=PDF + b"other")
    number, digest = {
        "unknown-number": ("朝人社工居〔2026〕第000999号", DIGEST),
        "wrong-hash": (document.number, hashlib.sha256(PDF + b"one byte more").hexdigest()),
        "hash-of-another-document": (document.number, other.sha256),
    }[case]
    status, html, response = check(number, digest)
    assert status == 404
    assert "未找到该文书" in html
    assert "准予行政许可决定书" not in html
    assert response["Cache-Control"] == "no-store"


def test_a_hash_that_is_not_64_hex_characters_is_shown_under_its_field(people):
    status, html, _ = check("朝人社工居〔2026〕第000123号", "abc123")
    assert status == 400
    assert 'id="id_sha256-error"' in html
    assert "SHA-256 值为 64 位十六进制字符" in html


def test_an_empty_number_is_shown_under_its_field(people):
    status, html, _ = check("", DIGEST)
    assert status == 400
    assert 'id="id_number-error"' in html
    assert "请填写文号。" in html


def test_guessing_numbers_and_hashes_is_limited_like_bad_tokens(people):
    document = _document(people, number="朝人社工居〔2026〕第000123号")
    client = Client()
    for attempt in range(30):
        assert check(f"朝人社工居〔2026〕第{attempt:06d}号", DIGEST, client)[0] == 404
    status, html, response = check(document.number, DIGEST, client)
    assert status == 429
    assert "核验过于频繁" in html
    assert 0 < int(response["Retry-After"]) <= 60
