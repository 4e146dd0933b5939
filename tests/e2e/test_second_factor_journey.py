"""A new bureau approver's first sign-ins in Chromium (issue 11 §3): the password, then binding an authenticator app
from the enrolment page (the secret read off the page, as a person types it into the app), the ten recovery codes shown
once, signing in again with a code, and once with a recovery code instead.
"""

from __future__ import annotations

from base64 import b32decode
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django_otp.oath import totp
from playwright.sync_api import expect
from tests.clock import NOW
from tests.e2e.journey_helpers import PASSWORD, Journey, Session, current_code
from tests.factories import make_user

from wrp.accounts.models import Role

pytestmark = [pytest.mark.browser]


@pytest.fixture
def journey(browser: Any, live_server: Any, settings: Any) -> Iterator[Journey]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with time_machine.travel(NOW, tick=True):
        made = Journey(letter="second-factor", base_url=live_server.url, browser=browser)
        yield made
        made.close()


def password_step(journey: Journey, username: str) -> Session:
    context = journey.browser.new_context(locale="zh-CN")
    session = Session(journey, context, context.new_page(), username)
    journey.sessions.append(session)
    page = session.page
    page.goto(f"{journey.base_url}/login/?next=/bureau/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form.narrow button[type=submit]").click()
    return session


def sign_out(session: Session) -> None:
    with session.page.expect_navigation():
        session.page.locator("header form.signout button").click()


def test_a_new_approver_binds_an_authenticator_keeps_recovery_codes_and_signs_in_with_each(
    journey: Journey, transactional_db: Any
) -> None:
    make_user(Role.BUREAU_APPROVER, "newapprover", password=PASSWORD, real_name="吴审批")

    session = password_step(journey, "newapprover")
    page = session.page
    expect(page.locator("h1")).to_have_text("绑定验证器")
    expect(page.locator("figure.otp-qr svg")).to_be_visible()
    session.shot("enrol")
    secret = page.locator("#otp-secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_code", f"{totp(key):06d}")
    session.press("确认绑定")

    expect(page.locator("h1")).to_have_text("恢复码")
    codes = page.locator("ol#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    expect(page.get_by_role("button", name="打印")).to_be_visible()  # the page's script shows print and copy
    session.shot("recovery-codes")
    with page.expect_navigation():
        page.get_by_role("link", name="我已保存，继续").click()
    assert page.url.endswith("/bureau/")
    sign_out(session)

    again = password_step(journey, "newapprover")
    expect(again.page.locator("h1")).to_have_text("动态验证码")
    again.enter_code(current_code("newapprover"))
    assert again.page.url.endswith("/bureau/")
    sign_out(again)

    with_recovery = password_step(journey, "newapprover")
    with_recovery.enter_code(codes[0])
    assert with_recovery.page.url.endswith("/bureau/")
    sign_out(with_recovery)

    replayed = password_step(journey, "newapprover")
    replayed.enter_code(codes[0])
    expect(replayed.page.locator(".error-summary")).to_contain_text("验证码不正确")
    replayed.shot("recovery-code-used")
