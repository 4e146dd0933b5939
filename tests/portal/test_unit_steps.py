"""The missing steps of issue 13 §5 and §7 through the pages: a penalised unit sees its penalties on its home page; a new
case offers only the items the person can file, the others named with the reason; replacing a material the window
accepted asks for confirmation first; an upload refusal redirects back to the case (POST/redirect/GET) and is shown
once next to its material; the unit sends an employee's case back with a message that the employee reads."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.api.cases.support import upload_all
from tests.cases.conftest import PROFILE
from tests.clock import TODAY
from tests.factories import case_in_state, make_association, make_ledger, make_permit
from tests.portal.test_unit_portal import active_association, block, pdf_bytes, text, upload
from wrp.accounts.models import ApplicantProfile
from wrp.cases.models import Case, CaseMaterial, CaseState, MaterialStatus
from wrp.notifications.models import Notification
from wrp.permits.models import PermitStatus
from wrp.policy.codes import Service
from wrp.policy.labels import label
from wrp.units.services import penalty_impose, penalty_lift

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(people, private_media):
    """The shared personas: 张伟 with a complete profile, associated with `unit`, which has quota this year."""
    people.applicant.real_name = "张伟"
    people.applicant.save(update_fields=["real_name"])
    ApplicantProfile.objects.create(user=people.applicant, facts=dict(PROFILE))
    make_association(people.applicant, people.unit)
    make_ledger(people.unit, TODAY.year, granted=3)
    return people


@pytest.fixture
def handler(people) -> Client:
    client = Client()
    client.force_login(people.handler)
    return client


@pytest.fixture
def applicant(people) -> Client:
    client = Client()
    client.force_login(people.applicant)
    return client


def case_url(case: Case) -> str:
    return reverse("portal:case", args=[case.public_id])


# --- a penalised unit sees the penalty, its reason and date -----------------------------------------------------------


def test_the_unit_home_shows_each_active_penalty_with_its_reason_and_date(handler, people):
    penalty_impose(unit=people.unit, actor=people.approver, kind="quota_frozen", reason="逾期60日以上解除员工关联")
    penalty_impose(unit=people.other_unit, actor=people.approver, kind="blacklisted", reason="提交虚假材料")
    page = text(handler.get(reverse("portal:unit_home")))
    assert "本单位正受到处罚" in page
    assert "冻结指标" in page  # the kind in words, never its code
    assert "quota_frozen" not in page
    assert "理由：逾期60日以上解除员工关联" in page
    assert "2026年11月26日决定" in page
    assert "不能提交初次申请和聘用单位变更" in page  # what it means for the unit
    assert "提交虚假材料" not in page  # another unit's penalty is not this handler's business


def test_a_lifted_penalty_moves_to_the_units_penalty_record(handler, people):
    penalty_impose(unit=people.unit, actor=people.approver, kind="service_terminated", reason="未按期整改")
    penalty_lift(unit=people.unit, actor=people.approver, kind="service_terminated", reason="已整改完毕")
    page = text(handler.get(reverse("portal:unit_home")))
    assert "本单位正受到处罚" not in page
    assert "已解除的处罚 1 项" in page
    assert "终止服务" in page
    assert "2026年11月26日决定，2026年11月26日解除" in page
    assert "解除理由：已整改完毕" in page


def test_an_unpenalised_unit_sees_no_penalty(handler):
    page = text(handler.get(reverse("portal:unit_home")))
    assert "本单位正受到处罚" not in page
    assert "处罚记录" not in page


# --- a new case offers only the items the person can file --------------------------------------------------------------


def offered(html: str) -> str:
    """The chooser's part of the page (before the list of items that cannot be filed)."""
    return html.split('id="unavailable-heading"')[0]


def test_without_a_permit_the_applicant_is_offered_a_first_application_only(applicant):
    html = applicant.get(reverse("portal:applicant_case_new")).content.decode()
    choices = offered(html)
    assert "?kind=initial" in choices
    for kind in ("renewal", "children_change", "info_change", "employer_change"):
        assert f"?kind={kind}" not in choices, kind
    unavailable = html.split('id="unavailable-heading"')[1]
    assert "续签" in unavailable
    assert "申请人未持有工作居住证" in unavailable  # the policy's own reason (P-VALID)
    assert unavailable.count("基础信息变更") == 1  # its three subtypes share the reason: said once


def test_a_holder_of_a_valid_permit_is_offered_the_changes_and_renewal_not_a_first_application(applicant, people):
    make_permit(people.applicant, people.unit, issued_on=date(2025, 3, 1))
    html = applicant.get(reverse("portal:applicant_case_new")).content.decode()
    choices = offered(html)
    for kind in ("renewal", "children_change", "info_change"):
        assert f"?kind={kind}" in choices, kind
    assert "?kind=initial" not in choices
    assert "?kind=employer_change" not in choices  # the permit is already with this unit
    unavailable = html.split('id="unavailable-heading"')[1]
    assert "应办理聘用单位变更" in unavailable  # A-NO-PERMIT
    assert "工作居住证已在本单位，无需办理聘用单位变更" in unavailable


