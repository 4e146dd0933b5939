"""The bureau portal (issue 5 §5): approval queue, case decisions, quota grants, late releases, audits, penalties —
each page for the approver only, each change through its service, each refusal in words."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.cases.conftest import PROFILE
from tests.clock import NOW, TODAY
from tests.factories import case_in_state, make_association, make_ledger, make_open_unit, make_permit, make_user
from tests.portal.list_queries import next_link
from wrp.accounts.models import ApplicantProfile, Role
from wrp.cases.models import Case, CaseState
from wrp.permits.models import PermitStatus
from wrp.policy.periods import add_years
from wrp.quotas.models import QuotaLedger, QuotaRequestState
from wrp.quotas.services import quota_request_create
from wrp.units.models import AssociationState, Audit, Penalty, PenaltyKind, UnitHandler

PASSWORD = "Bureau-2026-test"
PAGES = ["bureau_queue", "bureau_quotas", "bureau_late_releases", "bureau_penalties", "bureau_audits"]


@pytest.fixture
def people(people):
    """The shared personas (tests/conftest.py): the applicant with a profile and associated, quota for the unit."""
    personas = people
    ApplicantProfile.objects.create(user=personas.applicant, facts=dict(PROFILE))
    make_association(personas.applicant, personas.unit)
    make_ledger(personas.unit, TODAY.year, granted=3)
    return personas


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def forwarded_initial(people) -> Case:
    """An initial case the clerk reviewed and forwarded: pending the bureau's approval, one quota unit reserved."""
    case = case_in_state(people, "pending_approval", by_applicant=True)
    assert case.state == CaseState.PENDING_APPROVAL
    return case


def make_pending(unit, clerk, *, due_in_days: int, kind: str = "initial", **kw) -> Case:
    """A case pending approval, written straight to the database (the queue's rows, not the journey to them)."""
    applicant = make_user(Role.APPLICANT, real_name="王小明")
    accepted = TODAY - timedelta(days=10)
    kw.setdefault("version", 1)
    return Case.objects.create(
        public_id="C" + secrets.token_hex(5).upper(), kind=kind, state=CaseState.PENDING_APPROVAL, unit=unit,
        applicant=applicant, created_by=applicant, time_limit=20, accepted_on=accepted,
        due_on=TODAY + timedelta(days=due_in_days), reviewed_by=clerk, forwarded_by=clerk,
        quota_year=TODAY.year if kind == "initial" else None, **kw,
    )


