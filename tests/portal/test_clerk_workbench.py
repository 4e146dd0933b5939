"""The window clerk's workbench: the queue by due date with its marks, the filters, the case page's review (verdicts,
the one correction notice, reasons for `review` outcomes, approve / forward / reject) and the inline PDF — through the
pages, with the cases driven to each state by the services."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from playwright.sync_api import expect

from tests.cases import conftest as case_fixtures
from tests.cases.conftest import attach, attach_all
from tests.clock import NOW, SHANGHAI
from tests.factories import case_in_state, make_unit, make_user
from tests.portal.list_queries import next_link
from wrp.accounts.models import ApplicantProfile, Role
from wrp.appointments.models import Booking
from wrp.cases.materials import case_checklist, material_verdict
from wrp.cases.models import Case, CaseMaterial, CaseState, CorrectionNotice, MaterialStatus
from wrp.cases.services import (
    case_open,
    case_resubmit,
    case_return_for_correction,
    case_start_review,
    case_submit,
)
from wrp.documents.services import store_file

people = case_fixtures.people  # the personas of tests/cases (profiles, association, quota), on the frozen day
TAXES = {"2023": "300000", "2024": "300000", "2025": "300000"}
QUEUE = "/clerk/"


# --- helpers ----------------------------------------------------------------------------------------------------------


def at(day: date) -> Any:
    """Travel to 10:00 in Beijing on `day` (inside the frozen today of the test)."""
    return time_machine.travel(datetime.combine(day, time(10), tzinfo=SHANGHAI), tick=False)


def unit_opening(*, on: date | None = None, name: str | None = None) -> Case:
    """A unit_opening case (7 working days, approved at the window) submitted on `on` (default today)."""
    handler = make_user(Role.UNIT_HANDLER)
    unit = make_unit(handler, annual_tax=TAXES, **({"name": name} if name else {}))
    case = case_open(actor=handler, kind="unit_opening", unit=unit)
    attach_all(case, by=handler)
    if on is None:
        return case_submit(case=case, actor=handler)
    with at(on):
        return case_submit(case=case, actor=handler)


def initial(people) -> Case:
    """An initial case of `people.applicant` (20 working days, forwarded to the bureau), submitted today."""
    return case_in_state(people, "submitted")


def in_review(case: Case, clerk: Any) -> Case:
    return case_start_review(case=case, actor=clerk)


def accept_all(case: Case, clerk: Any) -> None:
    for code in case_checklist(case):
        material_verdict(case=case, code=code, actor=clerk, accepted=True)


def page_of(case: Case) -> str:
    return reverse("portal:clerk_case", args=[case.public_id])


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def text(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def clerk_client(client, people):
    client.force_login(people.clerk)
    return client


# --- the queue --------------------------------------------------------------------------------------------------------


def test_the_queue_lists_open_cases_soonest_due_first_with_marks(people, clerk_client, today):
    overdue = unit_opening(on=date(2026, 11, 2))  # due 11 Nov: overdue
    soon = unit_opening(on=date(2026, 11, 23))  # due 2 Dec: 4 working days left
    later = unit_opening()  # due 7 Dec: 7 working days left
    paused = unit_opening(on=date(2026, 11, 20))
    case_return_for_correction(case=in_review(paused, people.clerk), actor=people.clerk,
                               problems=[{"material": None, "text": "营业执照副本不清晰"}])
    bureau = initial(people)  # 20 working days
    # a draft of the same applicant: another kind, as they hold one open initial case at a time (issue 11 §9)
    draft = case_open(actor=people.handler, kind="renewal", unit=people.unit, applicant=people.applicant)

    response = clerk_client.get(QUEUE)

    assert response.status_code == 200
    listed = [row["case"].public_id for row in response.context["rows"]]
    # the cases still awaiting acceptance first, by their acceptance deadline (L-ACCEPT: soon by 30 Nov, later and
    # bureau by 3 Dec, then by due date); then the rest by due date (overdue was deemed accepted on 10 Nov)
    assert listed == [soon.public_id, later.public_id, bureau.public_id, overdue.public_id, paused.public_id]
    assert draft.public_id not in text(response)
    html = text(response)
    assert 'class="clock overdue"' in html
    assert "已超期 11 个工作日" in html
    assert 'class="clock soon"' in html
    assert "剩余 4 个工作日" in html
    assert 'class="clock paused"' in html
    assert "补正中，计时暂停" in html
    assert "剩余 7 个工作日 · 截止 2026年12月7日" in html


def test_the_queue_shows_the_applicant_with_a_masked_id_and_links_each_row(people, clerk_client, today):
    people.applicant.real_name, people.applicant.id_number_masked = "张三", "110105********002X"
    people.applicant.save()
    case = initial(people)
    html = text(clerk_client.get(QUEUE))
    assert "张三" in html
    assert "110105********002X" in html
    assert f'href="{page_of(case)}"' in html


def test_an_empty_queue_says_so(people, clerk_client, today):
    assert "没有待审核的案件" in text(clerk_client.get(QUEUE))


def test_the_queue_filters_by_kind_state_and_unit(people, clerk_client, today):
    opening = unit_opening(name="北京丙数据有限公司")
    returned = unit_opening()
    case_return_for_correction(case=in_review(returned, people.clerk), actor=people.clerk,
                               problems=[{"material": None, "text": "缺少盖章"}])
    first = initial(people)

    def listed(**query: str) -> set[str]:
        return {row["case"].public_id for row in clerk_client.get(QUEUE, query).context["rows"]}

    assert listed(kind="initial") == {first.public_id}
    assert listed(state="returned") == {returned.public_id}
    assert listed(unit="丙数据") == {opening.public_id}
    assert listed(unit=opening.unit.credit_code.lower()[-8:]) == {opening.public_id}
    assert listed(kind="unit_opening", state="submitted") == {opening.public_id}
    response = clerk_client.get(QUEUE, {"kind": "unit_opening", "unit": "没有这家单位"})
    assert "没有符合筛选条件的案件" in text(response)


def test_a_bad_filter_value_is_reported_and_ignored(people, clerk_client, today):
    case = unit_opening()
    response = clerk_client.get(QUEUE, {"kind": "nonsense"})
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    assert [row["case"] for row in response.context["rows"]] == [case]


def test_the_queue_pages_by_twenty(people, clerk_client, today):
    for _ in range(21):
        unit_opening()
    first = clerk_client.get(QUEUE)
    second = clerk_client.get(QUEUE + str(next_link(first.content.decode())))  # keyset (issue 14): ?after=
    assert len(first.context["rows"]) == 20
    assert len(second.context["rows"]) == 1
    assert "共 21 件" in text(first)


def test_all_cases_lists_every_state_with_the_same_filters(people, clerk_client, today):
    draft = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    submitted = unit_opening()
    url = reverse("portal:clerk_cases")
    everything = {row["case"].public_id for row in clerk_client.get(url).context["rows"]}
    assert everything == {draft.public_id, submitted.public_id}
    drafts = {row["case"].public_id for row in clerk_client.get(url, {"state": "draft"}).context["rows"]}
    assert drafts == {draft.public_id}


@pytest.mark.parametrize("persona", ["applicant", "handler", "approver", "admin"])
def test_other_roles_are_refused_every_clerk_page(people, client, today, persona):
    case = in_review(unit_opening(), people.clerk)
    code = case_checklist(case)[0]
    client.force_login(getattr(people, persona))
    pages = [QUEUE, reverse("portal:clerk_cases"), page_of(case),
             reverse("portal:clerk_material_view", args=[case.public_id, code])]
    for url in pages:
        assert client.get(url).status_code == 403, url
    posts = [reverse("portal:clerk_start_review", args=[case.public_id]),
             reverse("portal:clerk_verdict", args=[case.public_id, code]),
             reverse("portal:clerk_return", args=[case.public_id]),
             reverse("portal:clerk_decide", args=[case.public_id]),
             reverse("portal:clerk_reject", args=[case.public_id])]
    for url in posts:
        assert client.post(url, {"verdict": "accepted", "confirm": "yes", "reason": "x"}).status_code == 403, url
    assert fresh(case).state == CaseState.IN_REVIEW
    assert not CaseMaterial.objects.filter(case=case, status=MaterialStatus.ACCEPTED).exists()


def test_anonymous_visitors_are_sent_to_sign_in(people, client, today):
    case = unit_opening()
    for url in (QUEUE, reverse("portal:clerk_cases"), page_of(case)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url
    assert client.post(reverse("portal:clerk_start_review", args=[case.public_id])).status_code == 302
    assert fresh(case).state == CaseState.SUBMITTED


def test_an_unknown_case_is_not_found(people, clerk_client, today):
    assert clerk_client.get(reverse("portal:clerk_case", args=["C2611NOSUCHCASE"])).status_code == 404


# --- the case page ----------------------------------------------------------------------------------------------------


def test_the_clerk_starts_the_review_of_a_submitted_case(people, clerk_client, today):
    case = unit_opening()
    page = text(clerk_client.get(page_of(case)))
    assert "开始审核" in page
    assert "保存审核意见" not in page
    response = clerk_client.post(reverse("portal:clerk_start_review", args=[case.public_id]))
    assert response.status_code == 302
    assert response["Location"].startswith(page_of(case))
    case = fresh(case)
    assert (case.state, case.reviewed_by) == (CaseState.IN_REVIEW, people.clerk)
    page = text(clerk_client.get(page_of(case)))
    assert "保存审核意见" in page
    assert "退回补正（一次性告知）" in page
    assert "审核通过，批准" in page


def test_starting_the_review_twice_says_the_case_moved_on(people, clerk_client, today):
    case = in_review(unit_opening(), people.clerk)
    response = clerk_client.post(reverse("portal:clerk_start_review", args=[case.public_id]), follow=True)
    assert "案件当前为“审核中”，不能进行此操作" in text(response)


def test_the_case_page_shows_the_frozen_facts_the_rules_and_each_materials_viewer(people, clerk_client, today):
    case = in_review(initial(people), people.clerk)
    html = text(clerk_client.get(page_of(case)))
    assert "提交时冻结的资料" in html
    assert "<dt>单位类型</dt><dd>企业</dd>" in html
    assert "<dt>入职本单位的日期</dt><dd>2023年1月10日</dd>" in html
    assert "<dt>近12个月应税收入</dt><dd>400,000 元</dd>" in html
    assert "逐条检查" in html
    assert "A-INCOME" in html
    first = case_checklist(case)[0]
    viewer = reverse("portal:clerk_material_view", args=[case.public_id, first])
    assert f'<iframe class="clerk-pdf" src="{viewer}#view=FitH&amp;navpanes=0"' in html
    for code in case_checklist(case):
        assert reverse("portal:clerk_verdict", args=[case.public_id, code]) in html
    other = case_checklist(case)[1]
    html = text(clerk_client.get(page_of(case), {"view": other}))
    assert f'src="{reverse("portal:clerk_material_view", args=[case.public_id, other])}#' in html


def test_the_shared_case_page_sends_the_clerk_to_the_workbench(people, clerk_client, today):
    case = unit_opening()
    html = text(clerk_client.get(reverse("portal:case", args=[case.public_id])))
    assert f'href="{page_of(case)}"' in html


def test_a_verdict_per_material_and_a_refusal_needs_its_reason(people, clerk_client, today):
    case = in_review(unit_opening(), people.clerk)
    first, second = case_checklist(case)[:2]
    url = reverse("portal:clerk_verdict", args=[case.public_id, first])

    response = clerk_client.post(url, {"verdict": "accepted"})
    assert response.status_code == 302
    assert CaseMaterial.objects.get(case=case, code=first).status == MaterialStatus.ACCEPTED

    refused = reverse("portal:clerk_verdict", args=[case.public_id, second])
    response = clerk_client.post(refused, {"verdict": "rejected", "reason": "  "})
    assert response.status_code == 422
    assert "请写明需重新上传的原因" in text(response)
    assert 'class="error-summary"' in text(response)
    assert CaseMaterial.objects.get(case=case, code=second).status == MaterialStatus.UPLOADED

    response = clerk_client.post(refused, {})
    assert response.status_code == 422
    assert "请选择“通过”或“需重新上传”" in text(response)

    clerk_client.post(refused, {"verdict": "rejected", "reason": "复印件缺少公章"})
    material = CaseMaterial.objects.get(case=case, code=second)
    assert (material.status, material.reason) == (MaterialStatus.REJECTED, "复印件缺少公章")


def test_a_verdict_while_not_in_review_is_refused_with_a_message(people, clerk_client, today):
    case = unit_opening()
    code = case_checklist(case)[0]
    response = clerk_client.post(reverse("portal:clerk_verdict", args=[case.public_id, code]),
                                 {"verdict": "accepted"}, follow=True)
    assert "案件当前为“已提交”" in text(response)
    assert CaseMaterial.objects.get(case=case, code=code).status == MaterialStatus.UPLOADED


def test_the_correction_notice_is_composed_of_the_refused_materials_and_free_text(people, clerk_client, today):
    case = in_review(initial(people), people.clerk)
    material_verdict(case=case, code="labour_contract", actor=people.clerk, accepted=False, reason="缺少签字页")
    material_verdict(case=case, code="hukou_book", actor=people.clerk, accepted=True)
    page = text(clerk_client.get(page_of(case)))
    assert 'name="problem_labour_contract"' in page
    assert ">缺少签字页</textarea>" in page
    assert 'name="problem_hukou_book"' not in page

    url = reverse("portal:clerk_return", args=[case.public_id])
    posted = {"problem_labour_contract": "缺少第 3 页签字页", "other": "入职日期与合同不一致\n\n社保月数请核对\n"}
    response = clerk_client.post(url, posted)
    assert response.status_code == 422
    assert "请勾选确认后再发出补正告知" in text(response)
    assert ">入职日期与合同不一致\n\n社保月数请核对\n</textarea>" in text(response)
    assert fresh(case).state == CaseState.IN_REVIEW

    response = clerk_client.post(url, {**posted, "confirm": "yes"})
    assert response.status_code == 302
    case = fresh(case)
    assert case.state == CaseState.RETURNED
    assert case.paused_on == date(2026, 11, 26)
    assert CorrectionNotice.objects.get(case=case).problems == [
        {"material": "labour_contract", "text": "缺少第 3 页签字页"},
        {"material": None, "text": "入职日期与合同不一致"},
        {"material": None, "text": "社保月数请核对"},
    ]
    page = text(clerk_client.get(QUEUE))
    assert "补正中，计时暂停" in page


def test_a_notice_needs_at_least_one_problem(people, clerk_client, today):
    case = in_review(unit_opening(), people.clerk)
    response = clerk_client.post(reverse("portal:clerk_return", args=[case.public_id]),
                                 {"other": " \n", "confirm": "yes"})
    assert response.status_code == 422
    assert "请至少列出一个问题" in text(response)
    assert fresh(case).state == CaseState.IN_REVIEW


def test_forwarding_needs_every_material_accepted_and_a_reason_per_review_outcome(people, clerk_client, today):
    profile = ApplicantProfile.objects.get(user=people.applicant)
    profile.facts = {**profile.facts, "employment_start": "2026-06-01"}  # A-TENURE: less than a year → review
    profile.save()
    case = in_review(initial(people), people.clerk)
    url = reverse("portal:clerk_decide", args=[case.public_id])
    page = text(clerk_client.get(page_of(case)))
    assert 'name="review_A-TENURE"' in page
    assert "上报区人社局审批" in page

    response = clerk_client.post(url, {"review_A-TENURE": "", "confirm": "yes"})
    assert response.status_code == 422
    html = text(response)
    assert "以下材料尚未审核通过" in html
    assert "劳动合同" in html
    assert 'id="clerk-review_A-TENURE-error"' in html
    assert "请说明接受 A-TENURE（需人工审核）的理由" in html
    assert '<a href="#clerk-review_A-TENURE">' in html
    assert fresh(case).state == CaseState.IN_REVIEW

    accept_all(case, people.clerk)
    response = clerk_client.post(url, {"review_A-TENURE": " 试用期已满，劳动关系稳定 ", "confirm": "yes"})
    assert response.status_code == 302
    case = fresh(case)
    assert case.state == CaseState.PENDING_APPROVAL
    assert case.review_reasons == {"A-TENURE": "试用期已满，劳动关系稳定"}
    assert "已上报区人社局，等待区局审批" in text(clerk_client.get(page_of(case)))


def test_forwarding_asks_for_confirmation_first(people, clerk_client, today):
    case = in_review(initial(people), people.clerk)
    accept_all(case, people.clerk)
    response = clerk_client.post(reverse("portal:clerk_decide", args=[case.public_id]), {})
    assert response.status_code == 422
    assert "请勾选确认后再上报" in text(response)
    assert "窗口不能再退回或修改本案" in text(response)
    assert fresh(case).state == CaseState.IN_REVIEW


def test_the_clerk_approves_a_window_item(people, clerk_client, today):
    case = in_review(unit_opening(), people.clerk)
    accept_all(case, people.clerk)
    page = text(clerk_client.get(page_of(case)))
    assert "我确认批准：开通单位工作居住证账户，决定立即生效，不能撤销。" in page
    response = clerk_client.post(reverse("portal:clerk_decide", args=[case.public_id]), {"confirm": "yes"})
    assert response.status_code == 302
    case = fresh(case)
    assert (case.state, case.decided_by) == (CaseState.APPROVED, people.clerk)
    assert case.unit.account_status == "open"


def test_rejection_needs_a_reason_and_confirmation(people, clerk_client, today):
    case = in_review(initial(people), people.clerk)
    url = reverse("portal:clerk_reject", args=[case.public_id])
    response = clerk_client.post(url, {"reason": " ", "confirm": "yes"})
    assert response.status_code == 422
    assert "请写明不予通过的理由" in text(response)
    response = clerk_client.post(url, {"reason": "学位证书与学信网记录不符"})
    assert response.status_code == 422
    assert "请勾选确认后再作出不予通过的决定" in text(response)
    assert ">学位证书与学信网记录不符</textarea>" in text(response)
    assert fresh(case).state == CaseState.IN_REVIEW

    response = clerk_client.post(url, {"reason": "学位证书与学信网记录不符", "confirm": "yes"})
    assert response.status_code == 302
    case = fresh(case)
    assert (case.state, case.decision_reason) == (CaseState.REJECTED, "学位证书与学信网记录不符")
    assert case.quota_year is None


def test_the_diff_of_a_resubmission_is_shown_to_the_clerk(people, clerk_client, today):
    case = in_review(initial(people), people.clerk)
    material_verdict(case=case, code="labour_contract", actor=people.clerk, accepted=False, reason="缺少签字页")
    case_return_for_correction(case=case, actor=people.clerk, problems=[])
    profile = ApplicantProfile.objects.get(user=people.applicant)
    profile.facts = {**profile.facts, "contract_end": "2030-01-09"}
    profile.save()
    attach(case, "labour_contract", by=people.handler)
    case_resubmit(case=fresh(case), actor=people.handler)
    html = text(clerk_client.get(page_of(case)))
    assert "本案已补正后重新提交（第 2 次提交）" in html
    assert "第 2 次提交的变化" in html
    assert "已重新上传" in html
    assert 'class="clerk-fact clerk-changed"><dt>劳动合同终止日期</dt><dd>2030年1月9日' in html


# --- the PDF in the browser's viewer ---------------------------------------------------------------------------------


def stored_pdf(case: Case, code: str, by: Any) -> bytes:
    """Store a real PDF for one material (the pages' viewer reads the bytes back)."""
    from tests.documents.pdfs import plain_pdf

    data = plain_pdf(1)
    stored = store_file(data=data, original_name=f"{code}.pdf", uploaded_by=by, pages=1)
    CaseMaterial.objects.filter(case=case, code=code).update(file=stored)
    return data


def test_the_material_opens_inline_in_the_browsers_pdf_viewer(people, clerk_client, private_media, today):
    case = in_review(initial(people), people.clerk)
    data = stored_pdf(case, "labour_contract", people.handler)
    url = reverse("portal:clerk_material_view", args=[case.public_id, "labour_contract"])
    response = clerk_client.get(url)
    assert response.status_code == 200
    assert response.content == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{case.public_id}-labour_contract.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # the case page shows it in a frame of its own origin
    assert clerk_client.get(reverse("portal:clerk_material_view", args=[case.public_id, "no_such"])).status_code == 404


def test_an_applicant_cannot_open_the_clerks_pdf_view_even_of_their_own_case(people, client, private_media, today):
    case = in_review(initial(people), people.clerk)
    stored_pdf(case, "labour_contract", people.handler)
    url = reverse("portal:clerk_material_view", args=[case.public_id, "labour_contract"])
    client.force_login(people.applicant)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


# --- number of queries ------------------------------------------------------------------------------------------------


def queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# Each includes the header bell's unread count (one query: wrp.notifications.context.unread).
QUEUE_QUERIES = 8
CASE_PAGE_QUERIES = 17  # + the documents panel: the issued documents, the draft declarations; + the material
# uploads still being checked or just refused, all of the case's in one query (wrp.cases.materials.pending_checks)


def test_the_queue_takes_the_same_queries_for_one_case_and_for_twenty_five(
    people, clerk_client, today, django_assert_max_num_queries
):
    initial(people)
    clerk_client.get(QUEUE)  # the session and the reference calendar are read once, then cached
    with django_assert_max_num_queries(QUEUE_QUERIES):
        clerk_client.get(QUEUE)
    one = queries(clerk_client, QUEUE)
    for day in (2, 9, 16, 23, 25, 26):
        for _ in range(4):
            unit_opening(on=date(2026, 11, day))
    with django_assert_max_num_queries(QUEUE_QUERIES):
        response = clerk_client.get(QUEUE)
    assert response.context["listing"].total == 25
    assert queries(clerk_client, QUEUE) == one
    print(f"queue queries: 1 case {one}, 25 cases {queries(clerk_client, QUEUE)}")


def test_the_case_page_takes_the_same_queries_whatever_the_number_of_cases(
    people, clerk_client, today, django_assert_max_num_queries,
):
    case = in_review(initial(people), people.clerk)
    material_verdict(case=case, code="labour_contract", actor=people.clerk, accepted=False, reason="缺少签字页")
    clerk_client.get(page_of(case))
    with django_assert_max_num_queries(CASE_PAGE_QUERIES):
        clerk_client.get(page_of(case))
    one = queries(clerk_client, page_of(case))
    for _ in range(24):
        in_review(unit_opening(), people.clerk)
    with django_assert_max_num_queries(CASE_PAGE_QUERIES):
        clerk_client.get(page_of(case))
    assert queries(clerk_client, page_of(case)) == one
    print(f"case page queries: {one}")


def test_the_case_page_asks_nothing_of_the_panels_a_case_lacks(people, clerk_client, today):
    """No booking, no correction notice, an applicant without a permit: known with the case itself (its EXISTS flags),
    so the page reads none of those tables on its own; once the case has a notice, the page reads and shows it."""
    case = in_review(initial(people), people.clerk)
    Booking.objects.filter(case=case).delete()  # the persona's case comes booked
    clerk_client.get(page_of(case))
    with CaptureQueriesContext(connection) as captured:
        assert clerk_client.get(page_of(case)).status_code == 200
    own = [query["sql"] for query in captured if not query["sql"].startswith('SELECT "cases_case"')]
    for table in ("appointments_booking", "cases_correctionnotice", "permits_permit"):
        assert not any(f'FROM "{table}"' in sql for sql in own), [sql for sql in own if table in sql]
    CorrectionNotice.objects.create(case=case, issued_at=NOW, issued_by=people.clerk,
                                    problems=[{"material": "", "text": "请补充劳动合同签字页"}])
    assert "请补充劳动合同签字页" in text(clerk_client.get(page_of(case)))


# --- English ----------------------------------------------------------------------------------------------------------


def test_the_workbench_speaks_english(people, clerk_client, today):
    clerk_client.cookies["django_language"] = "en"
    assert "No cases waiting for review" in text(clerk_client.get(QUEUE))
    case = in_review(unit_opening(), people.clerk)
    html = text(clerk_client.get(page_of(case)))
    assert "Facts frozen at submission" in html
    assert "<dt>Kind of unit</dt><dd>Enterprise</dd>" in html
    assert "Save the verdict" in html


# --- screenshots (Chromium) -------------------------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots" / "clerk"
PASSWORD = "Clerk-Test-2026!"
EMBEDDED_FONT = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
SIZES = {"1280": {"width": 1280, "height": 800}, "390": {"width": 390, "height": 844}}


def sample_pdf(title: str) -> bytes:
    """A one-page PDF with visible words, so the screenshots show the viewer at work."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = "sample" if EMBEDDED_FONT.exists() else "STSong-Light"
    if EMBEDDED_FONT.exists():  # embedded, so the viewer draws the Chinese words without a system font
        pdfmetrics.registerFont(TTFont(font, str(EMBEDDED_FONT)))
    else:
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont(font, 22)
    page.drawString(72, 760, title)
    page.setFont(font, 12)
    for line, words in enumerate(["甲方：北京甲科技有限公司", "乙方：张三", "合同期限：2023年1月10日至2029年1月9日",
                                  "（示例材料，仅用于界面测试）"]):
        page.drawString(72, 720 - 24 * line, words)
    page.showPage()
    page.save()
    return buffer.getvalue()


@pytest.fixture
def scene(transactional_db, private_media):
    """Cases in the queue in every mark, and one initial case in review with real PDFs and a `review` outcome."""
    from tests.cases.conftest import PROFILE, TODAY
    from tests.factories import make_association, make_ledger, make_personas

    with time_machine.travel(NOW, tick=False):
        personas = make_personas()
        personas.clerk.set_password(PASSWORD)
        personas.clerk.real_name = "王窗口"
        personas.clerk.save()
        personas.applicant.real_name, personas.applicant.id_number_masked = "张三", "110105********002X"
        personas.applicant.save()
        ApplicantProfile.objects.create(user=personas.applicant,
                                        facts={**PROFILE, "employment_start": "2026-06-01"})
        make_association(personas.applicant, personas.unit)
        make_ledger(personas.unit, TODAY.year, granted=3)
        unit_opening(on=date(2026, 11, 2), name="北京丁网络技术有限公司")
        unit_opening(on=date(2026, 11, 23), name="北京戊生物医药有限公司")
        unit_opening(name="北京己文化传媒有限公司")
        paused = unit_opening(on=date(2026, 11, 20), name="北京庚咨询有限公司")
        case_return_for_correction(case=in_review(paused, personas.clerk), actor=personas.clerk,
                                   problems=[{"material": None, "text": "营业执照副本不清晰"}])
        case = initial(personas)
        for code in case_checklist(case):
            from wrp.policy.materials import MATERIALS

            stored = store_file(data=sample_pdf(MATERIALS[code].title_zh), original_name=f"{code}.pdf",
                                uploaded_by=personas.handler, pages=1)
            CaseMaterial.objects.filter(case=case, code=code).update(file=stored)
        case = in_review(case, personas.clerk)
        material_verdict(case=case, code="hukou_book", actor=personas.clerk, accepted=True)
        material_verdict(case=case, code="labour_contract", actor=personas.clerk, accepted=False,
                         reason="缺少乙方签字页")
    return {"clerk": personas.clerk, "case": case}


@pytest.fixture(scope="module")
def chromium():
    from tests.browsers import chromium as shared

    return shared()


@pytest.mark.browser
@pytest.mark.front_end
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshots_of_the_queue_and_a_case_in_review(chromium, live_server, scene, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    case = scene["case"]
    with time_machine.travel(NOW, tick=True):
        for size, viewport in SIZES.items():
            context = chromium.new_context(viewport=viewport, locale="zh-CN" if lang == "zh" else "en-GB")
            page = context.new_page()
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", "clerk")
            page.fill("input[name=password]", PASSWORD)
            page.locator("form.narrow button[type=submit]").click()
            page.wait_for_url(f"{live_server.url}/clerk/")
            if lang == "en":
                page.get_by_role("button", name="English").click()
                page.wait_for_load_state()
            expect(page.locator("table.clerk-table tbody tr")).to_have_count(5)
            page.screenshot(path=str(SHOTS / f"queue-{lang}-{size}.png"), full_page=True)
            page.goto(f"{live_server.url}{page_of(case)}")
            page.wait_for_load_state("load")
            expect(page.locator("iframe.clerk-pdf")).to_have_count(1)
            page.wait_for_timeout(2000)  # the PDF viewer renders the page
            page.screenshot(path=str(SHOTS / f"case-{lang}-{size}.png"), full_page=True)
            page.evaluate("document.getElementById('clerk-materials-heading').scrollIntoView()")
            page.wait_for_timeout(2000)  # the PDF viewer renders the page
            page.screenshot(path=str(SHOTS / f"case-materials-{lang}-{size}.png"))
            page.locator("#clerk-confirm_decide").check()
            page.locator("#clerk-decide button[type=submit]").click()
            page.wait_for_load_state("load")
            expect(page.locator("#clerk-errors")).to_have_count(1)
            page.screenshot(path=str(SHOTS / f"case-errors-{lang}-{size}.png"))
            page.locator("#clerk-errors a").last.click()
            page.screenshot(path=str(SHOTS / f"case-error-field-{lang}-{size}.png"))
            context.close()
