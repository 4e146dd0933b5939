"""The bureau decides seeing the file (issue 13 §3): the approver's case page shows the facts frozen at submission in
words, every material with its viewer and download, and the window's verdicts and reasons — who reviewed and
forwarded, each material's verdict, the reason for each `review` outcome, the manual checks' findings and the
correction notices — with ID numbers masked; the PDFs are served to the approver through the case selectors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import VALID_ID
from tests.cases import conftest as case_fixtures
from tests.cases.conftest import attach
from tests.factories import case_in_state
from wrp.accounts.models import ApplicantProfile
from wrp.accounts.services import user_set_id_number
from wrp.audit.models import AuditEvent
from wrp.cases import services
from wrp.cases.manual_checks import manual_check_record
from wrp.cases.materials import case_checklist, material_verdict
from wrp.cases.models import Case, CaseMaterial, CaseState
from wrp.documents.services import store_file

people = case_fixtures.people  # the personas of tests/cases (profiles, association, quota), on the frozen day


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client: Client, case: Case, **query: str) -> str:
    response = client.get(reverse("portal:case", args=[case.public_id]), query)
    assert response.status_code == 200
    return response.content.decode()


def viewer_url(case: Case, code: str) -> str:
    return reverse("portal:bureau_material_view", args=[case.public_id, code])


def in_review_with_tenure_to_explain(people: Any) -> Case:
    """An initial case in review whose applicant has worked at the unit for less than a year (A-TENURE: `review`)."""
    ApplicantProfile.objects.filter(user=people.applicant).update(
        facts={**case_fixtures.PROFILE, "employment_start": "2026-01-05"}
    )
    return case_in_state(people, "in_review")


def forwarded(case: Case, people: Any, **reasons: str) -> Case:
    return services.case_forward(case=case, actor=people.clerk, review_reasons=reasons or None)


def stored_pdf(case: Case, code: str, by: Any) -> bytes:
    from tests.documents.pdfs import plain_pdf

    data = plain_pdf(1)
    stored = store_file(data=data, original_name=f"{code}.pdf", uploaded_by=by, pages=1)
    CaseMaterial.objects.filter(case=case, code=code).update(file=stored)
    return data


# --- the frozen application data ----------------------------------------------------------------------------------


def test_the_approver_sees_the_facts_frozen_at_submission_in_words(people, today):
    case = case_in_state(people, "pending_approval")
    html = page(signed_in(people.approver), case)
    assert "提交时冻结的资料" in html
    assert "<dt>入职本单位的日期</dt><dd>2023年1月10日</dd>" in html
    assert "<dt>最高学位</dt><dd>硕士</dd>" in html
    assert "applicant.employment_start" not in html  # a label, never a key
    assert "400,000 元" in html  # money in the house format


def test_the_approver_sees_the_applicants_id_number_masked_and_may_reveal_it(people, today):
    user_set_id_number(user=people.applicant, id_number=VALID_ID, actor=people.applicant)
    case = case_in_state(people, "pending_approval")
    html = page(signed_in(people.approver), case)
    assert "110105********002X" in html
    assert VALID_ID not in html
    assert reverse("portal:case_reveal", args=[case.public_id]) in html  # the audited reveal, for the staff


# --- every material, its viewer and its download ------------------------------------------------------------------


def test_every_material_has_a_viewer_and_a_download_on_the_approvers_page(people, today):
    case = case_in_state(people, "pending_approval")
    html = page(signed_in(people.approver), case)
    codes = case_checklist(case)
    for code in codes:
        assert f'href="{viewer_url(case, code)}"' in html
        assert f'href="{viewer_url(case, code)}?download=1" download' in html
    assert f'<iframe class="clerk-pdf" src="{viewer_url(case, codes[0])}#view=FitH&amp;navpanes=0"' in html
    chosen = page(signed_in(people.approver), case, view=codes[1])
    assert f'<iframe class="clerk-pdf" src="{viewer_url(case, codes[1])}#' in chosen
    assert "clerk_verdict" not in chosen
    assert "保存审核意见" not in chosen


def test_the_approver_opens_a_material_inline_and_downloads_it(people, private_media, today):
    case = case_in_state(people, "pending_approval")
    data = stored_pdf(case, "labour_contract", people.handler)
    client = signed_in(people.approver)

    inline = client.get(viewer_url(case, "labour_contract"))
    assert inline.status_code == 200
    assert inline.content == data
    assert inline["Content-Disposition"] == f'inline; filename="{case.public_id}-labour_contract.pdf"'
    assert inline["X-Frame-Options"] == "SAMEORIGIN"
    assert inline["Cache-Control"] == "no-store, private"

    download = client.get(viewer_url(case, "labour_contract"), {"download": "1"})
    assert download.status_code == 200
    assert download.content == data
    assert download["Content-Disposition"] == f'attachment; filename="{case.public_id}-labour_contract.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    notes = AuditEvent.objects.filter(action="file.download", actor=people.approver)
    assert notes.count() == 2
    assert [note.changes.get("attachment", False) for note in notes.order_by("id")] == [False, True]


def test_the_clerk_may_download_from_the_workbench_too(people, private_media, today):
    case = case_in_state(people, "in_review")
    stored_pdf(case, "labour_contract", people.handler)
    url = reverse("portal:clerk_material_view", args=[case.public_id, "labour_contract"])
    response = signed_in(people.clerk).get(url, {"download": "1"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    html = signed_in(people.clerk).get(reverse("portal:clerk_case", args=[case.public_id])).content.decode()
    assert f'href="{url}?download=1" download' in html


@pytest.mark.parametrize("persona", ["applicant", "handler", "other_handler", "clerk", "admin"])
def test_other_roles_are_refused_the_bureaus_material_view(people, private_media, today, persona):
    case = case_in_state(people, "pending_approval")
    stored_pdf(case, "labour_contract", people.handler)
    response = signed_in(getattr(people, persona)).get(viewer_url(case, "labour_contract"))
    assert response.status_code == 403


def test_the_bureaus_material_view_needs_sign_in_and_a_material_on_file(people, private_media, today):
    case = case_in_state(people, "pending_approval")
    response = Client().get(viewer_url(case, "labour_contract"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    client = signed_in(people.approver)
    assert client.get(viewer_url(case, "no_such_material")).status_code == 404
    assert client.get(reverse("portal:bureau_material_view", args=["C0000000000", "labour_contract"])).status_code == 404


# --- the window's verdicts and reasons ----------------------------------------------------------------------------


def test_the_approver_sees_who_reviewed_and_forwarded_and_the_reason_for_each_review_outcome(people, today):
    case = forwarded(in_review_with_tenure_to_explain(people), people, **{"A-TENURE": "试用期前已在集团内任职，劳动合同佐证"})
    html = page(signed_in(people.approver), case)
    assert "窗口审核意见" in html
    assert "开始审核" in html
    assert "上报区人社局" in html
    assert people.clerk.username in html  # the reviewer by name (login name when no real name is recorded)
    assert "需人工审核的项目及窗口的理由" in html
    assert "窗口的理由：</strong>试用期前已在集团内任职，劳动合同佐证" in html
    assert "A-TENURE" in html
    checklist = case_checklist(case)
    assert f"已上传 {len(checklist)} 项，窗口审核通过 {len(checklist)} 项" in html
    assert "未退回补正" in html


def test_the_approver_sees_the_correction_notices_and_the_materials_rejected_on_the_way(people, today):
    case = case_in_state(people, "in_review")
    material_verdict(case=case, code="labour_contract", actor=people.clerk, accepted=False, reason="缺少签字页")
    case = services.case_return_for_correction(case=case, actor=people.clerk, problems=[])
    attach(case, "labour_contract", by=people.handler)
    case = services.case_resubmit(case=case, actor=people.handler)
    for code in case_checklist(case):
        material_verdict(case=case, code=code, actor=people.clerk, accepted=True)
    case = forwarded(case, people)
    html = page(signed_in(people.approver), case)
    notice = case.notices.get()
    assert "曾退回补正 1 次" in html
    assert f'href="#notice-{notice.pk}"' in html
    assert "（已补正）" in html
    assert "缺少签字页" in html  # the notice itself, below


def test_a_material_the_window_asked_again_is_named_with_its_reason(people, today):
    case = case_in_state(people, "in_review")
    material_verdict(case=case, code="labour_contract", actor=people.clerk, accepted=False, reason="缺少签字页")
    html = page(signed_in(people.approver), case)
    assert "需重新上传：" in html
    assert 'href="#clerk-material-labour_contract"' in html
    assert "需重新上传的原因：缺少签字页" in html


def test_the_approver_sees_the_manual_checks_findings_with_their_notes(people, today):
    case = case_in_state(people, "in_review")  # talent condition 1: the education is verified on 学信网
    manual_check_record(case=case, actor=people.clerk, check="xuexin", finding="pass", note="学信网报告编号已核对")
    forwarded(case, people)
    html = page(signed_in(people.approver), case)
    assert "人工核查结果" in html
    assert "学信网学历查验" in html
    assert '<span class="badge finding-pass">符合</span>' in html
    assert "核查情况：学信网报告编号已核对" in html
    assert "人工核查（学信网学历查验：符合）" in html  # and in the timeline, in words
    assert "clerk_manual_check" not in html
    assert "记录核查结果" not in html


def test_the_decision_still_follows_the_file(people, today):
    case = case_in_state(people, "pending_approval")
    html = page(signed_in(people.approver), case)
    assert html.index("窗口审核意见") < html.index("提交时冻结的资料") < html.index('id="clerk-materials"')
    assert html.index('id="clerk-materials"') < html.index('id="bureau-actions-heading"')
    assert 'href="#bureau-actions-heading"' in html


def test_the_file_is_kept_after_a_refused_decision(people, today):
    case = case_in_state(people, "pending_approval")
    response = signed_in(people.approver).post(reverse("portal:bureau_case_approve", args=[case.public_id]), {})
    html = response.content.decode()
    assert "请勾选确认后再提交" in html
    assert "提交时冻结的资料" in html
    assert viewer_url(case, case_checklist(case)[0]) in html
    # the links that show another material lead to the case page, not to the address the refusal was posted to
    second = case_checklist(case)[1]
    assert f'href="/cases/{case.public_id}/?view={second}#clerk-viewer"' in html


def test_the_download_audit_names_no_personal_data(people, private_media, today):
    user_set_id_number(user=people.applicant, id_number=VALID_ID, actor=people.applicant)
    case = case_in_state(people, "pending_approval")
    stored_pdf(case, "labour_contract", people.handler)
    signed_in(people.approver).get(viewer_url(case, "labour_contract"), {"download": "1"})
    note = AuditEvent.objects.filter(action="file.download").latest("id")
    assert VALID_ID not in json.dumps(note.changes)
    assert note.changes["case"] == case.public_id
    assert Case.objects.get(pk=case.pk).state == CaseState.PENDING_APPROVAL
