"""Issue 12 §1 in the browser: the acceptance duty across the National Day holiday.

The unit submits an initial case on Tuesday 29 September 2026. The window clerk sees the acceptance deadline — the 5th
working day after, Monday 12 October (1–7 October are holidays, Saturday 10 October a working day) — and a 受理
button, starts the review but neither accepts nor returns it. On 12 October the case can still be returned; on the
13th the daily job has recorded it deemed accepted from 29 September: the clerk's page says 视为受理, offers no 受理
button and no correction notice, and a return posted anyway is refused with the reason; the unit's page says so too.

Time runs in the whole process (the live server's thread included) from the moments set here; the case is submitted
through the services (the submission's own pages are walked in test_journeys.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect
from tests.cases.conftest import PROFILE, attach_all
from tests.clock import beijing
from tests.e2e.journey_helpers import Journey, cast, clerk_open, clerk_start
from tests.factories import make_association, make_ledger

from wrp.accounts.models import ApplicantProfile
from wrp.appointments.services import slots_between
from wrp.cases.models import Acceptance, Case, CaseState
from wrp.cases.services import case_open, case_submit
from wrp.tasks.registry import JOBS

pytestmark = [pytest.mark.browser]


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(beijing(2026, 9, 29, 10), tick=True) as traveller:
        yield traveller


@pytest.fixture
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def journey(browser: Any, live_server: Any, clock: Any, private_media: Any, fast_passwords: None) -> Iterator[Journey]:
    made = Journey(letter="acceptance", base_url=live_server.url, browser=browser)
    yield made
    made.close()


def off_the_event_loop(act: Callable[[], Any]) -> Any:
    """Run a service in a thread of its own: Playwright's sync API keeps an event loop running in the test thread,
    where the signing of issued documents (pyHanko, asyncio.run) cannot run — as in the live server's thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(act).result()


def submitted_before_the_holiday(people: Any) -> Case:
    ApplicantProfile.objects.create(user=people.applicant, facts=dict(PROFILE))
    make_association(people.applicant, people.unit)
    make_ledger(people.unit, 2026, granted=3)
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    attach_all(case, by=people.handler)
    slot = next(s for s in slots_between(start=date(2026, 9, 30), end=date(2026, 10, 16)) if s.booked < s.capacity)
    return case_submit(case=case, actor=people.handler, slot=slot.public_id)


def test_a_case_not_accepted_in_five_working_days_is_deemed_accepted_and_cannot_be_returned(
    journey: Journey, clock: time_machine.Traveller, transactional_db: Any
) -> None:
    people = cast()
    case = off_the_event_loop(lambda: submitted_before_the_holiday(people))
    assert case.acceptance_due == date(2026, 10, 12)

    clerk = journey.sign_in("clerk")
    clerk.go("/clerk/")
    expect(clerk.main()).to_contain_text("受理期限 2026年10月12日")
    clerk_open(clerk, case.public_id)
    acceptance = clerk.page.locator("#clerk-acceptance")
    expect(acceptance).to_contain_text("请在 2026年10月12日 前受理本案")
    expect(acceptance.get_by_role("button", name="受理本案", exact=True)).to_be_visible()
    clerk.shot("submitted-acceptance-due")
    clerk_start(clerk)  # the clerk starts the review, then neither accepts nor returns the case

    # Monday 12 October, 13 calendar days later but only the 5th working day: the window may still return it
    clock.move_to(beijing(2026, 10, 12, 16))
    clerk = journey.sign_in("clerk")
    clerk.go(f"/clerk/cases/{case.public_id}/")
    expect(clerk.page.locator("#clerk-return")).to_be_visible()
    expect(clerk.page.locator("#case-acceptance")).to_contain_text("待受理")

    # Tuesday 13 October: the daily job records the deemed acceptance
    clock.move_to(beijing(2026, 10, 13, 1))
    assert off_the_event_loop(lambda: JOBS["acceptance.deemed"].func(today=date(2026, 10, 13))) == {"deemed": 1}
    clock.move_to(beijing(2026, 10, 13, 9))
    clerk = journey.sign_in("clerk")
    clerk.go(f"/clerk/cases/{case.public_id}/")
    status = clerk.page.locator("#case-acceptance")
    expect(status).to_contain_text("视为受理")
    expect(status).to_contain_text("自收到材料之日（2026年9月29日）起视为受理")
    expect(clerk.page.locator("#clerk-acceptance")).to_have_count(0)
    expect(clerk.page.locator("#clerk-return")).to_have_count(0)
    clerk.shot("deemed-accepted")

    # a return posted anyway is refused, in words, and changes nothing
    refused = clerk.post(f"/clerk/cases/{case.public_id}/return", {"other": "请补充说明", "confirm": "yes"})
    assert refused.status == 302
    clerk.go(f"/clerk/cases/{case.public_id}/")
    expect(clerk.page.locator("ul.messages")).to_contain_text("不能再退回补正")
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW
    assert case.acceptance == Acceptance.DEEMED
    assert not case.notices.exists()

    unit = journey.sign_in("handler")
    unit.go(f"/cases/{case.public_id}/")
    expect(unit.page.locator("#case-acceptance")).to_contain_text("视为受理")
    path: Path = unit.shot("unit-sees-deemed-acceptance")
    assert path.exists()
