"""Issue 15 §6 in the browser: the bureau's statistics dashboard and the public processing figures render in Chromium
in Chinese and in English, from the daily snapshot of the hand-built cases of tests/statistics/dataset.py, with every
chart drawn and titled; screenshots test-output/screenshots/statistics-{dashboard,public}-{zh,en}.png."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import time_machine
from playwright.sync_api import Page, expect
from tests.clock import beijing
from tests.e2e.journey_helpers import WIDE, Journey, cast
from tests.statistics.dataset import hand_built_cases

from wrp.statistics.precompute import figures_precompute

pytestmark = [pytest.mark.browser]


@pytest.fixture
def journey(browser: Any, live_server: Any, private_media: Any, settings: Any) -> Iterator[Journey]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with time_machine.travel(beijing(2026, 11, 26, 10), tick=True):
        made = Journey(letter="statistics", base_url=live_server.url, browser=browser)
        yield made
        made.close()


def in_english(page: Page) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.url}])
    page.reload()


def charts_drawn(page: Page, count: int) -> None:
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(count)
    for index in range(count):
        expect(charts.nth(index).locator("rect").first).to_be_visible()
        assert charts.nth(index).locator("title").first.text_content()


def test_the_dashboard_and_the_public_figures_in_both_languages(
    journey: Journey, screenshots: Path, transactional_db: Any
) -> None:
    people = cast()
    hand_built_cases(people)
    figures_precompute(today=date(2026, 11, 26))

    bureau = journey.sign_in("approver").page
    bureau.goto(f"{journey.base_url}/bureau/statistics/")
    expect(bureau.locator("h1")).to_have_text("办理统计")
    expect(bureau.locator(".stat-headline")).to_contain_text("2026年11月20日 收到的案件")
    charts_drawn(bureau, 10)
    bureau.screenshot(path=str(screenshots / "statistics-dashboard-zh.png"), full_page=True)
    in_english(bureau)
    expect(bureau.locator("html")).to_have_attribute("lang", "en")
    expect(bureau.locator(".stat-headline")).to_contain_text("20 Nov 2026")
    charts_drawn(bureau, 10)
    bureau.screenshot(path=str(screenshots / "statistics-dashboard-en.png"), full_page=True)

    visitor = journey.browser.new_context(viewport=WIDE, locale="zh-CN").new_page()
    visitor.goto(f"{journey.base_url}/")
    visitor.get_by_role("link", name="办理情况公开：办结用时和窗口受理进度").click()
    expect(visitor.locator(".stat-live").first).to_contain_text("窗口现在受理的是 2026年11月20日 收到的案件。")
    charts_drawn(visitor, 1)
    visitor.screenshot(path=str(screenshots / "statistics-public-zh.png"), full_page=True)
    in_english(visitor)
    expect(visitor.locator("html")).to_have_attribute("lang", "en")
    expect(visitor.locator("table.stat-data")).to_contain_text("First application")
    charts_drawn(visitor, 1)
    visitor.screenshot(path=str(screenshots / "statistics-public-en.png"), full_page=True)
    visitor.context.close()
