"""Every role's main pages run under the Content-Security-Policy (no inline script or style, no eval) without one
violation in Chromium: the public pages and the self-check's live updates, each portal's navigation and its case
page, the admin site. One test, one browser session; any `securitypolicyviolation` event or CSP console error fails
it, naming the page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from tests.cases.conftest import PROFILE
from tests.e2e.journey_helpers import NOW, PASSWORD, WIDE, cast, current_code
from tests.factories import case_in_state, make_association, make_ledger

from wrp.accounts.models import ApplicantProfile

pytestmark = [pytest.mark.browser, pytest.mark.front_end]

# Set before any page script: every violation the page sees is kept for the test to read.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""
PUBLIC = ["/", "/check/", "/guide/", "/guide/initial/", "/track/", "/verify/", "/login/", "/no/such/page/"]
ADMIN = ["/admin/", "/admin/accounts/user/", "/admin/accounts/user/add/"]


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Visitor:
    """One browser context (one person), recording CSP violations of every page it opens."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.base_url = base_url
        self.context = browser.new_context(viewport=WIDE, locale="zh-CN")
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.problems.append(f"{self.page.url}: console: {message.text}")

    def visit(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")
        self.collect()

    def collect(self) -> None:
        for violation in self.page.evaluate("window.cspViolations || []"):
            self.problems.append(f"{self.page.url}: {violation}")
        self.page.evaluate("window.cspViolations = []")

    def sign_in(self, username: str) -> None:
        self.visit("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        with self.page.expect_navigation():
            self.page.locator("main form button[type=submit]").first.click()
        self.collect()
        if "/login/code/" in self.page.url:  # staff: the second factor's page runs under the policy too
            self.page.fill("#id_code", current_code(username))
            with self.page.expect_navigation():
                self.page.locator("main form button[type=submit]").first.click()
            self.collect()

    def navigation(self) -> list[str]:
        links = self.page.locator("nav.main-nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        return [link for link in links if link.startswith("/")]


def test_every_roles_main_pages_run_under_the_policy_without_a_violation(
    browser: Any, live_server: Any, clock: None, private_media: Any, fast_passwords: None, transactional_db: Any
) -> None:
    people = cast()
    ApplicantProfile.objects.create(user=people.applicant, facts=dict(PROFILE))
    make_association(people.applicant, people.unit)
    make_ledger(people.unit, NOW.year, granted=3)
    case = case_in_state(people, "in_review")
    visitors: list[Visitor] = []
    problems: list[str] = []

    anonymous = Visitor(browser, live_server.url)
    visitors.append(anonymous)
    for path in PUBLIC:
        anonymous.visit(path)
    anonymous.visit("/check/?service=initial")  # the live update: htmx posts and swaps without eval or inline style
    anonymous.page.select_option("#id_unit__kind", "enterprise")
    anonymous.page.wait_for_load_state("networkidle")
    anonymous.collect()
    # The detector itself: an inline style added now is refused, and seen.
    anonymous.page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    anonymous.page.wait_for_function("() => window.cspViolations.length > 0")
    anonymous.collect()
    assert anonymous.problems
    assert "style-src" in anonymous.problems[-1]
    anonymous.problems.clear()

    case_pages = {
        "applicant": [f"/cases/{case.public_id}/", "/me/cases/new/"],
        "handler": [f"/cases/{case.public_id}/"],
        # the factories' materials have no bytes on disk: the viewer frame shows the integrity page, framed
        "clerk": [f"/clerk/cases/{case.public_id}/"],
        "approver": [f"/cases/{case.public_id}/"],
        "admin": ADMIN,
    }
    for persona, extra in case_pages.items():
        user = getattr(people, persona)
        visitor = Visitor(browser, live_server.url)
        visitors.append(visitor)
        visitor.sign_in(user.username)
        for path in [*visitor.navigation(), *extra]:
            visitor.visit(path)
            assert "/login/" not in visitor.page.url, f"{persona} was not let into {path}"
    for visitor in visitors:
        problems += visitor.problems
        visitor.context.close()
    assert problems == []
