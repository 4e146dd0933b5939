"""Issue 10 in the browser: a case walked from the unit's submission to approval through the pages, each step's notices
seen in the applicant's and the unit handler's notification centres (the bell's count moving, marking read) and in
the inbox of a real SMTP server on 127.0.0.1; then the pages of the issue photographed in both languages and sizes.

The deliveries are django-tasks tasks on the platform's default backend (the database): after each step the test runs
the worker once in-process (`run_queue`, django-tasks-db's worker in batch mode, as `wrp worker` runs it) and reads
what the SMTP server received. The applicant reads Chinese, the unit's handler English (their contact preferences), so
the two inboxes must hold the same notices in two languages.

Screenshots go to test-output/screenshots/issue10/<page>-<zh|en>-<1280|390>.png: the bell and the centre (the
applicant's in Chinese, the handler's English notices in English), the unit's expiry radar with permits in every
window state, the public tracker with the case found (returned for correction, then approved), and the bureau's
好差评 page with an open 差评 follow-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.utils import timezone, translation
from playwright.sync_api import expect
from tests.e2e.journey_helpers import (
    NOW,
    TODAY,
    WIDE,
    Journey,
    Session,
    cast,
    clerk_decide,
    clerk_open,
    clerk_return,
    clerk_start,
    clerk_verdicts,
    open_unit_case,
    start_case,
    submit_with_slot,
    upload,
    upload_waiting,
)
from tests.e2e.test_journeys import holder_with_permit
from tests.factories import make_association, make_permit, make_user
from tests.notifications.test_channels import Inbox, free_port
from tests.tasks.helpers import run_queue

from wrp.accounts.models import Role
from wrp.appointments.models import Booking
from wrp.cases.kinds import kind_spec
from wrp.cases.models import Case, CaseState, RatingFollowUp
from wrp.demo import resident_id
from wrp.notifications.models import Delivery, DeliveryStatus, Notification
from wrp.notifications.services import contact_preference_set
from wrp.public.templatetags.wrp_format import day_with_weekday

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
LANGUAGES = {"zh": "zh-hans", "en": "en"}
APPLICANT_MAIL, HANDLER_MAIL, CLERK_MAIL = "zhang.wei@example.com", "hr@example.com", "window@example.com"
CORRECTION = "扫描件不清晰，请重新扫描后上传。"


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def smtp_inbox(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1 and a free port; the live server's mail goes to it through the SMTP backend.
    The task backend stays the platform's default (the database queue), run by `run_queue` after each step."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", controller.port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    yield inbox
    controller.stop()


@pytest.fixture
def shots(screenshots: Path) -> Path:
    folder = screenshots / "issue10"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


@pytest.fixture
def journey(browser: Any, live_server: Any, clock: None, private_media: Any, fast_passwords: None) -> Iterator[Journey]:
    made = Journey(letter="notifications", base_url=live_server.url, browser=browser)
    yield made
    made.close()


# --- reading the centre and the inbox --------------------------------------------------------------------------------


class Mailbox:
    """What the SMTP server received since the last look, by recipient: their subjects."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox, self.seen = inbox, 0

    def new(self) -> dict[str, list[str]]:
        fresh = self.inbox.messages[self.seen :]
        self.seen = len(self.inbox.messages)
        received: dict[str, list[str]] = {}
        for recipients, message in fresh:
            for address in recipients:
                # a long Chinese subject is folded before its first encoded word: the parser keeps that space
                received.setdefault(address, []).append(str(message["Subject"]).strip())
        return {address: sorted(subjects) for address, subjects in received.items()}


def deliver() -> int:
    """The worker's turn: every queued delivery sent (or failed) before the next step."""
    return run_queue()


def centre(session: Session, unread: int) -> None:
    """Open /notifications/ and check the bell in the header shows `unread` (no count at all when 0)."""
    session.go("/notifications/")
    bell = session.page.locator("header a.bell")
    expect(bell).to_be_visible()
    if unread:
        expect(bell.locator(".count")).to_have_text(str(unread))
        expect(session.page.locator("li.notice.unread")).to_have_count(unread)
    else:
        expect(bell.locator(".count")).to_have_count(0)
        expect(session.page.locator("li.notice.unread")).to_have_count(0)


def notice(session: Session, subject: str) -> Any:
    item = session.page.locator("li.notice", has_text=subject)
    expect(item).to_have_count(1)
    return item


# --- screenshots -----------------------------------------------------------------------------------------------------


def photograph(
    session: Session, folder: Path, slug: str, show: Any, *, languages: tuple[str, ...] = ("zh", "en")
) -> list[Path]:
    """`show()` the page in each language at 1280×800 and 390×844, check it does not scroll sideways and save a
    full-page screenshot of each; back to Chinese at 1280 afterwards. Returns the paths."""
    page, made = session.page, []
    for language in languages:
        session.context.add_cookies([{"name": "django_language", "value": LANGUAGES[language], "url": session.url}])
        for viewport in (WIDE, PHONE):
            page.set_viewport_size(viewport)
            show()
            expect(page.locator("html")).to_have_attribute("lang", "en" if language == "en" else "zh-CN")
            path = folder / f"{slug}-{language}-{viewport['width']}.png"
            page.screenshot(path=str(path), full_page=True)
            made.append(path)
            scrolled = page.evaluate("document.documentElement.scrollWidth")
            assert scrolled <= viewport["width"], f"{slug} scrolls sideways at {viewport['width']} px ({language})"
    session.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": session.url}])
    page.set_viewport_size(WIDE)
    return made


