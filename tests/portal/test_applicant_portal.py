"""The applicant portal (/me/…): each page for the applicant alone, the profile, association, new cases, uploads,
submission to the unit, the permit — and screenshots in Chromium (marked `browser`).

Today is frozen at Thursday 2026-11-26, 10:00 in Beijing. People are the personas of tests/factories.py; the
applicant has a complete profile and an active association with `people.unit`.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from playwright.sync_api import expect

from tests.cases.conftest import PROFILE, attach_all
from tests.clock import NOW, SHANGHAI
from tests.factories import make_association, make_permit, make_personas
from wrp.accounts.models import ApplicantProfile, Role
from wrp.cases.materials import case_checklist
from wrp.cases.models import Case, CaseMaterial, CaseState, MaterialStatus
from wrp.cases.services import case_open, case_withdraw
from wrp.demo import resident_id
from wrp.documents.models import StoredFile
from wrp.units.models import Association, AssociationState

PAGES = (
    "portal:applicant_home",
    "portal:applicant_profile",
    "portal:applicant_association",
    "portal:applicant_cases",
    "portal:applicant_case_new",
    "portal:applicant_permit",
)
OTHER_ROLES = ("handler", "clerk", "approver", "admin")

# The profile as the form posts it (PROFILE of tests/cases, rented this time, with a child).
ANSWERS: dict[str, str] = {
    "applicant__nationality": "CN",
    "applicant__hukou": "non_beijing",
    "applicant__dispatched": "no",
    "applicant__employment_start": "2023-01-10",
    "applicant__contract_end": "2029-01-09",
    "applicant__housing__kind": "rented_residential",
    "applicant__housing__lease_end": "2028-06-30",
    "applicant__children__0__case": "in_policy",
    "applicant__accompanying_spouse": "no",
    "applicant__talent_condition": "1",
    "applicant__degree": "master",
    "applicant__work_experience_years": "4",
    "applicant__professional_title": "none",
    "applicant__award__level": "none",
    "applicant__taxable_income_12m": "360,000",
    "applicant__income_paid_by_unit": "yes",
    "applicant__social_insurance_months_by_unit": "12",
    "applicant__social_insurance_unit_matches": "yes",
}


@pytest.fixture
def people(people):
    """The shared personas (tests/conftest.py), each applicant with a profile and a unit."""
    personas = people
    personas.applicant.real_name = "张伟"
    personas.applicant.save(update_fields=["real_name"])
    ApplicantProfile.objects.create(user=personas.applicant, facts=dict(PROFILE))
    ApplicantProfile.objects.create(user=personas.other_applicant, facts=dict(PROFILE))
    make_association(personas.applicant, personas.unit)
    make_association(personas.other_applicant, personas.other_unit)
    return personas


@pytest.fixture
def applicant(client, people):
    client.force_login(people.applicant)
    return client


def draft(people: Any, user: Any = None) -> Case:
    user = user or people.applicant
    unit = people.unit if user == people.applicant else people.other_unit
    return case_open(actor=user, kind="initial", unit=unit)


def drafts_in_turn(people: Any, count: int) -> None:
    """`count` initial cases of the applicant, each opened once the one before is withdrawn (an applicant holds one
    open initial case at a time, issue 11 §9): the list shows them all, the last one a draft."""
    for _ in range(count):
        for case in Case.objects.filter(applicant=people.applicant, kind="initial", state=CaseState.DRAFT):
            case_withdraw(case=case, actor=people.applicant)
        draft(people)


def pdf_bytes(pages: int = 2) -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 64


def urls_in(html: str) -> list[str]:
    return re.findall(r'(?:href|action|hx-post|hx-get|src)="([^"]*)"', html)


def field_block(html: str, name: str) -> str:
    """The HTML of one form field (`id="field-<name>"` up to the next field)."""
    start = html.index(f'id="field-{name}"')
    following = html.find('id="field-', start + 10)
    return html[start : following if following != -1 else len(html)]


# --- who may open the pages -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_each_page_renders_for_the_applicant(applicant, name):
    response = applicant.get(reverse(name))
    assert response.status_code == 200
    assert b"<h1>" in response.content


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("persona", OTHER_ROLES)
def test_each_page_is_refused_to_other_roles(client, people, name, persona):
    client.force_login(getattr(people, persona))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_sign_in(client, people, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse(name)}"


def test_the_applicants_landing_is_the_home_page(applicant):
    assert applicant.get(reverse("accounts:landing"))["Location"] == reverse("portal:applicant_home")


def test_navigation_leads_to_the_applicant_pages(applicant):
    html = applicant.get(reverse("portal:applicant_home")).content.decode()
    for name in ("portal:applicant_profile", "portal:applicant_cases", "portal:applicant_permit"):
        assert f'href="{reverse(name)}"' in html


# --- home ---------------------------------------------------------------------------------------------------------------


def test_home_shows_association_cases_with_state_and_the_permit(applicant, people):
    case = draft(people)
    make_permit(people.applicant, people.unit, number="WRP2026TEST0001", issued_on=date(2024, 1, 1))
    html = applicant.get(reverse("portal:applicant_home")).content.decode()
    assert people.unit.name in html
    assert "已关联" in html
    assert case.public_id in html
    assert "草稿" in html
    assert "WRP2026TEST0001" in html
    assert "2027年1月1日" in html
    assert "上传材料后提交给单位" in html  # the next step for a draft


def test_home_without_association_says_to_ask_a_unit(client, people):
    Association.objects.filter(applicant=people.applicant).delete()
    client.force_login(people.applicant)
    html = client.get(reverse("portal:applicant_home")).content.decode()
    assert "用单位关联码向聘用单位提出关联申请" in html


# --- profile ------------------------------------------------------------------------------------------------------------


def test_profile_shows_the_stored_answers(applicant):
    html = applicant.get(reverse("portal:applicant_profile")).content.decode()
    assert 'value="400,000"' in html  # taxable_income_12m, with thousands separators
    assert '<option value="owned" selected>' in html
    assert 'value="2029-01-09"' in html


def test_profile_save_round_trip(applicant, people):
    response = applicant.post(reverse("portal:applicant_profile"), {**ANSWERS, "save": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:applicant_profile")  # nothing personal in the address
    facts = ApplicantProfile.objects.get(user=people.applicant).facts
    assert facts["housing"] == {"kind": "rented_residential", "lease_end": "2028-06-30"}
    assert facts["taxable_income_12m"] == "360000"
    assert facts["children"] == [{"case": "in_policy"}]
    assert facts["professional_title"] is None
    assert facts["award"] is None
    assert facts["dispatched"] is False
    assert facts["talent_condition"] == 1
    html = applicant.get(reverse("portal:applicant_profile")).content.decode()
    assert "资料已保存" in html
    assert 'value="360,000"' in html
    assert 'value="2028-06-30"' in html


def test_open_ended_contract_is_saved_as_no_end_date(applicant, people):
    answers = {**ANSWERS, "applicant__contract_end__open": "on", "save": "1"}
    del answers["applicant__contract_end"]
    applicant.post(reverse("portal:applicant_profile"), answers)
    assert ApplicantProfile.objects.get(user=people.applicant).facts["contract_end"] is None
    html = applicant.get(reverse("portal:applicant_profile")).content.decode()
    assert re.search(r'<input type="checkbox" name="applicant__contract_end__open"[^>]* checked>', html)
    assert 'id="field-applicant__contract_end"' not in html  # no end date asked


def test_a_bad_date_is_shown_next_to_its_field_and_the_answers_are_kept(applicant, people):
    answers = {**ANSWERS, "applicant__employment_start": "2023-02-30", "save": "1"}
    response = applicant.post(reverse("portal:applicant_profile"), answers)
    assert response.status_code == 200
    html = response.content.decode()
    assert "请按 年-月-日 填写一个存在的日期" in field_block(html, "applicant__employment_start")
    assert 'href="#id_applicant__employment_start"' in html  # the error summary links to the field
    assert 'value="2023-02-30"' in html
    assert 'value="360,000"' in html
    assert 'value="2028-06-30"' in html
    assert ApplicantProfile.objects.get(user=people.applicant).facts == PROFILE


def test_a_value_the_policy_refuses_is_shown_next_to_its_field(applicant, people):
    answers = {**ANSWERS, "applicant__work_experience_years": "95", "save": "1"}
    html = applicant.post(reverse("portal:applicant_profile"), answers).content.decode()
    block = field_block(html, "applicant__work_experience_years")
    assert 'class="error"' in block
    assert "/" not in block.split('class="error"')[1][:80]
    assert 'value="95"' in html
    assert ApplicantProfile.objects.get(user=people.applicant).facts == PROFILE


def test_a_live_update_asks_the_lease_end_without_saving(applicant, people):
    answers = {**ANSWERS, "applicant__housing__kind": "owned"}
    del answers["applicant__housing__lease_end"]
    response = applicant.post(reverse("portal:applicant_profile"), answers, headers={"HX-Request": "true"})
    assert 'id="field-applicant__housing__lease_end"' not in response.content.decode()
    answers["applicant__housing__kind"] = "rented_rural"
    response = applicant.post(reverse("portal:applicant_profile"), answers, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="field-applicant__housing__lease_end"' in html
    assert "<html" not in html
    assert ApplicantProfile.objects.get(user=people.applicant).facts == PROFILE


def test_talent_details_follow_the_condition_claimed(applicant):
    answers = {**ANSWERS, "applicant__talent_condition": "6"}
    html = applicant.post(reverse("portal:applicant_profile"), answers, headers={"HX-Request": "true"}).content.decode()
    assert 'id="field-applicant__ip__invention_patents"' in html
    assert 'id="field-applicant__startup__equity_financing"' not in html


def test_a_new_id_number_is_saved_masked_and_shown_whole_only_to_its_owner(applicant, people):
    number = resident_id(7)
    response = applicant.post(reverse("portal:applicant_profile"), {**ANSWERS, "id_number": number, "save": "1"})
    assert response.status_code == 302
    people.applicant.refresh_from_db()
    assert people.applicant.id_number_masked == number[:6] + "********" + number[-4:]
    html = applicant.get(reverse("portal:applicant_profile")).content.decode()
    assert number[:6] + "********" + number[-4:] in html
    assert number in html.split("<details")[1]  # the whole number, behind 「显示完整号码」
    assert number not in "".join(urls_in(html))


def test_a_bad_id_number_is_shown_next_to_its_field_and_nothing_is_saved(applicant, people):
    bad = resident_id(7)[:-1] + ("0" if resident_id(7)[-1] != "0" else "1")
    html = applicant.post(
        reverse("portal:applicant_profile"), {**ANSWERS, "id_number": bad, "save": "1"}
    ).content.decode()
    assert 'id="id_id_number-error"' in field_block(html, "id_number")
    assert f'value="{bad}"' in html
    people.applicant.refresh_from_db()
    assert people.applicant.id_number_masked == ""
    assert ApplicantProfile.objects.get(user=people.applicant).facts == PROFILE  # both or neither


def test_nothing_personal_in_any_address(applicant, people):
    number = resident_id(8)
    applicant.post(reverse("portal:applicant_profile"), {**ANSWERS, "id_number": number, "save": "1"})
    case = draft(people)
    personal = (number, "张伟", "360000", "360,000", "2023-01-10", "non_beijing", "rented_residential")
    for url in (
        reverse("portal:applicant_home"), reverse("portal:applicant_profile"), reverse("portal:applicant_cases"),
        reverse("portal:applicant_check") + "?service=initial", reverse("portal:case", args=[case.public_id]),
    ):
        html = applicant.get(url).content.decode()
        for address in urls_in(html):
            assert not any(value in address for value in personal), (url, address)
    assert '<form method="get"' not in applicant.get(reverse("portal:applicant_profile")).content.decode()


# --- the self-check prefilled from the profile ------------------------------------------------------------------------


def test_self_check_is_prefilled_from_the_profile_and_the_unit(applicant):
    response = applicant.get(reverse("portal:applicant_check") + "?service=initial")
    assert response.status_code == 200
    html = response.content.decode()
    assert "已按您的资料" in html
    assert 'value="400,000"' in html
    assert '<option value="master" selected>' in html
    assert '<option value="enterprise" selected>' in html  # the associated unit's registry data
    assert 'action="/check/?service=initial#outcome"' in html  # from here on, the public self-check


def test_self_check_without_a_service_starts_with_the_first_application(applicant):
    response = applicant.get(reverse("portal:applicant_check"))
    assert response["Location"] == reverse("portal:applicant_check") + "?service=initial"


# --- association ----------------------------------------------------------------------------------------------------------


def test_association_request_by_code(client, people):
    Association.objects.filter(applicant=people.other_applicant).delete()
    client.force_login(people.other_applicant)
    response = client.post(reverse("portal:applicant_association"),
                           {"association_code": people.unit.association_code.lower()})
    assert response.status_code == 302
    association = Association.objects.get(applicant=people.other_applicant)
    assert association.unit == people.unit
    assert association.state == AssociationState.REQUESTED
    html = client.get(reverse("portal:applicant_association")).content.decode()
    assert people.unit.name in html
    assert "待单位确认" in html


def test_a_bad_association_code_is_shown_next_to_the_field(applicant, people):
    response = applicant.post(reverse("portal:applicant_association"), {"association_code": "NOSUCH99"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_association_code-error"' in html
    assert "单位关联码无效" in html
    assert 'value="NOSUCH99"' in html
    assert Association.objects.filter(applicant=people.applicant).count() == 1


def test_a_second_unit_while_associated_is_refused_in_words(applicant, people):
    html = applicant.post(reverse("portal:applicant_association"),
                          {"association_code": people.other_unit.association_code}).content.decode()
    assert "申请人已与一家单位关联，请先解除" in html


# --- cases --------------------------------------------------------------------------------------------------------------------


def test_cases_list_newest_first_with_state_and_link(applicant, people):
    first = draft(people)
    with time_machine.travel(datetime(2026, 11, 26, 11, 0, tzinfo=SHANGHAI), tick=False):
        second = case_open(actor=people.applicant, kind="renewal", unit=people.unit)
    draft(people, people.other_applicant)
    html = applicant.get(reverse("portal:applicant_cases")).content.decode()
    assert html.index(second.public_id) < html.index(first.public_id)
    assert f'href="{reverse("portal:case", args=[first.public_id])}"' in html
    assert "草稿" in html
    assert "续签" in html
    assert Case.objects.filter(applicant=people.other_applicant).get().public_id not in html


def test_cases_list_is_paginated_by_twenty(applicant, people):
    drafts_in_turn(people, 21)
    html = applicant.get(reverse("portal:applicant_cases")).content.decode()
    assert html.count('class="mono" href="/cases/') == 20
    assert "?page=2" in html
    second = applicant.get(reverse("portal:applicant_cases") + "?page=2").content.decode()
    assert second.count('class="mono" href="/cases/') == 1


def test_cases_list_queries_do_not_grow_with_the_cases(applicant, people, django_assert_max_num_queries):
    draft(people)
    applicant.get(reverse("portal:applicant_cases"))  # warm the reference-data cache
    with CaptureQueriesContext(connection) as one:
        applicant.get(reverse("portal:applicant_cases"))
    drafts_in_turn(people, 14)  # the first withdrawn, 14 more: 14 withdrawn and one draft listed
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = applicant.get(reverse("portal:applicant_cases"))
    assert response.content.decode().count('class="mono" href="/cases/') == 15


def test_new_case_opens_a_draft_with_the_childrens_names(applicant, people):
    page = applicant.get(reverse("portal:applicant_case_new") + "?kind=initial").content.decode()
    assert 'name="child_0_name"' in page
    response = applicant.post(reverse("portal:applicant_case_new"), {
        "kind": "initial", "subtype": "", "child_0_name": "张小明", "child_0_case": "in_policy",
    })
    case = Case.objects.get(applicant=people.applicant)
    assert response["Location"] == reverse("portal:case", args=[case.public_id])
    assert case.state == CaseState.DRAFT
    assert case.unit == people.unit
    assert case.answers == {"children": [{"name": "张小明", "case": "in_policy"}]}


def test_new_case_child_without_a_name_is_shown_next_to_the_field(applicant, people):
    make_permit(people.applicant, people.unit, issued_on=date(2025, 3, 1))  # a children change needs a valid permit
    html = applicant.post(reverse("portal:applicant_case_new"), {
        "kind": "children_change", "subtype": "", "child_0_case": "in_policy",
    }).content.decode()
    assert "请填写该子女的姓名" in field_block(html, "child_0_name")
    assert not Case.objects.filter(applicant=people.applicant).exists()


def test_new_address_change_carries_the_new_housing(applicant, people):
    make_permit(people.applicant, people.unit, issued_on=date(2025, 3, 1))  # an address change needs a valid permit
    applicant.post(reverse("portal:applicant_case_new"), {
        "kind": "info_change", "subtype": "address", "housing_kind": "rented_residential", "lease_end": "2028-01-31",
        "housing_address": "朝阳区将台路5号院15号楼1201室",
    })
    case = Case.objects.get(applicant=people.applicant)
    assert case.subtype == "address"
    assert case.answers == {"housing": {"kind": "rented_residential", "lease_end": "2028-01-31",
                                        "address": "朝阳区将台路5号院15号楼1201室"}}


def test_new_case_needs_an_association(client, people):
    Association.objects.filter(applicant=people.applicant).delete()
    client.force_login(people.applicant)
    html = client.get(reverse("portal:applicant_case_new") + "?kind=initial").content.decode()
    assert "您还没有与单位关联" in html
    client.post(reverse("portal:applicant_case_new"), {"kind": "initial"})
    assert not Case.objects.filter(applicant=people.applicant).exists()


# --- actions on the case page -----------------------------------------------------------------------------------------


def test_upload_a_pdf_to_an_own_draft(applicant, people, private_media):
    case = draft(people)
    code = case_checklist(case)[0]
    url = reverse("portal:applicant_case_upload", args=[case.public_id])
    response = applicant.post(url, {"code": code, "file": SimpleUploadedFile("scan.pdf", pdf_bytes(), "application/pdf")})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:case", args=[case.public_id]) + f"#upload-{code}"
    material = CaseMaterial.objects.get(case=case, code=code)
    assert material.status == MaterialStatus.UPLOADED
    assert material.file.pages == 2
    html = applicant.get(response["Location"]).content.decode()
    upload = html[html.index(f'id="upload-{code}"'):]
    assert "已上传" in upload[:600]
    assert "共 2 页" in upload[:900]
    assert "重新上传" in upload[:2000]


def test_a_png_renamed_pdf_is_refused_in_words_and_nothing_is_stored(applicant, people, private_media):
    case = draft(people)
    code = case_checklist(case)[0]
    stored_before = StoredFile.objects.count()
    response = applicant.post(reverse("portal:applicant_case_upload", args=[case.public_id]),
                              {"code": code, "file": SimpleUploadedFile("photo.pdf", PNG, "application/pdf")})
    assert response.status_code == 302  # back to the case (POST/redirect/GET): reloading never posts it again
    assert response["Location"] == reverse("portal:case", args=[case.public_id]) + f"#upload-{code}"
    html = applicant.get(response["Location"]).content.decode()
    block = html[html.index(f'id="upload-{code}"'):]
    assert "不是PDF文件" in block[:2000]
    assert "未保存此文件" in block[:2000]
    assert StoredFile.objects.count() == stored_before
    assert not CaseMaterial.objects.filter(case=case, code=code, file__isnull=False).exists()


def test_scan_warnings_are_shown_in_words_with_their_pages(applicant, people):
    case = draft(people)
    code = attach_all(case, by=people.applicant)[0]
    StoredFile.objects.filter(pk=CaseMaterial.objects.get(case=case, code=code).file_id).update(
        warnings=[{"code": "blank_page", "pages": [2, 3]}, {"code": "rotated", "pages": [1]}])
    html = applicant.get(reverse("portal:case", args=[case.public_id])).content.decode()
    upload = html[html.index(f'id="upload-{code}"'):][:3000]
    assert "第 2–3 页可能是空白页" in upload
    assert "第 1 页方向不正（横置），请转正后重新上传。" in upload


@pytest.mark.parametrize(
    ("reason", "words"),
    [("too_large", "文件超过20MB"), ("too_many_pages", "超过200页"), ("encrypted", "文件已加密"), ("damaged", "文件已损坏")],
)
def test_every_refusal_has_its_words(applicant, people, monkeypatch, reason, words):
    from wrp.documents import uploads
    from wrp.documents.pdfcheck import refuse

    def refusing(_data: bytes) -> Any:
        raise refuse(reason)

    monkeypatch.setattr(uploads, "sandboxed_check", refusing)  # the sandboxed check every upload goes through
    case = draft(people)
    html = applicant.post(reverse("portal:applicant_case_upload", args=[case.public_id]), {
        "code": case_checklist(case)[0], "file": SimpleUploadedFile("a.pdf", b"%PDF-1.7", "application/pdf"),
    }, follow=True).content.decode()
    assert words in html


def test_submit_to_the_unit(applicant, people):
    case = draft(people)
    page = applicant.get(reverse("portal:case", args=[case.public_id])).content.decode()
    assert "提交后，案件交给北京甲科技有限公司审核" in page  # the consequence, in the page
    response = applicant.post(reverse("portal:applicant_case_submit", args=[case.public_id]), {"confirm": "yes"})
    assert response["Location"] == reverse("portal:case", args=[case.public_id])
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_UNIT
    html = applicant.get(response["Location"]).content.decode()
    assert "待单位审核" in html
    assert "已提交给单位审核" in html


def test_submit_without_confirmation_changes_nothing(applicant, people):
    case = draft(people)
    applicant.post(reverse("portal:applicant_case_submit", args=[case.public_id]))
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT


def test_withdraw_with_confirmation(applicant, people):
    case = draft(people)
    applicant.post(reverse("portal:applicant_case_withdraw", args=[case.public_id]), {"confirm": "yes"})
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN


def test_submitting_twice_is_refused_in_words(applicant, people):
    case = draft(people)
    url = reverse("portal:applicant_case_submit", args=[case.public_id])
    applicant.post(url, {"confirm": "yes"})
    html = applicant.post(url, {"confirm": "yes"}, follow=True).content.decode()
    assert "当前状态不允许此操作" in html


def test_returned_case_offers_only_the_named_materials_again(applicant, people):
    case = draft(people)
    codes = attach_all(case, by=people.applicant)
    CaseMaterial.objects.filter(case=case, code=codes[0]).update(status=MaterialStatus.REJECTED, reason="印章不清晰")
    Case.objects.filter(pk=case.pk).update(state=CaseState.RETURNED)
    html = applicant.get(reverse("portal:case", args=[case.public_id])).content.decode()
    actions = html.split('id="applicant-actions"')[1].split("</section>")[0]
    assert f'id="upload-{codes[0]}"' in actions
    assert "印章不清晰" in actions
    assert f'id="upload-{codes[1]}"' not in actions
    assert "确认提交给单位" not in actions
    assert "确认撤回" in actions


@pytest.mark.parametrize("action", ["applicant_case_upload", "applicant_case_submit", "applicant_case_withdraw"])
def test_another_applicants_case_is_not_found(applicant, people, action):
    theirs = draft(people, people.other_applicant)
    assert applicant.get(reverse("portal:case", args=[theirs.public_id])).status_code == 404
    response = applicant.post(reverse(f"portal:{action}", args=[theirs.public_id]), {"confirm": "yes", "code": "x"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == CaseState.DRAFT


def test_case_actions_are_refused_to_a_unit_handler(client, people):
    case = draft(people)
    client.force_login(people.handler)
    assert client.post(reverse("portal:applicant_case_submit", args=[case.public_id]), {"confirm": "yes"}).status_code == 403


# --- permit -------------------------------------------------------------------------------------------------------------------


def test_permit_page_shows_number_status_validity_unit_and_children(applicant, people):
    make_permit(people.applicant, people.unit, number="WRP2026TEST0002", issued_on=date(2024, 3, 1),
                children=[{"name": "张小明", "case": "in_policy"}])
    html = applicant.get(reverse("portal:applicant_permit")).content.decode()
    assert '<dd class="mono applicant-number">WRP2026TEST0002</dd>' in html
    assert "有效" in html
    assert "2027年3月1日" in html
    assert people.unit.name in html
    assert "张小明" in html
    assert "户籍地计生政策范围内生育" in html


def test_permit_page_offers_renewal_in_the_last_sixty_days(applicant, people):
    make_permit(people.applicant, people.unit, issued_on=date(2024, 1, 1), valid_until=date(2027, 1, 10))
    html = applicant.get(reverse("portal:applicant_permit")).content.decode()
    assert "证件将于 60 日内到期" in html


def test_permit_page_without_a_permit(applicant):
    assert "您还没有工作居住证" in applicant.get(reverse("portal:applicant_permit")).content.decode()


def test_english_pages_have_no_chinese_of_this_portal(applicant, people):
    applicant.cookies["django_language"] = "en"
    case = draft(people)
    for url in (reverse("portal:applicant_home"), reverse("portal:applicant_cases"), reverse("portal:applicant_permit"),
                reverse("portal:applicant_association"), reverse("portal:applicant_case_new")):
        html = applicant.get(url, headers={"Accept-Language": "en"}).content.decode()
        main = html.split('<main id="main" class="content">')[1].split("</main>")[0]
        main = main.replace(people.unit.name, "").replace("张伟", "")
        assert not re.search(r"[\u4e00-\u9fff]", main), (url, re.findall(r".{20}[\u4e00-\u9fff]+.{20}", main)[:3])
    actions = applicant.get(reverse("portal:case", args=[case.public_id])).content.decode()
    block = actions.split('id="applicant-actions"')[1].split("</section>")[0].replace(people.unit.name, "")
    assert not re.search(r"[\u4e00-\u9fff]", block), re.findall(r".{20}[\u4e00-\u9fff]+.{20}", block)[:3]


# --- screenshots ------------------------------------------------------------------------------------------------------------

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots" / "applicant"
CHROMIUM = Path("/usr/bin/chromium")
SIZES = {"wide": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def scene(transactional_db, private_media):
    """An applicant with a profile, a permit with a child, a draft children change with one material uploaded and a
    renewal returned for correction (its clock paused with 2 working days left)."""
    from wrp.accounts.services import user_create
    from wrp.cases.materials import material_upload
    from wrp.cases.services import case_return_for_correction, case_start_review, case_submit

    with time_machine.travel(NOW, tick=False):
        people = make_personas()
        user = user_create(username="zhangwei", role=Role.APPLICANT, password=PASSWORD, real_name="张伟",
                           id_number=resident_id(3))
        ApplicantProfile.objects.create(user=user, facts={**PROFILE, "children": [{"case": "in_policy"}]})
        make_association(user, people.unit)
        make_permit(user, people.unit, number="WRP2025AB12CD34", issued_on=date(2024, 1, 20),
                    children=[{"name": "张小明", "case": "in_policy"}])
        case = case_open(actor=user, kind="children_change", unit=people.unit,
                         answers={"children": [{"name": "张小红", "case": "in_policy"}]})
        material_upload(case=case, code=case_checklist(case)[0], actor=user, data=pdf_bytes(3),
                        original_name="声明.pdf")
        returned = case_open(actor=user, kind="renewal", unit=people.unit)
        for code in case_checklist(returned):
            material_upload(case=returned, code=code, actor=user, data=pdf_bytes(1), original_name=f"{code}.pdf")
        case_submit(case=returned, actor=user)
        Case.objects.filter(pk=returned.pk).update(  # stands for the unit's submission on 2026-11-02
            state=CaseState.SUBMITTED, time_limit=20, accepted_on=date(2026, 11, 2), due_on=date(2026, 11, 30))
        returned.refresh_from_db()
        case_start_review(case=returned, actor=people.clerk)
        case_return_for_correction(case=returned, actor=people.clerk, problems=[
            {"material": case_checklist(returned)[0], "text": "缺少本人手写签字，请签字后重新上传"}])
    return {"user": user, "case": case, "returned": returned}


PASSWORD = "Demo-2026-wrp"


@pytest.mark.browser
@pytest.mark.front_end
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)")
def test_screenshots(live_server, scene):
    """The main pages at 1280×800 and 390×844, in Chinese and English, signed in through the login form."""
    from tests.browsers import chromium

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = {
        "home": reverse("portal:applicant_home"),
        "profile": reverse("portal:applicant_profile"),
        "cases": reverse("portal:applicant_cases"),
        "case": reverse("portal:case", args=[scene["case"].public_id]),
        "case-returned": reverse("portal:case", args=[scene["returned"].public_id]),
        "permit": reverse("portal:applicant_permit"),
        "association": reverse("portal:applicant_association"),
    }
    browser = chromium()
    with time_machine.travel(NOW, tick=True):
        for lang in ("zh", "en"):
            for size, viewport in SIZES.items():
                context = browser.new_context(viewport=viewport, locale="zh-CN" if lang == "zh" else "en-GB")
                page = context.new_page()
                page.goto(f"{live_server.url}/login/")
                if lang == "en":
                    page.get_by_role("button", name="English").click()
                page.fill("#id_username", "zhangwei")
                page.fill("#id_password", PASSWORD)
                page.locator("main button[type=submit]").click()
                page.wait_for_url(f"**{reverse('portal:applicant_home')}")
                for name, url in pages.items():
                    page.goto(live_server.url + url)
                    expect(page.locator("h1")).to_have_count(1)
                    page.screenshot(path=str(SCREENSHOTS / f"{name}-{lang}-{size}.png"), full_page=True)
                context.close()
    assert len(list(SCREENSHOTS.glob("*.png"))) >= len(pages) * 4