# --- who may open the pages -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_the_approver_opens_every_bureau_page(people, name):
    response = signed_in(people.approver).get(reverse(f"portal:{name}"))
    assert response.status_code == 200
    assert "区人社局" in response.content.decode() or name == "bureau_queue"


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("persona", ["applicant", "handler", "clerk", "admin"])
def test_every_other_role_is_refused_the_bureau_pages(people, name, persona):
    assert signed_in(getattr(people, persona)).get(reverse(f"portal:{name}")).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(db, name):
    response = Client().get(reverse(f"portal:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_the_clerk_cannot_approve_through_the_bureau_door(people):
    case = forwarded_initial(people)
    response = signed_in(people.clerk).post(reverse("portal:bureau_case_approve", args=[case.public_id]),
                                            {"confirm": "on"})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == CaseState.PENDING_APPROVAL


# --- the queue --------------------------------------------------------------------------------------------------------


def test_an_empty_queue_says_so(people):
    html = signed_in(people.approver).get("/bureau/").content.decode()
    assert "没有待审批的案件" in html


def test_the_queue_lists_pending_cases_by_due_date_with_their_marks(people):
    later = make_pending(people.unit, people.clerk, due_in_days=15)
    sooner = make_pending(people.other_unit, people.clerk, due_in_days=2, kind="renewal",
                          review_reasons={"A-TENURE": "已满11个月，另有劳动合同佐证"}, version=2)
    Penalty.objects.create(unit=people.other_unit, kind=PenaltyKind.QUOTA_FROZEN, reason="逾期解除",
                           decided_by=people.approver, decided_at=timezone.now())
    in_review = make_pending(people.unit, people.clerk, due_in_days=5)
    Case.objects.filter(pk=in_review.pk).update(state=CaseState.IN_REVIEW)
    html = signed_in(people.approver).get("/bureau/").content.decode()
    assert html.index(sooner.public_id) < html.index(later.public_id)
    assert "1 项需人工审核" in html
    assert "补正后第 2 次提交" in html
    assert "单位处罚：冻结指标" in html
    assert "剩余" in html
    assert "个工作日" in html
    assert "共 2 个案件待审批" in html
    assert in_review.public_id not in html
    renewals = signed_in(people.approver).get("/bureau/?kind=renewal").content.decode()
    assert sooner.public_id in renewals
    assert later.public_id not in renewals


def test_the_queue_is_paginated(people):
    for days in range(25):
        make_pending(people.unit, people.clerk, due_in_days=days)
    client = signed_in(people.approver)
    first = client.get("/bureau/").content.decode()
    assert "下一页" in first  # keyset pages (issue 14): ?after=<cursor>
    second = client.get("/bureau/" + str(next_link(first))).content.decode()
    assert second.count('href="/cases/') == 5


def test_the_queue_costs_the_same_queries_for_one_case_or_twenty(people):
    client = signed_in(people.approver)
    make_pending(people.unit, people.clerk, due_in_days=3)
    client.get("/bureau/")  # warm the reference-data cache
    with CaptureQueriesContext(connection) as one:
        assert client.get("/bureau/").status_code == 200
    for days in range(19):
        unit = make_open_unit(name=f"北京丙{days}有限公司")
        Penalty.objects.create(unit=unit, kind=PenaltyKind.BLACKLISTED, reason="虚假聘用",
                               decided_by=people.approver, decided_at=timezone.now())
        make_pending(unit, people.clerk, due_in_days=days)
    with CaptureQueriesContext(connection) as twenty:
        html = client.get("/bureau/").content.decode()
    assert html.count('href="/cases/') == 20
    assert len(twenty) == len(one), [query["sql"] for query in twenty.captured_queries]


# --- decisions on the case page ---------------------------------------------------------------------------------------


def test_the_case_page_states_the_consequence_of_each_decision(people):
    case = forwarded_initial(people)
    html = signed_in(people.approver).get(f"/cases/{case.public_id}/").content.decode()
    assert "批准的后果" in html
    assert "有效期 3 年" in html
    assert "2026 年度新办指标" in html
    assert "不予通过的后果" in html
    assert "占用的 1 个 2026 年度指标退回单位" in html
    assert reverse("portal:bureau_case_approve", args=[case.public_id]) in html


def test_approving_a_pending_initial_issues_a_permit_and_uses_the_quota_unit(people):
    case = forwarded_initial(people)
    client = signed_in(people.approver)
    response = client.post(reverse("portal:bureau_case_approve", args=[case.public_id]), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/bureau/"
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    assert case.decided_by == people.approver
    assert case.permit is not None
    assert case.permit.status == PermitStatus.VALID
    assert case.permit.valid_until == add_years(TODAY, 3)
    ledger = QuotaLedger.objects.get(unit=people.unit, year=TODAY.year)
    assert (ledger.reserved, ledger.used) == (0, 1)
    assert case.permit.number in client.get("/bureau/").content.decode()


def test_approval_needs_the_confirmation_box(people):
    case = forwarded_initial(people)
    response = signed_in(people.approver).post(reverse("portal:bureau_case_approve", args=[case.public_id]), {})
    assert response.status_code == 200
    assert "请勾选确认后再提交" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == CaseState.PENDING_APPROVAL


def test_rejection_needs_a_reason_and_then_gives_the_quota_back(people):
    case = forwarded_initial(people)
    client = signed_in(people.approver)
    url = reverse("portal:bureau_case_reject", args=[case.public_id])
    html = client.post(url, {"reason": "  ", "confirm": "on"}).content.decode()
    assert "请写明不予通过的理由" in html
    assert Case.objects.get(pk=case.pk).state == CaseState.PENDING_APPROVAL
    html = client.post(url, {"reason": "学历证书无法查验"}).content.decode()
    assert "请勾选确认后再提交" in html
    assert "学历证书无法查验" in html  # the typed reason is kept
    assert client.post(url, {"reason": "学历证书无法查验", "confirm": "on"}).status_code == 302
    case.refresh_from_db()
    assert (case.state, case.decision_reason) == (CaseState.REJECTED, "学历证书无法查验")
    assert QuotaLedger.objects.get(unit=people.unit, year=TODAY.year).reserved == 0


def test_the_reviewer_cannot_approve_the_case_and_is_told_why(people):
    """Separation of duties: a clerk who forwarded a case and later became an approver may not decide it."""
    case = forwarded_initial(people)
    people.clerk.role = Role.BUREAU_APPROVER
    people.clerk.save(update_fields=["role"])
    client = signed_in(people.clerk)
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert "按照职责分离，审核人不能在区局审批同一案件" in page
    assert reverse("portal:bureau_case_approve", args=[case.public_id]) not in page
    assert "您审核过此案，不能审批" in client.get("/bureau/").content.decode()
    response = client.post(reverse("portal:bureau_case_approve", args=[case.public_id]), {"confirm": "on"})
    assert response.status_code == 200
    assert "按照职责分离" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == CaseState.PENDING_APPROVAL


def test_a_case_decided_meanwhile_is_refused_in_words(people):
    case = forwarded_initial(people)
    client = signed_in(people.approver)
    client.post(reverse("portal:bureau_case_approve", args=[case.public_id]), {"confirm": "on"})
    html = client.post(reverse("portal:bureau_case_reject", args=[case.public_id]),
                       {"reason": "重复", "confirm": "on"}).content.decode()
    assert "当前状态不允许此操作（已批准）" in html


# --- quotas -----------------------------------------------------------------------------------------------------------


def test_granting_a_declared_quota(people):
    request = quota_request_create(unit=people.other_unit, actor=people.other_handler, year=TODAY.year,
                                   requested=5, reason="新设研发中心，计划引进5名工程师")
    client = signed_in(people.approver)
    listing = client.get("/bureau/quotas/").content.decode()
    assert "新设研发中心，计划引进5名工程师" in listing
    assert people.other_unit.name in listing
    url = reverse("portal:bureau_quota_grant", args=[request.pk])
    assert url in listing
    html = client.post(url, {"granted": "3"}).content.decode()
    assert "请勾选确认后再提交" in html
    assert client.post(url, {"granted": "3", "confirm": "on"}).status_code == 302
    request.refresh_from_db()
    assert (request.state, request.granted, request.decided_by) == (QuotaRequestState.GRANTED, 3, people.approver)
    ledger = QuotaLedger.objects.get(unit=people.other_unit, year=TODAY.year)
    assert ledger.granted == 3
    ledger_page = client.get(f"/bureau/quotas/?year={TODAY.year}&state=all").content.decode()
    assert "已下发 3 个" in ledger_page
    again = client.post(url, {"granted": "1", "confirm": "on"}).content.decode()
    assert "这份申报已办结" in again
    assert QuotaLedger.objects.get(unit=people.other_unit, year=TODAY.year).granted == 3


def test_the_quota_ledger_shows_granted_reserved_used_and_left(people):
    QuotaLedger.objects.filter(unit=people.unit, year=TODAY.year).update(granted=10, reserved=2, used=3)
    html = signed_in(people.approver).get("/bureau/quotas/").content.decode()
    ledger = html[html.index('id="ledger-heading"'):]
    row = ledger[ledger.index(people.unit.credit_code):].split("</tr>")[0]
    numbers = [cell.rsplit(">", 1)[-1] for cell in row.split("</td>")[1:4]]
    assert numbers == ["10", "2", "3"]
    assert "<strong>5</strong>" in row


# --- penalties --------------------------------------------------------------------------------------------------------


def test_imposing_and_lifting_a_penalty_with_reasons(people):
    client = signed_in(people.approver)
    impose = reverse("portal:bureau_penalty_impose")
    form = {"unit": people.unit.credit_code, "kind": "quota_frozen", "reason": "员工离职后120天才解除关联",
            "confirm": "on"}
    missing = client.post(impose, {**form, "reason": ""}).content.decode()
    assert "请填写处罚理由" in missing
    assert not Penalty.objects.exists()
    assert client.post(impose, form).status_code == 302
    penalty = Penalty.objects.get(unit=people.unit, active=True)
    assert (penalty.kind, penalty.reason, penalty.decided_by) == ("quota_frozen", form["reason"], people.approver)
    page = client.get("/bureau/penalties/").content.decode()
    assert "员工离职后120天才解除关联" in page
    assert "2026年11月26日" in page
    assert people.approver.username in page

    twice = client.post(impose, form).content.decode()
    assert "该处罚正在执行" in twice
    assert Penalty.objects.filter(unit=people.unit).count() == 1

    lift = reverse("portal:bureau_penalty_lift", args=[penalty.pk])
    assert lift in page
    assert "请填写解除理由" in client.post(lift, {"reason": "", "confirm": "on"}).content.decode()
    assert client.post(lift, {"reason": "单位已整改并说明情况", "confirm": "on"}).status_code == 302
    penalty.refresh_from_db()
    assert (penalty.active, penalty.lift_reason, penalty.lifted_by) == (False, "单位已整改并说明情况", people.approver)
    history = client.get("/bureau/penalties/").content.decode()
    assert "没有正在执行的处罚" in history
    assert "单位已整改并说明情况" in history
    again = client.post(lift, {"reason": "再次解除", "confirm": "on"}).content.decode()
    assert "这项处罚已经解除" in again or "该处罚未在执行" in again


def test_an_unknown_unit_cannot_be_penalised(people):
    html = signed_in(people.approver).post(reverse("portal:bureau_penalty_impose"), {
        "unit": "91110000600037341L", "kind": "blacklisted", "reason": "虚假聘用", "confirm": "on",
    }).content.decode()
    assert "没有找到这个单位" in html
    assert not Penalty.objects.exists()


def test_a_unit_can_be_named_by_its_full_name(people):
    response = signed_in(people.approver).post(reverse("portal:bureau_penalty_impose"), {
        "unit": people.other_unit.name, "kind": "service_terminated", "reason": "拒不配合调查", "confirm": "on",
    })
    assert response.status_code == 302
    assert Penalty.objects.get().unit == people.other_unit


# --- late releases ----------------------------------------------------------------------------------------------------


def test_late_releases_are_listed_with_the_days_late_and_lead_to_a_penalty(people):
    employee = make_user(Role.APPLICANT, real_name="李四光", id_number_masked="110105********002X")
    make_association(employee, people.unit, state=AssociationState.RELEASED, left_on=TODAY - timedelta(days=100),
                     released_at=timezone.now(), late=True)
    make_association(people.other_applicant, people.other_unit, state=AssociationState.RELEASED,
                     left_on=TODAY - timedelta(days=10), released_at=timezone.now(), late=False)
    client = signed_in(people.approver)
    html = client.get("/bureau/late-releases/").content.decode()
    assert people.unit.name in html
    assert people.other_unit.name not in html
    assert "李**" in html
    assert "李四光" not in html
    assert "110105********002X" in html
    assert "2026年8月18日" in html  # left
    assert "逾期 40 天" in html
    assert "离职后第 100 天" in html
    link = html[html.index("/bureau/penalties/?unit="):].split('"')[0].replace("&amp;", "&")
    prefilled = client.get(link).content.decode()
    assert people.unit.credit_code in prefilled
    assert "员工于 2026-08-18 离职，单位于 2026-11-26 才解除关联" in prefilled


def test_no_late_releases_says_so(people):
    assert "没有逾期解除关联的记录" in signed_in(people.approver).get("/bureau/late-releases/").content.decode()


# --- random audits ----------------------------------------------------------------------------------------------------


def test_recording_a_random_audit(people):
    holder = make_user(Role.APPLICANT)
    permit = make_permit(holder, people.unit)
    other_permit = make_permit(make_user(Role.APPLICANT), people.other_unit)
    client = signed_in(people.approver)
    form = {"unit": people.unit.credit_code, "permit": permit.number, "employment_confirmed": "no",
            "findings": "实地走访，员工已于三个月前离职"}
    assert "请填写调查结果" in client.post("/bureau/audits/", {**form, "findings": ""}).content.decode()
    wrong = client.post("/bureau/audits/", {**form, "permit": other_permit.number}).content.decode()
    assert "该工作居住证不属于本单位" in wrong
    assert "请选择调查结论" in client.post("/bureau/audits/", {**form, "employment_confirmed": ""}).content.decode()
    assert not Audit.objects.exists()
    assert client.post("/bureau/audits/", form).status_code == 302
    audit = Audit.objects.get()
    assert (audit.unit, audit.permit, audit.employment_confirmed, audit.by) == (
        people.unit, permit, False, people.approver)
    listing = client.get("/bureau/audits/").content.decode()
    assert "实地走访，员工已于三个月前离职" in listing
    assert "聘用关系不真实" in listing
    assert permit.number in listing
    assert f"/bureau/penalties/?unit={people.unit.credit_code}" in listing
    assert client.post("/bureau/audits/", {**form, "permit": "", "employment_confirmed": "yes"}).status_code == 302
    assert Audit.objects.filter(permit__isnull=True, employment_confirmed=True).count() == 1


# --- English ----------------------------------------------------------------------------------------------------------


def test_the_bureau_pages_speak_english(people):
    make_pending(people.unit, people.clerk, due_in_days=3)
    client = signed_in(people.approver)
    client.cookies["django_language"] = "en"
    queue = client.get("/bureau/").content.decode()
    assert "Awaiting bureau approval" in queue
    assert "1 case awaiting approval" in queue
    assert "Due date (soonest first)" in queue
    penalties = client.get("/bureau/penalties/").content.decode()
    assert "Impose a penalty" in penalties
    assert "Quota frozen" in penalties
    html = client.post(reverse("portal:bureau_penalty_impose"), {"unit": people.unit.credit_code,
                                                                 "kind": "blacklisted"}).content.decode()
    assert "Give the reason for the penalty." in html
    assert "Tick the box to confirm." in html


# --- screenshots ------------------------------------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots" / "bureau"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.mark.browser
@pytest.mark.front_end
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)")
def test_screenshots_of_the_queue_the_penalties_and_a_guide_page(live_server):
    """The bureau's pages and a guide page at 1280×800 and 390×844, in Chinese and English, signed in via /login/."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with time_machine.travel(NOW, tick=True):
        take_screenshots(live_server.url)
    assert len(list(SCREENSHOTS.glob("*.png"))) >= 40


def take_screenshots(server: str) -> None:
    from tests.browsers import chromium

    approver = make_user(Role.BUREAU_APPROVER, "approver", password=PASSWORD, real_name="审批陈静")
    clerk = make_user(Role.WINDOW_CLERK, real_name="窗口李娜")
    units = [make_open_unit(name=name) for name in ("北京星河智能科技有限公司", "北京蓝海律师事务所",
                                                    "北京朝阳创新研究院")]
    for index, (unit, due_in_days) in enumerate(zip(units * 2, (-2, 4, 6, 8, 12, 14), strict=True)):
        make_pending(unit, clerk, due_in_days=due_in_days, kind="renewal" if index % 3 == 2 else "initial",
                     review_reasons={"A-TENURE": "11个月"} if index == 1 else {}, version=2 if index == 3 else 1)
    Penalty.objects.create(unit=units[1], kind=PenaltyKind.QUOTA_FROZEN, reason="员工离职后第97天才解除关联，逾期37天",
                           decided_by=approver, decided_at=timezone.now())
    handler = make_user(Role.UNIT_HANDLER, real_name="人事张敏")
    UnitHandler.objects.create(unit=units[0], user=handler)
    quota_request_create(unit=units[0], actor=handler, year=timezone.localdate().year, requested=8,
                         reason="新设人工智能研发中心，计划引进8名算法工程师")
    leaver = make_user(Role.APPLICANT, real_name="赵子龙", id_number_masked="110105********0071")
    make_association(leaver, units[2], state=AssociationState.RELEASED, released_at=timezone.now(), late=True,
                     left_on=timezone.localdate() - timedelta(days=97))
    Audit.objects.create(unit=units[1], findings="实地走访，两名持证人已离职三个月，单位未解除关联", employment_confirmed=False,
                         by=approver, at=timezone.now())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser = chromium()
    for language in ("zh-hans", "en"):
        for size, (width, height) in SIZES.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            context.add_cookies([{"name": "django_language", "value": language, "url": server}])
            page = context.new_page()
            page.goto(f"{server}/login/")
            page.fill("#id_username", "approver")
            page.fill("#id_password", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url(f"{server}/bureau/")
            suffix = f"{language}-{size}"
            page.screenshot(path=str(SCREENSHOTS / f"queue-{suffix}.png"), full_page=True)
            page.click("table.bureau-queue tbody tr:nth-child(2) td a")
            page.screenshot(path=str(SCREENSHOTS / f"case-{suffix}.png"), full_page=True)
            page.goto(f"{server}/bureau/penalties/")
            page.screenshot(path=str(SCREENSHOTS / f"penalties-{suffix}.png"), full_page=True)
            page.click("#impose button[type=submit]")
            expect(page.locator(".error-summary")).to_have_count(1)
            page.screenshot(path=str(SCREENSHOTS / f"penalties-errors-{suffix}.png"), full_page=True)
            for name in ("quotas", "late-releases", "audits"):
                page.goto(f"{server}/bureau/{name}/")
                page.screenshot(path=str(SCREENSHOTS / f"{name}-{suffix}.png"), full_page=True)
            page.goto(f"{server}/bureau/quotas/")
            page.click("a.bureau-row-action")
            page.screenshot(path=str(SCREENSHOTS / f"quota-grant-{suffix}.png"), full_page=True)
            page.goto(f"{server}/bureau/penalties/")
            page.click("#active-heading + table a")
            page.screenshot(path=str(SCREENSHOTS / f"penalty-lift-{suffix}.png"), full_page=True)
            page.goto(f"{server}/guide/initial/")
            expect(page.locator("h1")).to_have_count(1)
            page.screenshot(path=str(SCREENSHOTS / f"guide-initial-{suffix}.png"), full_page=True)
            context.close()
