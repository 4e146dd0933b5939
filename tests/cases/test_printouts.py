"""A case's documents gathered from its records (wrp.cases.printouts): the guide's attachments 附件1–3 prefilled,
the correction notice and the decision letter — what each says, when it applies, who may download it and how it is
served.
"""


from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from tests.cases.conftest import attach, attach_all, free_slot
from tests.documents.printed import MASKED_ID, OWNER_ID, WHOLE_ID, needs_pdftotext, pdf_text
from tests.factories import (
    case_in_state,
    make_permit,
    make_unit,
    make_user,
)
from wrp.accounts.models import ApplicantProfile, Role
from wrp.accounts.services import user_set_id_number
from wrp.cases.materials import case_checklist, material_verdict
from wrp.cases.models import Case, CaseState
from wrp.cases.services import (
    case_approve,
    case_open,
    case_reject,
    case_resubmit,
    case_return_for_correction,
    case_start_review,
    case_submit,
    case_withdraw,
)

pytestmark = pytest.mark.usefixtures("private_media")  # the cases' uploads go to a fresh directory



# --- from the records, through the views -------------------------------------------------------------------------


@pytest.fixture
def people(people):
    """The personas of tests/cases, the applicant named and with a whole ID number (for 附件1)."""
    personas = people
    applicant = personas.applicant
    applicant.real_name = "张三丰"
    applicant.save(update_fields=["real_name"])
    user_set_id_number(user=applicant, id_number=WHOLE_ID, actor=None)
    return personas


def url(case: Case, kind: str) -> str:
    return f"/cases/{case.public_id}/documents/{kind}.pdf"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def download(user, case: Case, kind: str, tmp_path: Path) -> str:
    response = signed_in(user).get(url(case, kind))
    assert response.status_code == 200, response.status_code
    return pdf_text(response.content, tmp_path)


def submitted_initial(people) -> Case:
    return case_in_state(people, "submitted")


def accept_all(case: Case, clerk) -> None:
    for code in case_checklist(case):
        material_verdict(case=case, code=code, actor=clerk, accepted=True)


@needs_pdftotext
def test_personal_declaration_of_a_case_is_prefilled_from_the_records(people, tmp_path):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    text = download(people.handler, case, "integrity-personal", tmp_path)
    assert "本单位对张三丰提供的材料" in text
    assert MASKED_ID in text
    assert WHOLE_ID not in text
    assert WHOLE_ID in download(people.applicant, case, "integrity-personal", tmp_path)
    assert people.unit.name in text
    assert people.unit.credit_code in text


@needs_pdftotext
def test_unit_declaration_is_for_an_account_opening(people, tmp_path):
    handler = make_user(Role.UNIT_HANDLER)
    unit = make_unit(handler, name="北京丙文化传媒有限公司")
    case = case_open(actor=handler, kind="unit_opening", unit=unit)
    text = download(handler, case, "integrity-unit", tmp_path)
    assert "北京丙文化传媒有限公司" in text
    assert unit.credit_code in text
    assert signed_in(handler).get(url(case, "integrity-personal")).status_code == 404


def relatives_home(**particulars) -> dict:
    return {"kind": "relative", "lease_end": None, **particulars}


@needs_pdftotext
def test_housing_loan_declaration_takes_the_particulars_recorded_with_the_housing(people, tmp_path):
    profile = ApplicantProfile.objects.get(user=people.applicant)
    profile.facts["housing"] = relatives_home(address="北京市朝阳区芍药居北里101号楼3单元502室", owner_name="李四",
                                              owner_id_number=OWNER_ID, relationship="舅甥", since="2024-03-01")
    profile.save()
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    text = download(people.applicant, case, "housing-loan", tmp_path)
    assert (f"本人（姓名）张三丰，身份证号：{WHOLE_ID}，于2024年3月1日开始借住在北京市朝阳区芍药居北里101号楼3单元502室"
            f"（详细住址精确至门牌）。借住房屋的房主姓名李四，身份证号{OWNER_ID}，本人与房主是舅甥关系") in text


