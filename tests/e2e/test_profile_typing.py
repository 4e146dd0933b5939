"""Typing into the profile while its live updates are slow (issue 13 §2): what is saved is exactly what was typed.

The walk found that typing 456789 into the income while a live update was in flight left 35678900000 (the update
swapped in the form as it was sent and the caret went on in the old number) and that a saved income vanished. Here
every live update is held back 400 ms in the browser (a route that waits before letting the request go on), the
person types into the income and other boxes while updates are in flight, saves, and the page reloaded shows the
typed values; a yearly income saved under another talent condition, which the page does not ask, is still stored.

The route handler waits with `page.wait_for_timeout`: in Playwright's sync API a handler runs in its own greenlet,
so the wait holds only that request while the test goes on typing (a `threading.Timer` cannot call back into the sync
API, which belongs to the test's thread).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from playwright.sync_api import Page, Route, expect
from tests.cases.conftest import PROFILE
from tests.e2e.journey_helpers import NOW, PASSWORD, Journey
from tests.factories import make_user

from wrp.accounts.models import ApplicantProfile, Role

pytestmark = [pytest.mark.browser]

DELAY_MS = 400
BY_YEAR = {"2023": "500000", "2024": "520000", "2025": "540000"}


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def journey(browser: Any, live_server: Any, clock: None, settings: Any) -> Iterator[Journey]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # one quick sign-in
    made = Journey(letter="profile", base_url=live_server.url, browser=browser)
    yield made
    made.close()


def slow_live_updates(page: Page) -> list[str]:
    """Hold every POST to the profile back DELAY_MS before it goes on; returns the log of held requests."""
    held: list[str] = []

    def hold(route: Route) -> None:
        if route.request.method == "POST":
            held.append(route.request.headers.get("hx-request", "form"))
            page.wait_for_timeout(DELAY_MS)
        route.continue_()

    page.route("**/me/profile/", hold)
    return held


def type_over(page: Page, selector: str, text: str) -> None:
    """Select what the box holds and type `text` key by key, as a person does: the first half while the live update
    is still in flight, the rest once its swap has landed — the moment that used to eat or merge keystrokes."""
    before = page.evaluate("window.settled")
    page.click(selector)
    page.keyboard.press("Control+A")
    half = max(1, len(text) // 2)
    page.keyboard.type(text[:half])
    assert page.evaluate("window.settled") == before, "the live update should still be in flight"
    page.wait_for_function(f"() => window.settled > {before}")
    page.keyboard.type(text[half:])


def test_what_is_typed_while_live_updates_are_in_flight_is_saved_exactly(
    journey: Journey, transactional_db: Any
) -> None:
    user = make_user(Role.APPLICANT, "applicant", password=PASSWORD)
    ApplicantProfile.objects.create(user=user, facts={**PROFILE, "taxable_income_by_year": dict(BY_YEAR),
                                                      "children": [{"case": "in_policy"}]})
    session = journey.sign_in("applicant")
    page = session.page
    held = slow_live_updates(page)
    session.go("/me/profile/")
    status = page.locator("#profile-status")
    expect(page.locator("#id_applicant__taxable_income_12m")).to_have_value("400,000")

    # Each answer starts a live update; a box is typed over while it is in flight, and its swap lands mid-word.
    page.select_option("#id_applicant__housing__kind", "rented_residential")
    expect(status).to_have_text("正在按您的回答更新表单…")
    type_over(page, "#id_applicant__taxable_income_12m", "456789")
    expect(page.locator("#id_applicant__taxable_income_12m")).to_have_value("456789")
    page.fill("#id_applicant__housing__lease_end", "2028-06-30")  # asked since the update: a rented home
    type_over(page, "#id_applicant__work_experience_years", "7.5")
    page.select_option("#id_applicant__children__0__case", "none")  # no child accompanies
    type_over(page, "#id_applicant__social_insurance_months_by_unit", "11")
    page.keyboard.press("Tab")
    expect(status).to_have_text("有修改尚未保存：请点击“保存资料”。")
    for box, typed in (("taxable_income_12m", "456789"), ("work_experience_years", "7.5"),
                       ("social_insurance_months_by_unit", "11"), ("housing__lease_end", "2028-06-30")):
        expect(page.locator(f"#id_applicant__{box}")).to_have_value(typed)
    session.shot("typed-while-updating")

    session.press("保存资料")
    session.expect_message("资料已保存")
    page.reload()
    expect(page.locator("#id_applicant__taxable_income_12m")).to_have_value("456,789")
    expect(page.locator("#id_applicant__work_experience_years")).to_have_value("7.5")
    expect(page.locator("#id_applicant__social_insurance_months_by_unit")).to_have_value("11")
    expect(page.locator("#id_applicant__housing__lease_end")).to_have_value("2028-06-30")
    expect(page.locator("#id_applicant__children__0__case")).to_have_value("none")
    facts = ApplicantProfile.objects.get(user=user).facts
    assert facts["taxable_income_12m"] == "456789", facts
    assert facts["work_experience_years"] == "7.5", facts
    assert facts["social_insurance_months_by_unit"] == 11, facts
    assert facts["housing"] == {"kind": "rented_residential", "lease_end": "2028-06-30"}, facts
    assert facts["children"] == [], facts
    assert facts["taxable_income_by_year"] == BY_YEAR, facts  # saved under condition 4, not asked now: kept
    assert held.count("true") >= 3, held  # the live updates were all held back