def visitor(journey: Journey) -> Session:
    """A signed-out browser context (the public tracker's reader)."""
    context = journey.browser.new_context(viewport=WIDE, locale="zh-CN")
    session = Session(journey, context, context.new_page(), "")
    journey.sessions.append(session)
    return session


def track(public: Session, case_id: str, last4: str) -> Any:
    """Look the case up on /track/ and return the result panel (found: the number and the masked name only)."""
    public.go("/track/")
    public.page.fill("[name=case_number]", case_id)
    public.page.fill("[name=last4]", last4)
    public.submit(public.page.locator("form.track-form button[type=submit]"))
    result = public.page.locator("section.track-result")
    expect(result).to_contain_text(case_id)
    expect(result).to_contain_text("张*")
    expect(result).not_to_contain_text("张伟")
    return result


# --- the journey -----------------------------------------------------------------------------------------------------


def test_a_case_from_submission_to_approval_is_told_in_the_centres_and_by_email(
    journey: Journey, smtp_inbox: Inbox, shots: Path, transactional_db: Any
) -> None:
    people = cast()
    permit = holder_with_permit(people, issued_on=date(2025, 6, 1))
    contact_preference_set(user=people.applicant, email=APPLICANT_MAIL, verified=True, language="zh")
    contact_preference_set(user=people.handler, email=HANDLER_MAIL, verified=True, language="en")
    contact_preference_set(user=people.clerk, email=CLERK_MAIL, verified=True, language="zh")
    title_zh, title_en = kind_spec("children_change").title
    mailbox = Mailbox(smtp_inbox)

    handler = journey.sign_in("handler")
    applicant = journey.sign_in("applicant")
    clerk = journey.sign_in("clerk")
    centre(applicant, 0)
    expect(applicant.main()).to_contain_text("还没有通知。")
    centre(handler, 0)

    # 1. The unit files a children change, uploads, books a slot and submits: receipt and booking, to both parties.
    case_id = start_case(handler, "张伟", "children_change", {"child_0_name": "张小明", "child_0_case": "in_policy"})
    materials = upload_waiting(handler)
    assert materials
    assert deliver() == 0  # opening and uploading tell no one
    submit_with_slot(handler)
    assert deliver() == 4
    submitted_zh, submitted_en = f"已提交：{title_zh}（案件 {case_id}）", f"Submitted: {title_en} (case {case_id})"
    received = mailbox.new()
    assert set(received) == {APPLICANT_MAIL, HANDLER_MAIL}
    booked = Booking.objects.get(case__public_id=case_id).slot.start
    local = timezone.localtime(booked)
    with translation.override("zh-hans"):
        at_zh = f"{day_with_weekday(local.date())} {local:%H:%M}"
    with translation.override("en"):
        at_en = f"{day_with_weekday(local.date())} {local:%H:%M}"
    assert received[APPLICANT_MAIL] == sorted([submitted_zh, f"预约已确认：{at_zh}"])
    assert received[HANDLER_MAIL] == sorted([submitted_en, f"Appointment confirmed: {at_en}"])

    centre(applicant, 2)
    submitted = notice(applicant, submitted_zh)
    expect(submitted).to_contain_text("张*")  # the applicant's name masked, nothing more
    expect(notice(applicant, "预约已确认")).to_contain_text(case_id)
    applicant.submit(submitted.get_by_role("button", name="标为已读"))  # marking one read
    centre(applicant, 1)
    expect(notice(applicant, submitted_zh)).to_have_class("notice")
    centre(handler, 2)
    notice(handler, submitted_en)
    handler.press("全部标为已读")  # marking all read
    handler.expect_message("已将 2 条通知标为已读。")
    centre(handler, 0)

    # 2. The window starts the review: nobody is told.
    clerk_open(clerk, case_id)
    clerk_start(clerk)
    assert deliver() == 0
    assert mailbox.new() == {}
    centre(applicant, 1)
    centre(handler, 0)

    # 3. The window returns it for correction: the notice with the correction, to both parties.
    rejected = materials[0]
    clerk_verdicts(clerk, rejected={rejected: CORRECTION})
    clerk_return(clerk)
    assert deliver() == 2
    returned_zh = f"请补正材料：案件 {case_id}（{title_zh}）"
    returned_en = f"Corrections needed: case {case_id} ({title_en})"
    assert mailbox.new() == {APPLICANT_MAIL: [returned_zh], HANDLER_MAIL: [returned_en]}
    centre(applicant, 2)
    returned = notice(applicant, returned_zh)
    expect(returned).to_contain_text(CORRECTION)
    with applicant.page.expect_navigation():  # 查看 marks it read and opens the case
        returned.get_by_role("button", name="查看").click()
    expect(applicant.page.locator("h1")).to_contain_text(case_id)
    centre(applicant, 1)
    centre(handler, 1)
    expect(notice(handler, returned_en)).to_contain_text(CORRECTION)
    public, last4 = visitor(journey), resident_id(42)[-4:]  # the tracker shows the correction asked for
    photograph(
        public,
        shots,
        "tracker-returned",
        lambda: expect(track(public, case_id, last4).locator(".track-correction")).to_be_visible(),
    )

    # 4. The unit uploads the material again and resubmits: both parties and the clerk who returned it are told.
    open_unit_case(handler, case_id)
    upload(handler, rejected, "补正后重新扫描")
    handler.press("确认重新提交")
    handler.expect_message("已重新提交")
    assert deliver() == 3
    resubmitted_zh = f"已重新提交：案件 {case_id}（{title_zh}）"
    assert mailbox.new() == {
        APPLICANT_MAIL: [resubmitted_zh],
        HANDLER_MAIL: [f"Resubmitted: case {case_id} ({title_en})"],
        CLERK_MAIL: [resubmitted_zh],
    }
    centre(clerk, 1)
    notice(clerk, resubmitted_zh)

    # 5. The window approves it: both parties told.
    clerk_open(clerk, case_id)
    assert clerk_verdicts(clerk) == [rejected]
    clerk_decide(clerk)
    clerk.expect_message("已批准")
    assert deliver() == 2
    approved_zh, approved_en = f"已批准：案件 {case_id}（{title_zh}）", f"Approved: case {case_id} ({title_en})"
    assert mailbox.new() == {APPLICANT_MAIL: [approved_zh], HANDLER_MAIL: [approved_en]}
    centre(applicant, 3)
    expect(notice(applicant, approved_zh)).to_contain_text("决定书")
    centre(handler, 3)
    expect(notice(handler, approved_en)).to_contain_text("decision")

    assert Case.objects.get(public_id=case_id).state == CaseState.APPROVED
    assert list(permit.children.values_list("name", flat=True)) == ["张小明"]
    assert Delivery.objects.count() == 11
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    for _to, message in smtp_inbox.messages:  # no ID number in any message
        assert resident_id(42) not in message.get_content()
    assert Notification.objects.filter(recipient=people.applicant).count() == 5

    # 6. 好差评: the applicant rates it 非常不满意 (a follow-up for the bureau), the unit 满意.
    applicant.go(f"/cases/{case_id}/")
    rating = applicant.page.locator("#rating")
    rating.locator("input[name=level][value=very_dissatisfied]").check()
    rating.locator("textarea[name=comment]").fill("预约时段太少，等候时间较长。")
    applicant.press("提交评价", within=rating)
    expect(applicant.page.locator("#rating")).to_contain_text("差评已转区人社局回访。")
    handler.go(f"/cases/{case_id}/")
    rating = handler.page.locator("#rating")
    rating.locator("input[name=level][value=satisfied]").check()
    handler.press("提交评价", within=rating)
    expect(handler.page.locator("#rating")).to_contain_text("单位：满意")
    assert RatingFollowUp.objects.filter(rating__case__public_id=case_id, closed_at__isnull=True).count() == 1

    # --- screenshots ---------------------------------------------------------------------------------------------
    # The bell and the centre: the applicant's Chinese notices in Chinese, the handler's English ones in English.
    photograph(applicant, shots, "notifications-applicant", lambda: centre(applicant, 3), languages=("zh",))
    photograph(handler, shots, "notifications-handler", lambda: centre(handler, 3), languages=("en",))

    # The expiry radar: permits before, in, closing and past their renewal window.
    for name, days in (("王芳", 45), ("刘洋", 12), ("陈静", -9)):
        holder = make_user(Role.APPLICANT, real_name=name)
        make_association(holder, people.unit)
        valid_until = TODAY + timedelta(days=days)
        make_permit(
            holder, people.unit, issued_on=valid_until.replace(year=valid_until.year - 3), valid_until=valid_until
        )

    def radar() -> None:
        handler.go("/unit/radar/")
        table = handler.page.locator("table.unit-radar")
        expect(table.locator("tbody tr")).to_have_count(4)
        for state in ("before", "open", "closing", "expired"):
            expect(table.locator(f".badge.window-{state}")).to_have_count(1)

    photograph(handler, shots, "radar", radar)

    # The public tracker, signed out, with the approved case found.
    photograph(
        public,
        shots,
        "tracker-approved",
        lambda: expect(track(public, case_id, last4).locator(".track-correction")).to_have_count(0),
    )

    # The bureau's 好差评 page with the open follow-up.
    approver = journey.sign_in("approver")

    def follow_ups() -> None:
        approver.go("/bureau/ratings/")
        expect(approver.main().locator("tr", has_text=case_id)).to_contain_text("预约时段太少")

    photograph(approver, shots, "ratings-follow-ups", follow_ups)
    assert len(list(shots.glob("*.png"))) == 20