@needs_pdftotext
def test_housing_loan_declaration_of_a_submitted_address_change_leaves_the_unrecorded_particulars_blank(people, tmp_path):
    """The policy refuses unknown housing fields, so a submitted case carries only the kind: the rest is handwritten."""
    make_permit(people.applicant, people.unit, issued_on=date(2025, 3, 1))
    case = case_open(
        actor=people.handler, kind="info_change", subtype="address", unit=people.unit, applicant=people.applicant,
        answers={"housing": relatives_home()},
    )
    assert "housing_relative" in case_checklist(case)
    attach_all(case, by=people.handler)
    case = case_submit(case=case, actor=people.handler, slot=free_slot())
    text = download(people.handler, case, "housing-loan", tmp_path)  # the unit's copy: masked (issue 11 §2)
    assert f"本人（姓名）张三丰，身份证号：{MASKED_ID}，于______年____月____日开始借住在________________________" in text
    assert "房主姓名________，身份证号________________，本人与房主是________关系" in text


@needs_pdftotext
def test_housing_loan_particulars_kept_apart_from_the_policys_facts_are_read_too(people, tmp_path):
    """`answers.housing_loan` (never sent to the policy) is where a case may keep them (set here directly: the case
    services do not take that answer yet)."""
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    profile = ApplicantProfile.objects.get(user=people.applicant)
    profile.facts["housing"] = relatives_home()
    profile.save()
    Case.objects.filter(pk=case.pk).update(answers={"housing_loan": {"owner_name": "王五", "relationship": "表兄弟"}})
    text = download(people.handler, case, "housing-loan", tmp_path)
    assert "房主姓名王五，身份证号________________，本人与房主是表兄弟关系" in text


def test_housing_loan_declaration_does_not_apply_without_a_relatives_home(people):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    assert signed_in(people.handler).get(url(case, "housing-loan")).status_code == 404


def test_housing_loan_declaration_does_not_apply_to_a_kind_that_needs_no_home(people):
    profile = ApplicantProfile.objects.get(user=people.applicant)
    profile.facts["housing"] = relatives_home()
    profile.save()
    make_permit(people.applicant, people.unit, issued_on=date(2024, 1, 10))
    case = case_open(actor=people.handler, kind="renewal", unit=people.unit, applicant=people.applicant)
    assert signed_in(people.handler).get(url(case, "housing-loan")).status_code == 404


@needs_pdftotext
def test_correction_notice_of_a_returned_case_lists_every_problem_and_the_paused_clock(people, tmp_path):
    case = case_start_review(case=submitted_initial(people), actor=people.clerk)
    material_verdict(case=case, code="labour_contract", actor=people.clerk, accepted=False, reason="合同缺少签字页")
    case = case_return_for_correction(case=case, actor=people.clerk, problems=[
        {"material": "hukou_book", "text": "缺少变更页"}, {"material": None, "text": "请核对申请人的联系电话"},
    ])
    text = download(people.handler, case, "correction-notice", tmp_path)
    assert case.public_id in text
    assert "单位为聘用人员办理北京市工作居住证初次申请" in text
    assert people.unit.name in text
    assert "张三丰" in text
    assert MASKED_ID in text
    assert WHOLE_ID not in text
    assert "需补正以下3项内容" in text
    assert "》：缺少变更页" in text
    assert "2．其他：请核对申请人的联系电话" in text
    assert "》：合同缺少签字页" in text
    assert "提交日期2026年11月26日" in text
    assert "告知日期2026年11月26日" in text
    assert "补正中，计时暂停，暂停时剩余20个工作日" in text
    assert "010-57596100" in text


@needs_pdftotext
def test_the_notice_is_a_record_and_still_reads_as_issued_after_the_resubmission(people, tmp_path):
    """Issue 12 §4: issued documents are never rebuilt — the notice says what it said on the day of the return."""
    case = case_start_review(case=submitted_initial(people), actor=people.clerk)
    case = case_return_for_correction(case=case, actor=people.clerk, problems=[
        {"material": "hukou_book", "text": "缺少变更页"},
    ])
    issued = signed_in(people.clerk).get(url(case, "correction-notice"))
    attach(case, "hukou_book", by=people.handler)
    case_resubmit(case=case, actor=people.handler)
    again = signed_in(people.clerk).get(url(case, "correction-notice"))
    assert b"".join(again.streaming_content if again.streaming else [again.content]) == b"".join(
        issued.streaming_content if issued.streaming else [issued.content])
    text = download(people.clerk, case, "correction-notice", tmp_path)
    assert "补正中，计时暂停" in text
    assert "计时已恢复" not in text


def test_there_is_no_notice_before_a_return(people):
    case = submitted_initial(people)
    assert signed_in(people.handler).get(url(case, "correction-notice")).status_code == 404


def test_there_is_no_decision_before_one_is_made(people):
    case = case_start_review(case=submitted_initial(people), actor=people.clerk)
    assert signed_in(people.clerk).get(url(case, "decision")).status_code == 404