def test_an_item_not_offered_is_refused_when_asked_for_directly(applicant, people):
    response = applicant.get(reverse("portal:applicant_case_new") + "?kind=renewal")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:applicant_case_new")
    response = applicant.post(reverse("portal:applicant_case_new"), {"kind": "renewal"}, follow=True)
    assert "不能办理“续签”：申请人未持有工作居住证" in response.content.decode()
    assert not Case.objects.filter(applicant=people.applicant).exists()


def test_the_unit_starts_only_the_items_the_employee_can_file(handler, people):
    start = reverse("portal:unit_case_start", args=[active_association(people).pk])
    html = handler.get(start).content.decode()
    choices = offered(html)
    assert 'value="initial"' in choices
    assert 'value="renewal"' not in choices
    assert 'value="info_change:address"' not in choices
    assert "申请人未持有工作居住证" in html.split('id="unavailable-heading"')[1]
    refused = handler.post(start, {"item": "children_change", "child_0_name": "张小明", "child_0_case": "in_policy"})
    assert refused.status_code == 302
    assert refused["Location"] == start
    assert not Case.objects.filter(applicant=people.applicant).exists()
    item = label(Service.CHILDREN_CHANGE, "zh")
    assert f"不能办理“{item}”：申请人未持有工作居住证" in handler.get(start).content.decode()


def test_a_new_unit_is_offered_the_employer_change_of_a_suspended_permit(handler, people):
    make_permit(people.applicant, people.other_unit, issued_on=date(2025, 3, 1), status=PermitStatus.SUSPENDED)
    html = handler.get(reverse("portal:unit_case_start", args=[active_association(people).pk])).content.decode()
    choices = offered(html)
    assert 'value="employer_change"' in choices
    assert 'value="initial"' not in choices  # a live permit is moved, not applied for again
    assert 'value="renewal"' not in choices  # suspended: not valid (P-VALID)


# --- replacing a material the window accepted asks for confirmation ---------------------------------------------------


@pytest.fixture
def returned(people) -> Case:
    """The unit's initial case, returned for correction with every material accepted (real stored files)."""
    return case_in_state(people, "returned", materials=upload_all)


def test_an_accepted_material_shows_the_confirmation_with_its_upload(handler, returned):
    code = CaseMaterial.objects.filter(case=returned, status=MaterialStatus.ACCEPTED).first().code
    row = block(handler.get(case_url(returned)), f"upload-{code}")
    assert 'name="confirm_replace"' in row
    assert "该材料已被窗口接受，重新上传将需要窗口重新审核" in row


def test_replacing_an_accepted_material_without_confirming_keeps_it(handler, returned):
    material = CaseMaterial.objects.filter(case=returned, status=MaterialStatus.ACCEPTED).first()
    response = upload(handler, returned, material.code)
    assert response.status_code == 302
    assert response["Location"] == case_url(returned) + f"#upload-{material.code}"
    kept = CaseMaterial.objects.get(pk=material.pk)
    assert (kept.status, kept.file_id) == (MaterialStatus.ACCEPTED, material.file_id)
    assert "如确需更换，请勾选确认后再上传" in block(handler.get(response["Location"]), f"upload-{material.code}")


def test_replacing_an_accepted_material_once_confirmed_sends_it_back_to_review(handler, returned):
    material = CaseMaterial.objects.filter(case=returned, status=MaterialStatus.ACCEPTED).first()
    url = reverse("portal:unit_material_upload", args=[returned.public_id, material.code])
    response = handler.post(url, {"file": SimpleUploadedFile("new.pdf", pdf_bytes(), "application/pdf"),
                                  "confirm_replace": "yes"})
    assert response.status_code == 302
    replaced = CaseMaterial.objects.get(pk=material.pk)
    assert replaced.status == MaterialStatus.UPLOADED
    assert replaced.file_id != material.file_id


def test_the_applicant_is_asked_to_confirm_too(applicant, people):
    case = case_in_state(people, "returned", materials=upload_all)
    material = CaseMaterial.objects.filter(case=case, status=MaterialStatus.ACCEPTED).first()
    response = applicant.post(reverse("portal:applicant_case_upload", args=[case.public_id]), {
        "code": material.code, "file": SimpleUploadedFile("new.pdf", pdf_bytes(), "application/pdf")})
    assert response.status_code == 302
    assert CaseMaterial.objects.get(pk=material.pk).file_id == material.file_id
    assert "需要确认" in block(applicant.get(response["Location"]), f"upload-{material.code}")


# --- an upload refusal redirects back to the case ---------------------------------------------------------------------


