"""Issue 11 §1 in the browser: an upload is checked by the worker, not by the web request. The unit handler uploads
the unit's business licence; the page comes back at once saying 正在检查…; when the worker has checked the file the
row shows the verdict by itself (htmx polling), without a reload — and a refused file says why, in words."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.documents import pdfs
from tests.e2e.journey_helpers import Journey, cast, material_pdf

from wrp.documents.models import UploadCheck
from wrp.documents.standing import unit_document_check

pytestmark = [pytest.mark.browser]


@pytest.fixture
def journey(browser: Any, live_server: Any, private_media: Any, settings: Any) -> Iterator[Journey]:
    settings.UPLOAD_CHECK_INLINE = False  # as in production: the request quarantines, the worker checks
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    made = Journey(letter="upload-check", base_url=live_server.url, browser=browser)
    yield made
    made.close()


def worker_runs_the_newest_check() -> str:
    """What `wrp worker` does with the queued check (in a thread: the test thread runs Playwright's event loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: unit_document_check.call(UploadCheck.objects.latest("pk").pk)).result()


def test_the_row_says_checking_then_shows_the_verdict_without_a_reload(journey: Journey, transactional_db: Any):
    people = cast()
    unit = journey.sign_in(people.handler.username)
    unit.go("/unit/documents/")
    row = unit.page.locator(f"li#doc-{people.unit.credit_code}-business_license")

    row.locator("input[type=file]").set_input_files(
        {"name": "licence.pdf", "mimeType": "application/pdf", "buffer": material_pdf("business_license")})
    unit.submit(row.locator("button[type=submit]"))
    expect(unit.page.locator("ul.messages")).to_contain_text("正在检查文件")
    expect(row.locator(".upload-check")).to_contain_text("正在检查…")
    unit.page.evaluate("window.sameDocument = true")  # gone if the page were reloaded
    unit.shot("checking")

    assert worker_runs_the_newest_check() == "accepted"
    expect(row.locator(".upload-check")).to_contain_text("检查通过", timeout=10_000)
    assert unit.page.evaluate("window.sameDocument") is True
    unit.shot("accepted")

    row.locator("input[type=file]").set_input_files(
        {"name": "locked.pdf", "mimeType": "application/pdf", "buffer": pdfs.encrypted_pdf(user_password="x")})
    unit.submit(row.locator("button[type=submit]"))
    unit.page.evaluate("window.sameDocument = true")
    assert worker_runs_the_newest_check() == "refused"
    expect(row.locator(".upload-check")).to_contain_text("文件未被接受", timeout=10_000)
    expect(row.locator(".upload-check")).to_contain_text("加密")
    assert unit.page.evaluate("window.sameDocument") is True
    unit.shot("refused")