@needs_pdftotext
def test_a_rejection_letter_gives_the_reason_and_the_masked_id(people, tmp_path):
    case = case_start_review(case=submitted_initial(people), actor=people.clerk)
    case = case_reject(case=case, actor=people.clerk, reason="劳动合同剩余期限不足三个月")
    text = download(people.applicant, case, "decision", tmp_path)
    assert "不予办理决定书" in text
    assert "劳动合同剩余期限不足三个月" in text
    assert "服务大厅窗口（窗口工作人员）" in text
    assert "决定日期2026年11月26日" in text
    assert MASKED_ID in text
    assert WHOLE_ID not in text


@needs_pdftotext
def test_an_approval_letter_carries_the_permit_number(people, tmp_path):
    make_permit(people.applicant, people.unit, issued_on=date(2025, 3, 1))
    case = case_open(
        actor=people.handler, kind="children_change", unit=people.unit, applicant=people.applicant,
        answers={"children": [{"name": "张小明", "case": "in_policy"}]},
    )
    attach_all(case, by=people.handler)
    case = case_start_review(case=case_submit(case=case, actor=people.handler, slot=free_slot()), actor=people.clerk)
    accept_all(case, people.clerk)
    case = case_approve(case=case, actor=people.clerk)
    text = download(people.handler, case, "decision", tmp_path)
    assert "准予办理决定书" in text
    assert "单位办理北京市工作居住证个人随往人员变更" in text
    assert f"工作居住证编号{case.permit.number}" in text
    assert "有效期至2028年3月1日" in text
    assert "服务大厅窗口（窗口工作人员）" in text


@needs_pdftotext
def test_an_account_opening_approval_names_the_unit(people, tmp_path):
    handler = make_user(Role.UNIT_HANDLER)
    unit = make_unit(handler, annual_tax={"2023": "300000", "2024": "300000", "2025": "300000"})
    case = case_open(actor=handler, kind="unit_opening", unit=unit)
    attach_all(case, by=handler)
    case = case_start_review(case=case_submit(case=case, actor=handler), actor=people.clerk)
    accept_all(case, people.clerk)
    case = case_approve(case=case, actor=people.clerk)
    text = download(handler, case, "decision", tmp_path)
    assert "准予办理决定书" in text
    assert "单位办理北京市工作居住证开户" in text
    assert unit.credit_code in text
    assert "公民身份号码" not in text


def test_a_withdrawn_case_has_no_decision(people):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    Case.objects.filter(pk=case.pk).update(state=CaseState.WITHDRAWN)
    assert signed_in(people.handler).get(url(case, "decision")).status_code == 404


# --- who may download, and how it is served -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["applicant", "handler"])
def test_the_filers_download_the_draft_as_an_attachment(people, persona):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    response = signed_in(getattr(people, persona)).get(url(case, "integrity-personal"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{case.public_id}-integrity-personal-draft.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store, private"
    assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize("persona", ["clerk", "approver"])
def test_the_staff_see_the_declarations_only_once_submitted(people, persona):
    """Issue 12 §7: the window sees a case's declarations once submitted (frozen), not the drafts."""
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    assert signed_in(getattr(people, persona)).get(url(case, "integrity-personal")).status_code == 404
    case_withdraw(case=case, actor=people.handler)  # one open initial case per applicant (issue 11 §9)
    case = submitted_initial(people)
    response = signed_in(getattr(people, persona)).get(url(case, "integrity-personal"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")


def test_inline_is_only_on_request(people):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    response = signed_in(people.handler).get(url(case, "integrity-personal") + "?inline=1")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Cache-Control"] == "no-store, private"


@pytest.mark.parametrize("persona", ["other_handler", "other_applicant", "admin"])
def test_those_who_may_not_see_the_case_get_404(people, persona):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    for kind in ("integrity-personal", "decision", "correction-notice"):
        assert signed_in(getattr(people, persona)).get(url(case, kind)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(people):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    response = Client().get(url(case, "integrity-personal"))
    assert response.status_code != 200
    assert response.status_code in (302, 404)
    assert b"%PDF" not in response.content


def test_an_unknown_case_or_kind_is_404(people):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    client = signed_in(people.clerk)
    assert client.get("/cases/C0000NOSUCHID/documents/integrity-personal.pdf").status_code == 404
    assert client.get(url(case, "passport")).status_code == 404
    assert client.get(url(case, "integrity-unit")).status_code == 404


def test_documents_are_only_read(people):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    assert signed_in(people.handler).post(url(case, "integrity-personal")).status_code == 405