def test_a_refused_unit_upload_redirects_and_is_shown_once(handler, people):
    case = case_in_state(people, "draft", materials=lambda case, by: None)
    code = "labour_contract"
    response = upload(handler, case, code, data=b"not a pdf at all", name="scan.pdf")
    assert response.status_code == 302
    assert response["Location"] == case_url(case) + f"#upload-{code}"
    page = handler.get(response["Location"])
    assert "文件不是 PDF 格式" in block(page, f"upload-{code}")
    summary = page.content.decode().split('class="error-summary"')[1][:800]
    assert f'href="#upload-{code}"' in summary
    assert "文件不是 PDF 格式" not in text(handler.get(case_url(case)))  # a reload shows the case, not the refusal
    assert not CaseMaterial.objects.filter(case=case, code=code, file__isnull=False).exists()


def test_a_refused_applicant_upload_redirects_and_is_shown_once(applicant, people):
    case = case_in_state(people, "draft", materials=lambda case, by: None)
    code = "labour_contract"
    response = applicant.post(reverse("portal:applicant_case_upload", args=[case.public_id]), {
        "code": code, "file": SimpleUploadedFile("scan.pdf", b"not a pdf at all", "application/pdf")})
    assert response.status_code == 302
    assert response["Location"] == case_url(case) + f"#upload-{code}"
    assert "未保存此文件" in block(applicant.get(response["Location"]), f"upload-{code}")
    assert "未保存此文件" not in applicant.get(case_url(case)).content.decode()


def test_a_refusal_kept_for_one_case_is_not_shown_on_another(handler, people):
    first = case_in_state(people, "draft", materials=lambda case, by: None)
    other = case_in_state(people, "draft", kind="unit_opening")
    upload(handler, first, "labour_contract", data=b"not a pdf", name="scan.pdf")
    assert "文件不是 PDF 格式" not in text(handler.get(case_url(other)))
    assert "文件不是 PDF 格式" in text(handler.get(case_url(first)))


# --- the unit sends the case back with a message ----------------------------------------------------------------------


@pytest.fixture
def awaiting(people) -> Case:
    return case_in_state(people, "awaiting_unit", by_applicant=True)


def test_the_unit_sends_the_case_back_and_the_employee_reads_why(
    handler, applicant, people, awaiting, django_capture_on_commit_callbacks
):
    page = handler.get(case_url(awaiting)).content.decode()
    assert "退回员工修改" in page
    assert reverse("portal:unit_case_send_back", args=[awaiting.public_id]) in page
    url = reverse("portal:unit_case_send_back", args=[awaiting.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        response = handler.post(url, {"message": "劳动合同缺少签字页，请补充后重新上传。"})
    assert response.status_code == 302
    assert response["Location"] == case_url(awaiting)
    awaiting.refresh_from_db()
    assert awaiting.state == CaseState.DRAFT
    assert "已退回员工修改" in text(handler.get(response["Location"]))
    mine = applicant.get(case_url(awaiting)).content.decode()
    note = mine.split('id="sent-back"')[1][:600]
    assert "单位于 2026年11月26日 退回了案件" in note
    assert "劳动合同缺少签字页，请补充后重新上传。" in note
    assert "单位退回员工修改" in mine  # the timeline names the step
    assert Notification.objects.filter(event="case.sent_back", recipient=people.applicant).count() == 1


def test_a_send_back_without_a_message_comes_back_under_its_field(handler, awaiting):
    response = handler.post(reverse("portal:unit_case_send_back", args=[awaiting.public_id]), {"message": "  "})
    assert response.status_code == 422
    field = block(response, "field-message")
    assert "请写明需要员工修改的内容" in field
    assert 'aria-invalid="true"' in field
    html = response.content.decode()
    assert 'href="#send-back-message"' in html.split('class="error-summary"')[1][:600]
    awaiting.refresh_from_db()
    assert awaiting.state == CaseState.AWAITING_UNIT


def test_the_message_is_gone_once_the_employee_submits_again(applicant, people, awaiting):
    from wrp.cases.services import case_send_back

    case_send_back(case=awaiting, actor=people.handler, message="请补充签字页")
    applicant.post(reverse("portal:applicant_case_submit", args=[awaiting.public_id]), {"confirm": "yes"})
    awaiting.refresh_from_db()
    assert awaiting.state == CaseState.AWAITING_UNIT
    assert 'id="sent-back"' not in applicant.get(case_url(awaiting)).content.decode()


@pytest.mark.parametrize("persona", ["applicant", "other_handler", "clerk"])
def test_only_the_units_handler_may_send_back_through_the_page(people, awaiting, persona):
    client = Client()
    client.force_login(getattr(people, persona))
    response = client.post(reverse("portal:unit_case_send_back", args=[awaiting.public_id]), {"message": "x"})
    assert response.status_code in (403, 404)
    awaiting.refresh_from_db()
    assert awaiting.state == CaseState.AWAITING_UNIT


def test_the_employee_does_not_see_the_send_back_form(applicant, awaiting):
    page = applicant.get(case_url(awaiting)).content.decode()
    assert reverse("portal:unit_case_send_back", args=[awaiting.public_id]) not in page
    assert "退回员工修改" not in page
