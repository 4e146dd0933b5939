"""The self-check page /check/ in Chromium: live updates with JavaScript on, the plain form with JavaScript off."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from wrp.policy.wages import builtin_table
from wrp.public import views

pytestmark = [pytest.mark.browser, pytest.mark.front_end]

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# Counts htmx settles, so a test can wait for the page to finish updating after each answer.
SETTLE_COUNTER = "window.settled = 0; document.addEventListener('htmx:afterSettle', () => { window.settled += 1; });"

# A first application under talent condition 1, in page order: (how, field name, value).
ANSWERS: list[tuple[str, str, str]] = [
    ("select", "unit__kind", "enterprise"),
    ("select", "unit__account__status", "open"),
    ("select", "unit__account__district", "chaoyang"),
    ("text", "unit__quota_remaining", "2"),
    ("radio", "unit__quota_frozen", "no"),
    ("select", "unit__penalty", "none"),
    ("select", "applicant__nationality", "CN"),
    ("select", "applicant__hukou", "non_beijing"),
    ("radio", "applicant__dispatched", "no"),
    ("date", "applicant__employment_start", "2023-01-10"),
    ("date", "applicant__contract_end", "2030-01-09"),
    ("select", "applicant__housing__kind", "rented_residential"),
    ("date", "applicant__housing__lease_end", "2030-12-31"),
    ("select", "applicant__children__0__case", "in_policy"),
    ("radio", "applicant__accompanying_spouse", "no"),
    ("select", "applicant__talent_condition", "1"),
    ("select", "applicant__degree", "master"),
    ("text", "applicant__work_experience_years", "4"),
    ("text", "applicant__taxable_income_12m", "360,000"),
    ("radio", "applicant__income_paid_by_unit", "yes"),
    ("text", "applicant__social_insurance_months_by_unit", "12"),
    ("select", "applicant__permit__status", "none"),
]


def control(page: Any, how: str, name: str, value: str) -> Any:
    if how == "radio":
        return page.locator(f'input[name="{name}"][value="{value}"]')
    return page.locator(f"#id_{name}")


def give(page: Any, how: str, name: str, value: str) -> None:
    """Answer one question the way a person does; text boxes report the change as leaving the box would."""
    element = control(page, how, name, value)
    if how == "select":
        element.select_option(value)
    elif how == "radio":
        element.check()
    else:
        element.fill(value)
        element.dispatch_event("change")


def live(page: Any, action: Callable[[], None]) -> None:
    """Do something that triggers an htmx update and wait until the new content has settled."""
    before = page.evaluate("window.settled")
    with page.expect_response(lambda response: "/check/" in response.url and response.request.method == "POST"):
        action()
    page.wait_for_function(f"() => window.settled > {before}")


def open_service(page: Any, base_url: str, service: str, *, button: str) -> None:
    page.goto(f"{base_url}/check/")
    page.select_option("#id_service", service)
    page.get_by_role("button", name=button).click()
    page.wait_for_url(f"**/check/?service={service}")


def fill_live(page: Any) -> None:
    for how, name, value in ANSWERS:
        live(page, lambda how=how, name=name, value=value: give(page, how, name, value))


def fill_without_javascript(page: Any, button: str) -> None:
    """Answer what is on the page, press the button; repeat while pressing it brought new questions."""
    for _round in range(4):
        for how, name, value in ANSWERS:
            element = control(page, how, name, value)
            if element.count() and not (element.is_checked() if how == "radio" else element.input_value()):
                give(page, how, name, value)
        page.get_by_role("button", name=button, exact=True).click()
        page.wait_for_load_state()
        if page.locator(".decision").count():
            return
    raise AssertionError("no decision after answering every question")


@pytest.fixture
def js_page(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(viewport=WIDE, locale="zh-CN")
    context.add_init_script(SETTLE_COUNTER)
    page = context.new_page()
    yield page
    context.close()


def test_with_javascript_the_result_updates_as_answers_change(
    js_page: Any, live_server: Any, screenshots: Path
) -> None:
    page = js_page
    open_service(page, live_server.url, "initial", button="开始检查")
    expect(page.locator("#id_applicant__degree")).to_have_count(0)
    assert "还有" in page.locator(".result-status").inner_text()

    fill_live(page)

    status = page.locator(".result-status")
    assert "符合条件" in status.inner_text()  # without pressing 「检查」
    expect(page.locator(".rules .rule")).to_have_count(15)
    wage_year = builtin_table().reference(date.today()).year  # the live server runs on today's date
    assert f"{wage_year}年" in page.locator(".income").inner_text()
    assert "如今天提交，预计最迟办结日期" in page.locator(".due").inner_text()
    assert page.url.endswith("/check/?service=initial")  # the answers stay out of the address bar

    # another talent condition asks other questions
    live(page, lambda: page.select_option("#id_applicant__talent_condition", "3"))
    expect(page.locator("#id_applicant__degree")).to_have_count(0)
    assert page.locator("#id_applicant__award__level").is_visible()
    assert page.locator("#id_applicant__taxable_income_12m").input_value() == "360,000"  # answers kept
    live(page, lambda: page.select_option("#id_applicant__award__level", "national"))
    assert page.locator("#id_applicant__award__grade").is_visible()

    # a bad value shows its error next to the field while answering, without "required" elsewhere
    live(page, lambda: give(page, "text", "applicant__taxable_income_12m", "-5"))
    field = page.locator("#field-applicant__taxable_income_12m")
    assert "不能小于 0" in field.locator(".error").inner_text()
    assert "此项必填" not in page.content()
    assert page.locator("#id_applicant__taxable_income_12m").get_attribute("aria-invalid") == "true"

    # the language switch
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/check/?service=initial")
    assert page.locator("h1").inner_text() == "Self-check: First application"
    assert page.get_by_text("Kind of unit", exact=True).is_visible()


def test_with_javascript_focus_stays_in_the_field_being_answered(js_page: Any, live_server: Any) -> None:
    page = js_page
    open_service(page, live_server.url, "unit_opening", button="开始检查")
    assert page.locator("#id_unit__registered_capital").count() == 0  # asked of legal-person enterprises only
    live(page, lambda: page.select_option("#id_unit__kind", "enterprise"))
    live(page, lambda: page.check("#id_unit__legal_person_0"))
    page.focus("#id_unit__registered_capital")
    live(page, lambda: page.select_option("#id_unit__registered_district", "chaoyang"))
    page.keyboard.type("1000000")
    assert page.evaluate("document.activeElement.id") == "id_unit__registered_capital"
    assert page.locator("#id_unit__registered_capital").input_value() == "1000000"


def test_with_javascript_what_is_typed_during_an_update_is_kept(
    js_page: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = js_page
    open_service(page, live_server.url, "unit_opening", button="开始检查")
    live(page, lambda: page.select_option("#id_unit__kind", "enterprise"))
    live(page, lambda: page.check("#id_unit__legal_person_0"))
    slow = views.evaluate

    def evaluate_slowly(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.8)
        return slow(*args, **kwargs)

    monkeypatch.setattr(views, "evaluate", evaluate_slowly)
    before = page.evaluate("window.settled")
    page.select_option("#id_unit__registered_district", "chaoyang")  # an update starts
    page.focus("#id_unit__registered_capital")
    page.keyboard.type("2000000")  # typed while the update is on its way
    page.wait_for_function(f"() => window.settled > {before}")
    assert page.evaluate("document.activeElement.id") == "id_unit__registered_capital"
    assert page.locator("#id_unit__registered_capital").input_value() == "2000000"
    assert page.locator("#id_unit__registered_district").input_value() == "chaoyang"
    live(page, lambda: page.keyboard.press("Tab"))  # leaving the box sends what was typed
    assert page.locator("#id_unit__registered_capital").input_value() == "2000000"


def test_the_keyboard_reaches_every_question_and_the_button(browser: Any, live_server: Any) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/check/?service=unit_opening")
        expected = page.evaluate(
            "[...document.querySelectorAll('#check-area form .field')].map("
            "f => f.querySelector('input:not([type=hidden]), select').id)"
        )
        visited = []
        for _press in range(60):
            page.keyboard.press("Tab")
            focused = page.evaluate("document.activeElement.id || document.activeElement.name")
            visited.append(focused)
            if focused == "check":
                break
        assert [item for item in visited if item in expected] == expected
        assert visited[-1] == "check"  # the 「检查」 button, right after the last question
    finally:
        context.close()


def test_without_javascript_the_button_checks_and_bad_values_show_their_error(
    browser: Any, live_server: Any, screenshots: Path
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=WIDE, locale="zh-CN")
    page = context.new_page()
    try:
        open_service(page, live_server.url, "initial", button="开始检查")
        fill_without_javascript(page, "检查")
        assert "符合条件" in page.locator(".decision").inner_text()
        assert page.url.endswith("/check/?service=initial#outcome")
        expect(page.locator(".checklist li")).to_have_count(8)

        page.fill("#id_applicant__taxable_income_12m", "-5")
        page.fill("#id_applicant__employment_start", "")
        page.get_by_role("button", name="检查", exact=True).click()
        page.wait_for_load_state()
        income = page.locator("#field-applicant__taxable_income_12m")
        assert "不能小于 0" in income.locator(".error").inner_text()
        assert income.locator("input").input_value() == "-5"
        assert "此项必填" in page.locator("#field-applicant__employment_start .error").inner_text()
        summary = page.locator(".error-summary")
        assert summary.is_visible()
        summary.get_by_role("link").first.click()
        expect(page.locator(".decision")).to_have_count(0)
        page.screenshot(path=str(screenshots / "check-nojs-errors-zh-1280.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize(
    ("language", "viewport", "button"),
    [
        ("zh-hans", WIDE, "开始检查"),
        ("zh-hans", PHONE, "开始检查"),
        ("en", WIDE, "Start the check"),
        ("en", PHONE, "Start the check"),
    ],
    ids=["zh-1280", "zh-390", "en-1280", "en-390"],
)
def test_screenshots_of_the_filled_page(
    browser: Any, live_server: Any, screenshots: Path, language: str, viewport: dict[str, int], button: str
) -> None:
    # bypass_csp: the test injects a style to unstick the result panel for its screenshot (the site's own pages are
    # held to the policy by tests/e2e/test_content_security_policy.py)
    context = browser.new_context(viewport=viewport, locale="en-GB" if language == "en" else "zh-CN", bypass_csp=True)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    context.add_init_script(SETTLE_COUNTER)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/check/")
        name = f"{'en' if language == 'en' else 'zh'}-{viewport['width']}"
        page.screenshot(path=str(screenshots / f"check-picker-{name}.png"), full_page=True)
        open_service(page, live_server.url, "initial", button=button)
        fill_live(page)
        assert page.locator(".decision.eligible").is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the page scrolls sideways at {viewport['width']} px"
        page.screenshot(path=str(screenshots / f"check-filled-{name}.png"), full_page=True)
        page.screenshot(path=str(screenshots / f"check-filled-{name}-viewport.png"))
        # the whole result panel, unstuck from the viewport, to look at every row
        page.add_style_tag(content=".check-result { position: static !important; max-height: none !important; }")
        page.locator(".check-result").screenshot(path=str(screenshots / f"check-result-{name}.png"))
    finally:
        context.close()
