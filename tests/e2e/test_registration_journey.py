"""Issue 13 §1 in the browser: getting in without an administrator. From the public home page, through the sign-in
page's 注册账户, a new applicant and a new unit handler register, each verified by the code sent to the mobile (read
from the SMS provider's log) and the one sent to the e-mail (Django's test outbox: the live server runs in this
process); the handler then registers the unit, opens its account-opening case (unit_opening), uploads the unit's
materials and submits it. Nobody else acts: no administrator, no persona, nothing made in the database first.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail
from playwright.sync_api import expect
from tests.e2e.journey_helpers import NOW, WIDE, Journey, Session, upload_waiting, waiting_uploads
from tests.factories import make_credit_code

from wrp.accounts.models import Role, User
from wrp.cases.models import Case, CaseState
from wrp.demo import resident_id
from wrp.notifications.models import ContactPreference

pytestmark = [pytest.mark.browser]

CODE = re.compile(r"注册验证码：(\d{6})")
PASSWORD = "Register-2026-wrp"


@pytest.fixture
def journey(browser: Any, live_server: Any, private_media: Any, settings: Any, caplog: Any) -> Iterator[Journey]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RATE_LIMIT_CODE_CLIENT = settings.RATE_LIMIT_CODE_ADDRESS = "100/h"
    caplog.set_level(logging.INFO, logger="wrp.sms")
    with time_machine.travel(NOW, tick=True):
        made = Journey(letter="registration", base_url=live_server.url, browser=browser)
        yield made
        made.close()


def newcomer(journey: Journey) -> Session:
    """A visitor in a browser context of their own, not signed in."""
    context = journey.browser.new_context(viewport=WIDE, locale="zh-CN")
    session = Session(journey, context, context.new_page(), "")
    journey.sessions.append(session)
    return session


def register(session: Session, caplog: Any, *, role: str, name: str, serial: int, username: str) -> None:
    """Home → 登录 → 注册账户 → the role → the form → the two codes, a username and a password → signed in."""
    page, mobile, email = session.page, f"1390000{serial:04d}", f"{username}@example.com"
    session.go("/")
    with page.expect_navigation():
        page.locator("header a.signin").click()
    with page.expect_navigation():
        session.main().get_by_role("link", name="注册账户").click()
    expect(page.locator("h1")).to_have_text("注册账户")
    with page.expect_navigation():
        session.main().get_by_role("link", name=role).click()
    page.fill("#id_real_name", name)
    page.fill("#id_id_number", resident_id(serial))
    page.fill("#id_mobile", mobile)
    page.fill("#id_email", email)
    session.press("发送验证码")
    expect(page.locator("h1")).to_have_text("输入验证码")
    assert resident_id(serial) not in page.url
    assert resident_id(serial) not in page.content()
    sms = [m.group(1) for r in caplog.records if r.name == "wrp.sms" and mobile[-4:] in r.getMessage()
           and (m := CODE.search(r.getMessage()))]
    mailed = [m.group(1) for message in mail.outbox if message.to == [email] and (m := CODE.search(message.subject))]
    assert len(sms) == 1
    assert len(mailed) == 1
    page.fill("#id_code_sms", sms[0])
    page.fill("#id_code_email", mailed[0])
    page.fill("#id_username", username)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    session.shot(f"{username}-codes")
    session.press("完成注册")
    session.expect_message("注册成功")
    expect(page.locator("header .who")).to_contain_text(name)


def test_an_applicant_and_a_unit_handler_get_in_and_the_unit_files_its_opening(journey: Journey, caplog: Any,
                                                                            transactional_db: Any) -> None:
    applicant = newcomer(journey)
    register(applicant, caplog, role="注册为申请人", name="周申请", serial=811, username="zhoushenqing")
    expect(applicant.page).to_have_url(re.compile(r"/me/$"))

    handler = newcomer(journey)
    register(handler, caplog, role="注册为单位经办人", name="吴经办", serial=812, username="wujingban")
    page = handler.page
    expect(page).to_have_url(re.compile(r"/unit/$"))
    expect(handler.main()).to_contain_text("您还没有经办的单位")
    assert {u.username: u.role for u in User.objects.all()} == {"zhoushenqing": Role.APPLICANT,
                                                                  "wujingban": Role.UNIT_HANDLER}
    assert ContactPreference.objects.filter(email_verified=True, mobile_verified=True).count() == 2

    # The handler registers the unit (no account anywhere yet), then opens the account: the case, its materials, submit.
    credit_code, unit_name = make_credit_code(), "北京注册新科技有限公司"
    with page.expect_navigation():
        handler.main().get_by_role("link", name="登记新单位").click()
    page.fill("#id_credit_code", credit_code)
    page.fill("#id_name", unit_name)
    page.fill("#id_registered_capital", "5,000,000")
    page.fill("#id_tax_paid_since", "2019-05-01")
    for year in (2023, 2024, 2025):
        page.fill(f"#id_annual_tax_{year}", "300,000")
    expect(page.locator("#id_account_elsewhere")).to_have_value("")
    handler.press("登记单位")
    handler.expect_message("下一步：办理开户")
    card = page.locator("section.unit-card", has_text=unit_name)
    expect(card).to_contain_text("未开户")
    with page.expect_navigation():
        card.get_by_role("link", name="办理开户").click()
    handler.press("开立案件")
    handler.expect_message("已开立案件")
    case_id = handler.heading_id()
    assert upload_waiting(handler)
    assert waiting_uploads(page) == []
    handler.press("确认提交", within=page.locator("section.unit-actions"))
    handler.expect_message("已提交")
    expect(page.locator(".case-summary")).to_contain_text("已提交")
    handler.shot("unit-opening-submitted")

    case = Case.objects.get(public_id=case_id)
    assert (case.kind, case.state, case.unit.name) == ("unit_opening", CaseState.SUBMITTED, unit_name)
    assert list(case.unit.handlers.values_list("username", flat=True)) == ["wujingban"]
    assert not User.objects.filter(role=Role.ADMIN).exists(), "no administrator was needed"
