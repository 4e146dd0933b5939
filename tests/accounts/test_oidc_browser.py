"""Unified login in Chromium (issue 13 §1): from the sign-in page's button to the local OpenID provider and back to the
applicant's own page, under the platform's Content-Security-Policy, with no violation reported."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.accounts.conftest import VALID_ID
from tests.accounts.oidc_provider import LocalProvider
from tests.accounts.test_oidc import BACKEND, BUTTON, CLIENT_ID, CLIENT_SECRET, identity
from wrp.accounts.models import Role
from wrp.accounts.services import user_create

pytestmark = [pytest.mark.browser]


@pytest.fixture
def browser() -> Any:
    from tests.browsers import chromium

    return chromium()


def test_an_applicant_signs_in_through_the_unified_login_in_chromium(browser, live_server, settings, transactional_db):
    user_create(username="zhangsan", role=Role.APPLICANT, real_name="张三", id_number=VALID_ID)
    with LocalProvider(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, identity=identity()) as provider:
        settings.OIDC_ENABLED = True
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_OP_ISSUER = provider.issuer
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
        context = browser.new_context(locale="zh-CN")
        try:
            page = context.new_page()
            violations: list[str] = []
            page.on("console", lambda message: violations.append(message.text)
                    if "Content Security Policy" in message.text else None)
            page.goto(f"{live_server.url}{reverse('accounts:login')}")
            with page.expect_navigation(url=f"{live_server.url}{reverse('portal:applicant_home')}"):
                page.get_by_role("link", name=BUTTON).click()
            expect(page.locator("body")).to_contain_text("张三")
            assert "/authorize" in provider.paths_seen()
            assert violations == []
        finally:
            context.close()
