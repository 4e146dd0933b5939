"""Issue 15 — Done when, in Chromium: a unit handler imports a 200-row sheet with 7 deliberate errors (each reported at
its row and column, nothing written), fixes them, imports, runs the batch pre-check and exports it. The worker's
steps run as `wrp worker` would (in a thread: the test thread runs Playwright's event loop); the page follows them by
itself (htmx polling). Screenshots: test-output/screenshots/import-*.png."""

from __future__ import annotations

import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from openpyxl import load_workbook
from playwright.sync_api import expect
from tests.e2e.journey_helpers import Journey, cast
from tests.imports.sheets import SEVEN_ERRORS, employees, with_errors, xlsx

from wrp.imports.models import ImportBatch, Invitation
from wrp.imports.services import import_execute, import_validate
from wrp.imports.sheet import columns
from wrp.units.models import Association

pytestmark = [pytest.mark.browser]


@pytest.fixture
def journey(browser: Any, live_server: Any, private_media: Any, settings: Any) -> Iterator[Journey]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    made = Journey(letter="import", base_url=live_server.url, browser=browser)
    yield made
    made.close()


def worker(task: Any) -> str:
    """What `wrp worker` does with the newest import (its own thread and connection, closed after)."""

    def run() -> str:
        try:
            return str(task.call(ImportBatch.objects.latest("pk").pk))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def test_import_200_rows_fix_7_errors_precheck_and_export(
    journey: Journey, screenshots: Any, transactional_db: Any
) -> None:
    people = cast()
    associations = Association.objects.count()
    unit = journey.sign_in(people.handler.username)
    page = unit.page
    unit.go("/unit/employees/")
    with page.expect_navigation():
        page.locator("#bulk-import-link").click()

    def upload(data: bytes) -> None:
        page.locator("input[type=file]").set_input_files(
            {"name": "员工.xlsx", "mimeType": "application/octet-stream", "buffer": data}
        )
        unit.press("上传并校验")
        expect(page.locator("#import-progress")).to_be_visible()

    upload(xlsx(with_errors(employees(200))))
    assert worker(import_validate) == "invalid"
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(7, timeout=10_000)  # the page reloaded itself when the worker was done
    letters = {col.key: chr(ord("A") + index) for index, col in enumerate(columns())}
    shown = {(row.get_attribute("data-row"), row.get_attribute("data-column")) for row in errors.all()}
    assert shown == {(str(index + 2), letters[key]) for index, key, _v, _c in SEVEN_ERRORS}
    expect(page.locator("#import-error-summary")).to_contain_text("不会写入任何数据")
    expect(page.locator("#import-all")).to_have_count(0)
    page.screenshot(path=str(screenshots / "import-01-seven-errors.png"), full_page=True)
    assert Invitation.objects.count() == 0
    assert Association.objects.count() == associations

    page.get_by_role("link", name="重新上传").click()
    upload(xlsx(employees(200)))
    assert worker(import_validate) == "valid"
    expect(page.locator("#import-valid")).to_contain_text("全部 200 行校验通过", timeout=10_000)
    page.screenshot(path=str(screenshots / "import-02-valid.png"), full_page=True)
    unit.submit(page.locator("#import-all"))
    assert worker(import_execute) == "imported"
    expect(page.locator("#import-result")).to_contain_text("已向 200 名员工发出关联邀请", timeout=10_000)
    page.screenshot(path=str(screenshots / "import-03-imported.png"), full_page=True)
    assert Invitation.objects.count() == 200
    assert Association.objects.count() == associations

    with page.expect_navigation():
        page.locator("#run-precheck").click()
    expect(page.locator("#summary-people")).to_have_text("200")
    expect(page.locator("#summary-ineligible")).to_have_text("20")  # every 10th earns too little
    page.screenshot(path=str(screenshots / "import-04-precheck.png"))
    with page.expect_download() as download:
        page.locator("#precheck-export").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 201
    assert sum(1 for row in rows[1:] if "A-INCOME" in (row[5] or "")) == 20
