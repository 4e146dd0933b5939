"""The unit portal (issue 5 §3, §7): the handler's units, account cases, quota, employees, personal cases from start
to submission with a booked slot, corrections, the case list, the unit's standing documents — through the pages,
with the personas of tests/factories.py; and screenshots in Chromium (marked `browser`)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from playwright.sync_api import expect

from tests.cases.conftest import PROFILE
from tests.clock import NOW, SHANGHAI, TODAY
from tests.factories import make_association, make_ledger, make_permit, make_personas, make_unit, make_user
from tests.portal.list_queries import next_link
from wrp.accounts.models import ApplicantProfile, Role
from wrp.appointments.models import Booking, Slot
from wrp.appointments.services import slots_between
from wrp.cases.materials import case_checklist, material_verdict
from wrp.cases.models import Case, CaseMaterial, CaseState
from wrp.cases.services import case_open, case_return_for_correction, case_start_review
from wrp.permits.models import PermitStatus
from wrp.quotas.models import QuotaLedger, QuotaRequest
from wrp.units.models import AccountStatus, Association, AssociationState, Unit, UnitDocument

TAXES = {"2023": "300000", "2024": "300000", "2025": "300000"}
PAGES = ("unit_home", "unit_cases", "unit_employees", "unit_quota", "unit_documents", "unit_register")


# --- fixtures and helpers ----------------------------------------------------------------------------------------------


@pytest.fixture
def people(people, private_media):
    """The shared personas (tests/conftest.py): profiles, the applicant associated, quota, the units' taxes."""
    personas = people
    personas.applicant.real_name = "张伟"
    personas.applicant.save(update_fields=["real_name"])
    for person in (personas.applicant, personas.other_applicant):
        ApplicantProfile.objects.create(user=person, facts=dict(PROFILE))
    make_association(personas.applicant, personas.unit)
    make_ledger(personas.unit, TODAY.year, granted=3)
    Unit.objects.filter(pk__in=[personas.unit.pk, personas.other_unit.pk]).update(annual_tax=TAXES)
    return personas


@pytest.fixture
def handler(people) -> Client:
    client = Client()
    client.force_login(people.handler)
    return client


def pdf_bytes(pages: int = 1) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def upload(client: Client, case: Case, code: str, data: bytes | None = None, name: str = "scan.pdf") -> Any:
    url = reverse("portal:unit_material_upload", args=[case.public_id, code])
    return client.post(url, {"file": SimpleUploadedFile(name, data or pdf_bytes(), "application/pdf")})


def text(response: Any) -> str:
    """The page's main content as text, without tags."""
    html = response.content.decode()
    main = html.split('<main id="main" class="content">')[-1].split("</main>")[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def block(response: Any, element_id: str) -> str:
    """The HTML from the element with that id to the end of its first closing tag of the same name's section."""
    html = response.content.decode()
    start = html.index(f'id="{element_id}"')
    return html[start:start + 2000]


def initial_case(people: Any) -> Case:
    return case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)


def free_slot(client: Client, case: Case) -> str:
    html = client.get(reverse("portal:unit_case_submit", args=[case.public_id])).content.decode()
    return re.findall(r'name="slot" value="([^"]+)"(?! disabled)>', html)[0]


def upload_all(client: Client, case: Case) -> list[str]:
    codes = case_checklist(case)
    for code in codes:
        assert upload(client, case, code).status_code == 302
    return codes


# --- access ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_each_page_answers_the_handler(handler, name):
    response = handler.get(reverse(f"portal:{name}"))
    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("persona", ["applicant", "clerk", "approver", "admin"])
def test_each_page_refuses_other_roles(people, client, name, persona):
    client.force_login(getattr(people, persona))
    assert client.get(reverse(f"portal:{name}")).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_each_page_sends_the_anonymous_to_sign_in(db, client, name):
    response = client.get(reverse(f"portal:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_home_page_shows_units_quota_code_and_what_waits(handler, people):
    make_association(people.other_applicant, people.unit, state=AssociationState.REQUESTED)
    page = text(handler.get(reverse("portal:unit_home")))
    assert people.unit.name in page
    assert people.unit.association_code in page
    assert "已开户（朝阳区）" in page
    assert "下发 3 · 占用中 0 · 已使用 0 · 剩余 3" in page
    assert "待确认的关联申请" in page
    assert people.other_applicant.real_name in page  # the real name, shown where there is one
    assert people.other_unit.name not in page


# --- registration and the association code -------------------------------------------------------------------------


def register_form(**changes: Any) -> dict[str, Any]:
    form = {
        "credit_code": "91110000600037341L", "name": "北京丙科技有限公司", "kind": "enterprise", "legal_person": "yes",
        "registered_district": "chaoyang", "tax_district": "chaoyang", "tax_paid_since": "2019-05-01",
        "registered_capital": "5,000,000", "annual_tax_2023": "300,000", "annual_tax_2024": "250000",
        "annual_tax_2025": "280000 元", "qualifications": ["high_tech_enterprise"],
    }
    form.update(changes)
    return form


def test_a_handler_registers_a_unit(handler, people):
    response = handler.post(reverse("portal:unit_register"), register_form())
    assert response.status_code == 302
    unit = Unit.objects.get(credit_code="91110000600037341L")
    assert unit.handlers.filter(pk=people.handler.pk).exists()
    assert unit.registered_capital == 5_000_000
    assert unit.annual_tax["2025"] == "280000"
    assert unit.account_status == AccountStatus.NONE
    assert "办理开户" in text(handler.get(reverse("portal:unit_home")))


def test_a_bad_credit_code_is_refused_with_the_reason_next_to_the_field(handler):
    response = handler.post(reverse("portal:unit_register"), register_form(credit_code="91110000600037341X", name=""))
    assert response.status_code == 422
    field = block(response, "field-credit_code")
    assert "统一社会信用代码无效" in field
    assert "校验" in field
    assert 'value="91110000600037341X"' in field  # the answer is kept
    assert 'href="#id_credit_code"' in response.content.decode()  # the summary links to the field
    assert "error" in block(response, "field-name")
    assert not Unit.objects.filter(name="").exists()


def test_regenerating_the_association_code_replaces_it(handler, people):
    old = people.unit.association_code
    response = handler.post(reverse("portal:unit_code_regenerate", args=[people.unit.credit_code]))
    assert response.status_code == 302
    people.unit.refresh_from_db()
    assert people.unit.association_code != old
    assert people.unit.association_code in text(handler.get(reverse("portal:unit_home")))


def test_another_units_code_cannot_be_regenerated(handler, people):
    url = reverse("portal:unit_code_regenerate", args=[people.other_unit.credit_code])
    assert handler.post(url).status_code == 404


# --- account opening -------------------------------------------------------------------------------------------------


def test_account_opening_is_guided_from_the_checks_to_the_submission(handler, people):
    unit = make_unit(people.handler, annual_tax=TAXES, name="北京丁科技有限公司")
    url = reverse("portal:unit_account", args=[unit.credit_code, "unit_opening"])
    guide = handler.get(url)
    assert guide.status_code == 200
    assert "营业执照副本" in text(guide)
    assert "符合" in text(guide)
    response = handler.post(url)
    case = Case.objects.get(unit=unit, kind="unit_opening")
    assert response["Location"] == reverse("portal:case", args=[case.public_id])
    page = handler.get(response["Location"])
    assert "上传单位材料" in text(page)
    assert "确认提交" in text(page)
    upload_all(handler, case)
    submitted = handler.post(reverse("portal:unit_case_submit", args=[case.public_id]))
    assert submitted.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert "已提交" in text(handler.get(reverse("portal:case", args=[case.public_id])))


# --- quota -----------------------------------------------------------------------------------------------------------


def test_a_quota_declaration_is_recorded_and_listed(handler, people):
    url = reverse("portal:unit_quota")
    response = handler.post(url, {"unit": people.unit.credit_code, "year": "2027", "requested": "5",
                                  "reason": "研发中心扩编"})
    assert response.status_code == 302
    request = QuotaRequest.objects.get()
    assert (request.unit, request.year, request.requested, request.state) == (people.unit, 2027, 5, "pending")
    page = text(handler.get(url))
    assert "研发中心扩编" in page
    assert "待审批" in page
    assert "2026 3 0 0 3" in page  # granted / reserved / used / left


def test_a_quota_declaration_needs_a_number_and_a_reason(handler, people):
    response = handler.post(reverse("portal:unit_quota"),
                            {"unit": people.unit.credit_code, "year": "2026", "requested": "0", "reason": ""})
    assert response.status_code == 422
    assert "error" in block(response, "field-requested")
    assert "error" in block(response, "field-reason")
    assert not QuotaRequest.objects.exists()


def test_another_units_quota_cannot_be_declared(handler, people):
    response = handler.post(reverse("portal:unit_quota"), {"unit": people.other_unit.credit_code, "year": "2026",
                                                           "requested": "1", "reason": "x"})
    assert response.status_code == 422  # not one of the choices
    assert not QuotaRequest.objects.exists()


# --- employees -------------------------------------------------------------------------------------------------------


def test_a_handler_accepts_an_association_request(handler, people):
    association = make_association(people.other_applicant, people.unit, state=AssociationState.REQUESTED)
    assert people.other_applicant.real_name in text(handler.get(reverse("portal:unit_employees")))
    response = handler.post(reverse("portal:unit_association_accept", args=[association.pk]))
    assert response.status_code == 302
    association.refresh_from_db()
    assert association.state == AssociationState.ACTIVE


def test_a_handler_refuses_an_association_request(handler, people):
    association = make_association(people.other_applicant, people.unit, state=AssociationState.REQUESTED)
    handler.post(reverse("portal:unit_association_refuse", args=[association.pk]))
    association.refresh_from_db()
    assert association.state == AssociationState.REFUSED


def test_another_units_association_is_not_found(handler, people):
    association = make_association(people.other_applicant, people.other_unit, state=AssociationState.REQUESTED)
    assert handler.post(reverse("portal:unit_association_accept", args=[association.pk])).status_code == 404
    assert handler.get(reverse("portal:unit_association_release", args=[association.pk])).status_code == 404
    assert handler.get(reverse("portal:unit_case_start", args=[association.pk])).status_code == 404
    association.refresh_from_db()
    assert association.state == AssociationState.REQUESTED


def active_association(people: Any) -> Association:
    return Association.objects.get(applicant=people.applicant, unit=people.unit, state=AssociationState.ACTIVE)


def test_a_release_on_the_60th_day_is_confirmed_as_on_time(handler, people):
    url = reverse("portal:unit_association_release", args=[active_association(people).pk])
    response = handler.post(url, {"left_on": (TODAY - timedelta(days=60)).isoformat()})
    page = text(response)
    assert response.status_code == 200
    assert "解除期限" in page
    assert "2026年11月26日" in page
    assert "按时解除" in page
    assert "逾期解除" not in page
    assert "将被挂起" in page
    assert active_association(people)  # nothing released before the confirmation


def test_a_release_61_days_after_leaving_warns_that_it_is_late(handler, people):
    permit = make_permit(people.applicant, people.unit, issued_on=date(2025, 3, 1))
    association = active_association(people)
    url = reverse("portal:unit_association_release", args=[association.pk])
    left_on = (TODAY - timedelta(days=61)).isoformat()
    page = text(handler.post(url, {"left_on": left_on}))
    assert "逾期解除" in page
    assert "已逾期 1 天" in page
    assert "2026年11月25日" in page
    response = handler.post(url, {"left_on": left_on, "confirm": "yes"})
    assert response.status_code == 302
    association.refresh_from_db()
    permit.refresh_from_db()
    assert association.state == AssociationState.RELEASED
    assert association.late
    assert permit.status == PermitStatus.SUSPENDED
    employees = text(handler.get(reverse("portal:unit_employees")))
    assert "逾期解除" in employees
    assert "2026年11月25日" in employees


def test_a_leaving_date_in_the_future_is_refused_next_to_the_field(handler, people):
    url = reverse("portal:unit_association_release", args=[active_association(people).pk])
    response = handler.post(url, {"left_on": "2026-12-01", "confirm": "yes"})
    assert response.status_code == 422
    assert "离职日期不能晚于今天" in block(response, "field-left_on")
    assert active_association(people)


# --- personal cases: start, upload, slot, submit -------------------------------------------------------------------


def test_an_initial_case_goes_from_start_to_submitted_with_a_slot_and_a_quota_unit(handler, people):
    start = reverse("portal:unit_case_start", args=[active_association(people).pk])
    assert "初次申请" in text(handler.get(start))
    assert "随往子女" in text(handler.get(start, {"item": "initial"}))
    response = handler.post(start, {"item": "initial", "child_0_name": "张小明", "child_0_case": "in_policy"})
    case = Case.objects.get(kind="initial", applicant=people.applicant)
    assert response["Location"] == reverse("portal:case", args=[case.public_id])
    assert case.answers == {"children": [{"name": "张小明", "case": "in_policy"}]}
    page = handler.get(response["Location"])
    assert "child_in_policy" in page.content.decode()
    assert "选择办理时段并提交" in text(page)
    codes = upload_all(handler, case)
    assert CaseMaterial.objects.filter(case=case, code__in=codes, file__isnull=False).count() == len(codes)
    calendar = handler.get(reverse("portal:unit_case_submit", args=[case.public_id]))
    calendar_text = text(calendar)
    assert "提交后将占用 1 个 2026 年度指标" in calendar_text
    assert "11月27日 周五" in calendar_text
    assert "已约 0/4" in calendar_text
    slot = free_slot(handler, case)
    response = handler.post(reverse("portal:unit_case_submit", args=[case.public_id]), {"slot": slot})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert Booking.objects.get(case=case).slot.public_id == slot
    assert QuotaLedger.objects.get(unit=people.unit, year=2026).reserved == 1
    assert "已提交" in text(handler.get(reverse("portal:case", args=[case.public_id])))


def test_the_slot_calendar_loads_into_the_case_page_with_htmx(handler, people):
    case = initial_case(people)
    response = handler.get(reverse("portal:unit_case_submit", args=[case.public_id]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="unit-submit"' in html
    assert 'type="radio" name="slot"' in html


def test_a_submission_without_a_slot_is_refused_next_to_the_calendar(handler, people):
    case = initial_case(people)
    upload_all(handler, case)
    response = handler.post(reverse("portal:unit_case_submit", args=[case.public_id]), {})
    assert response.status_code == 422
    assert "请预约办理时段" in block(response, "field-slot")
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT


def test_an_ineligible_submission_shows_the_failing_rules(handler, people):
    QuotaLedger.objects.filter(unit=people.unit).update(granted=0)
    case = initial_case(people)
    upload_all(handler, case)
    response = handler.post(reverse("portal:unit_case_submit", args=[case.public_id]),
                            {"slot": free_slot(handler, case)})
    assert response.status_code == 422
    page = text(response)
    assert "不符合受理条件" in page
    assert "U-QUOTA" in page
    assert "不符合" in page
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT


def test_scan_warnings_are_shown_next_to_the_material(handler, people):
    case = initial_case(people)
    code = case_checklist(case)[0]
    upload(handler, case, code, data=pdf_bytes(2))  # blank pages
    row = block(handler.get(reverse("portal:case", args=[case.public_id])), f"upload-{code}")
    assert "扫描提示：第 1–2 页可能是空白页" in row


def test_a_refused_file_is_explained_next_to_its_material(handler, people):
    case = initial_case(people)
    code = case_checklist(case)[0]
    response = upload(handler, case, code, data=b"not a pdf at all", name="scan.pdf")
    assert response.status_code == 302  # back to the case (POST/redirect/GET): reloading never posts it again
    assert response["Location"] == reverse("portal:case", args=[case.public_id]) + f"#upload-{code}"
    assert "文件不是 PDF 格式" in block(handler.get(response["Location"]), f"upload-{code}")


def test_an_info_change_of_address_carries_the_new_housing(handler, people):
    make_permit(people.applicant, people.unit, issued_on=date(2025, 3, 1))
    start = reverse("portal:unit_case_start", args=[active_association(people).pk])
    refused = handler.post(start, {"item": "info_change:address", "housing_kind": "rented_residential"})
    assert refused.status_code == 422
    assert "租赁合同到期日" in block(refused, "field-lease_end")
    handler.post(start, {"item": "info_change:address", "housing_kind": "rented_residential",
                         "lease_end": "2028-06-30", "housing_address": "朝阳区将台路5号院15号楼1201室"})
    case = Case.objects.get(kind="info_change")
    assert case.subtype == "address"
    assert case.answers == {"housing": {"kind": "rented_residential", "lease_end": "2028-06-30",
                                        "address": "朝阳区将台路5号院15号楼1201室"}}
    assert "housing_rented_residential" in case_checklist(case)


def test_answers_are_corrected_on_their_page(handler, people):
    make_permit(people.applicant, people.unit, issued_on=date(2025, 3, 1))
    case = case_open(actor=people.handler, kind="children_change", unit=people.unit, applicant=people.applicant,
                     answers={"children": [{"name": "张小明", "case": "in_policy"}]})
    url = reverse("portal:unit_case_answers", args=[case.public_id])
    assert 'value="张小明"' in handler.get(url).content.decode()
    handler.post(url, {"child_0_name": "张小明", "child_0_case": "out_of_wedlock"})
    case.refresh_from_db()
    assert case.answers["children"] == [{"name": "张小明", "case": "out_of_wedlock"}]


def test_a_returned_case_is_corrected_and_resubmitted(handler, people):
    case = initial_case(people)
    codes = upload_all(handler, case)
    handler.post(reverse("portal:unit_case_submit", args=[case.public_id]), {"slot": free_slot(handler, case)})
    case_start_review(case=case, actor=people.clerk)
    material_verdict(case=case, code=codes[0], actor=people.clerk, accepted=False, reason="扫描件不清晰")
    case_return_for_correction(case=case, actor=people.clerk, problems=[])
    page = text(handler.get(reverse("portal:case", args=[case.public_id])))
    assert "退回补正" in page
    assert "扫描件不清晰" in page
    assert "确认重新提交" in page
    refused = handler.post(reverse("portal:unit_case_resubmit", args=[case.public_id]))
    assert refused.status_code == 422
    assert "尚未上传" in text(refused)
    upload(handler, case, codes[0])
    assert handler.post(reverse("portal:unit_case_resubmit", args=[case.public_id])).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW
    assert case.version == 2


def test_withdrawing_releases_the_quota_unit(handler, people):
    case = initial_case(people)
    upload_all(handler, case)
    handler.post(reverse("portal:unit_case_submit", args=[case.public_id]), {"slot": free_slot(handler, case)})
    assert QuotaLedger.objects.get(unit=people.unit, year=2026).reserved == 1
    handler.post(reverse("portal:unit_case_withdraw", args=[case.public_id]))
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN
    assert QuotaLedger.objects.get(unit=people.unit, year=2026).reserved == 0


def test_another_units_case_is_not_found(handler, people):
    make_association(people.other_applicant, people.other_unit)
    case = case_open(actor=people.other_handler, kind="initial", unit=people.other_unit,
                     applicant=people.other_applicant)
    code = case_checklist(case)[0]
    assert handler.get(reverse("portal:case", args=[case.public_id])).status_code == 404
    assert upload(handler, case, code).status_code == 404
    for name in ("unit_case_submit", "unit_case_withdraw", "unit_case_resubmit"):
        assert handler.post(reverse(f"portal:{name}", args=[case.public_id])).status_code == 404
    assert handler.get(reverse("portal:unit_case_answers", args=[case.public_id])).status_code == 404
    assert handler.post(reverse("portal:unit_material_reuse", args=[case.public_id, code])).status_code == 404
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT
    assert not CaseMaterial.objects.filter(case=case, file__isnull=False).exists()


def test_the_case_actions_refuse_other_roles(people, client):
    case = initial_case(people)
    client.force_login(people.applicant)
    assert client.post(reverse("portal:unit_case_submit", args=[case.public_id])).status_code == 403


# --- the list of cases -----------------------------------------------------------------------------------------------


def test_the_case_list_filters_by_state_kind_and_unit(handler, people):
    second = make_unit(people.handler, annual_tax=TAXES, name="北京戊科技有限公司")
    withdrawn = initial_case(people)
    handler.post(reverse("portal:unit_case_withdraw", args=[withdrawn.public_id]))
    draft = initial_case(people)  # once the first is withdrawn: one open initial case per applicant (issue 11 §9)
    opening = case_open(actor=people.handler, kind="unit_opening", unit=second)
    url = reverse("portal:unit_cases")
    every = text(handler.get(url))
    assert all(case.public_id in every for case in (draft, opening, withdrawn))
    by_state = text(handler.get(url, {"state": "withdrawn"}))
    assert withdrawn.public_id in by_state
    assert draft.public_id not in by_state
    by_kind = text(handler.get(url, {"kind": "unit_opening"}))
    assert opening.public_id in by_kind
    assert draft.public_id not in by_kind
    by_unit = text(handler.get(url, {"unit": people.unit.credit_code}))
    assert draft.public_id in by_unit
    assert opening.public_id not in by_unit
    assert "没有符合筛选条件的案件" in text(handler.get(url, {"state": "approved"}))


def test_the_case_list_is_paginated_and_sorted_by_date(handler, people):
    cases = []
    for day in range(22):
        with time_machine.travel(datetime(2026, 10, 1 + day, 10, 0, tzinfo=SHANGHAI), tick=False):
            cases.append(case_open(actor=people.handler, kind="unit_opening", unit=people.unit))
    url = reverse("portal:unit_cases")
    first = handler.get(url).content.decode()
    assert first.index(cases[-1].public_id) < first.index(cases[-2].public_id)
    assert cases[0].public_id not in first
    assert "下一页" in text(handler.get(url))  # keyset pages (issue 14): ?after=<cursor>
    oldest = handler.get(url, {"sort": "created"}).content.decode()
    assert oldest.index(cases[0].public_id) < oldest.index(cases[1].public_id)
    assert cases[-1].public_id in handler.get(url + str(next_link(oldest))).content.decode()


def test_the_case_list_does_not_query_per_case(handler, people, django_assert_max_num_queries):
    url = reverse("portal:unit_cases")
    initial_case(people)
    handler.get(url)  # warm the per-process caches (calendar, wages)
    with CaptureQueriesContext(connection) as one:
        assert handler.get(url).status_code == 200
    for _ in range(14):  # each for another applicant of the unit: one open initial case per applicant (issue 11 §9)
        applicant = make_user(Role.APPLICANT)
        make_association(applicant, people.unit)
        case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=applicant)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = handler.get(url)
    assert response.content.decode().count('href="/cases/') == 15


# --- standing documents (系统附件管理) -------------------------------------------------------------------------------


def test_unit_documents_are_uploaded_and_reused_on_a_case(handler, people):
    unit = make_unit(people.handler, annual_tax=TAXES, name="北京己科技有限公司")
    url = reverse("portal:unit_document_upload", args=[unit.credit_code, "business_license"])
    response = handler.post(url, {"file": SimpleUploadedFile("执照.pdf", pdf_bytes(2), "application/pdf")})
    assert response.status_code == 302
    document = UnitDocument.objects.get(unit=unit, code="business_license")
    page = text(handler.get(reverse("portal:unit_documents")))
    assert "系统附件管理" in page
    assert "最近更新：2026年11月26日" in page
    assert "2 页" in page
    case = case_open(actor=people.handler, kind="unit_opening", unit=unit)
    offer = handler.get(reverse("portal:case", args=[case.public_id]))
    assert "使用单位当前材料" in block(offer, "upload-business_license")
    assert "使用单位当前材料" not in block(offer, "upload-unit_tax_certificates")
    response = handler.post(reverse("portal:unit_material_reuse", args=[case.public_id, "business_license"]))
    assert response.status_code == 302
    material = CaseMaterial.objects.get(case=case, code="business_license")
    assert material.file.sha256 == document.file.sha256
    assert material.status == "uploaded"
    assert "使用单位当前材料" not in block(handler.get(reverse("portal:case", args=[case.public_id])),
                                          "upload-business_license")


def test_a_refused_unit_document_is_explained_and_not_stored(handler, people):
    url = reverse("portal:unit_document_upload", args=[people.unit.credit_code, "unit_tax_certificates"])
    response = handler.post(url, {"file": SimpleUploadedFile("x.pdf", b"GIF89a", "application/pdf")})
    assert response.status_code == 422
    assert "文件不是 PDF 格式" in block(response, f"doc-{people.unit.credit_code}-unit_tax_certificates")
    assert not UnitDocument.objects.exists()


def test_another_units_documents_are_not_found(handler, people):
    url = reverse("portal:unit_document_upload", args=[people.other_unit.credit_code, "business_license"])
    assert handler.post(url, {"file": SimpleUploadedFile("a.pdf", pdf_bytes(), "application/pdf")}).status_code == 404
    file_url = reverse("portal:unit_document_file", args=[people.other_unit.credit_code, "business_license"])
    assert handler.get(file_url).status_code == 404


def test_documents_older_than_a_transfer_are_marked_for_update(handler, people):
    handler.post(reverse("portal:unit_document_upload", args=[people.unit.credit_code, "business_license"]),
                 {"file": SimpleUploadedFile("a.pdf", pdf_bytes(), "application/pdf")})
    case = case_open(actor=people.handler, kind="unit_transfer", unit=people.unit)
    Case.objects.filter(pk=case.pk).update(state=CaseState.APPROVED,
                                           decided_at=datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI))
    page = text(handler.get(reverse("portal:unit_documents")))
    assert "已于 2026年11月27日 办结跨区信息变更" in page
    assert "待更新" in page


# --- English ---------------------------------------------------------------------------------------------------------


def test_the_pages_are_in_english_when_asked(handler, people):
    handler.cookies["django_language"] = "en"
    case = initial_case(people)
    urls = [reverse(f"portal:{name}") for name in PAGES] + [
        reverse("portal:unit_case_submit", args=[case.public_id]),
        reverse("portal:unit_case_start", args=[active_association(people).pk]),
        reverse("portal:unit_association_release", args=[active_association(people).pk]),
    ]
    for url in urls:
        main = text(handler.get(url))
        for name in (people.unit.name, "张伟"):
            main = main.replace(name, "")
        assert not re.search(r"[\u4e00-\u9fff]", main), (url, re.findall(r".{20}[\u4e00-\u9fff]+.{20}", main)[:3])
    page = handler.get(reverse("portal:case", args=[case.public_id])).content.decode()
    actions = page.split('id="unit-actions-heading"')[1].split("</section>")[0].replace(people.unit.name, "")
    assert not re.search(r"[\u4e00-\u9fff]", actions), re.findall(r".{20}[\u4e00-\u9fff]+.{20}", actions)[:3]


# --- screenshots (Chromium) -------------------------------------------------------------------------------------------

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots" / "unit"
CHROMIUM = Path("/usr/bin/chromium")
SIZES = {"wide": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def screenshot_scene() -> tuple[Any, Case]:
    """A unit with employees in every association state, quota, cases in several states, one draft ready to submit."""
    from wrp.accounts.services import user_create
    from wrp.cases.materials import material_upload
    from wrp.cases.services import case_submit
    from wrp.documents.pdfcheck import inspect_and_sanitise
    from wrp.documents.standing import unit_document_upload
    from wrp.quotas.services import quota_request_create

    people = make_personas()
    people.handler.set_password("Demo-2026-wrp")
    people.handler.real_name = "王经办"
    people.handler.save()
    Unit.objects.filter(pk=people.unit.pk).update(annual_tax=TAXES)
    make_ledger(people.unit, TODAY.year, granted=5, used=1)
    ready = inspect_and_sanitise(pdf_bytes(2))
    names = ["张伟", "李娜", "王强", "赵敏"]
    employees = []
    for index, name in enumerate(names):
        person = user_create(username=f"staff{index}", role=Role.APPLICANT, password="Demo-2026-wrp", real_name=name,
                             id_number="11010519491231002X" if index == 0 else None)
        ApplicantProfile.objects.create(user=person, facts=dict(PROFILE))
        employees.append(person)
    make_association(employees[0], people.unit)
    make_association(employees[1], people.unit)
    make_association(employees[2], people.unit, state=AssociationState.REQUESTED)
    make_association(employees[3], people.unit, state=AssociationState.RELEASED, left_on=date(2026, 8, 1), late=True,
                     released_at=datetime(2026, 10, 20, 10, 0, tzinfo=SHANGHAI))
    quota_request_create(unit=people.unit, actor=people.handler, year=2027, requested=6, reason="新设研发中心，引进硕士以上人才")
    draft = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=employees[0],
                      answers={"children": [{"name": "张小明", "case": "in_policy"}]})
    for code in case_checklist(draft)[:-1]:
        material_upload(case=draft, code=code, actor=people.handler, data=b"", original_name=f"{code}.pdf",
                        sanitised=ready)
    change = case_open(actor=employees[1], kind="employer_change", unit=people.unit)
    case_submit(case=change, actor=employees[1])  # passed on to the unit: awaiting_unit
    make_permit(employees[1], people.other_unit, issued_on=date(2025, 1, 10), status=PermitStatus.SUSPENDED)
    opening_unit = make_unit(people.handler, annual_tax=TAXES, name="北京甲科技有限公司上海分公司")
    opening = case_open(actor=people.handler, kind="unit_opening", unit=opening_unit)
    for code in case_checklist(opening):
        material_upload(case=opening, code=code, actor=people.handler, data=b"", sanitised=ready)
    case_submit(case=opening, actor=people.handler)
    case_start_review(case=opening, actor=people.clerk)
    case_return_for_correction(case=opening, actor=people.clerk, problems=[
        {"material": "unit_tax_certificates", "text": "涉税信息查询告知书未加盖单位公章，请盖章后重新上传"}])
    for code in ("business_license", "unit_tax_certificates"):
        unit_document_upload(unit=people.unit, actor=people.handler, code=code, data=pdf_bytes(2),
                             original_name=f"{code}.pdf")
    slots = slots_between(start=TODAY, end=TODAY + timedelta(days=7))
    Slot.objects.filter(pk__in=[slot.pk for slot in slots[:3]]).update(booked=F("capacity"))
    Slot.objects.filter(pk__in=[slot.pk for slot in slots[3:6]]).update(booked=2)
    return people, draft


@pytest.mark.browser
@pytest.mark.front_end
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)")
def test_screenshots(live_server, transactional_db, private_media):
    """The main pages at 1280×800 and 390×844, in Chinese and English, signed in through the login form."""
    from tests.browsers import chromium

    with time_machine.travel(NOW, tick=True):
        people, draft = screenshot_scene()
        pages = {
            "home": reverse("portal:unit_home"),
            "employees": reverse("portal:unit_employees"),
            "quota": reverse("portal:unit_quota"),
            "cases": reverse("portal:unit_cases"),
            "case": reverse("portal:case", args=[draft.public_id]),
            "submit": reverse("portal:unit_case_submit", args=[draft.public_id]),
            "documents": reverse("portal:unit_documents"),
            "register": reverse("portal:unit_register"),
            "account": reverse("portal:unit_account", args=[people.unit.credit_code, "unit_transfer"]),
        }
        release = reverse("portal:unit_association_release",
                          args=[Association.objects.get(applicant=draft.applicant, state="active").pk])
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser = chromium()
        for lang in ("zh", "en"):
            for size, viewport in SIZES.items():
                context = browser.new_context(viewport=viewport, locale="zh-CN" if lang == "zh" else "en-GB")
                page = context.new_page()
                page.goto(f"{live_server.url}/login/")
                if lang == "en":
                    page.get_by_role("button", name="English").click()
                page.fill("#id_username", people.handler.username)
                page.fill("#id_password", "Demo-2026-wrp")
                page.locator("main button[type=submit]").click()
                page.wait_for_url(f"**{reverse('portal:unit_home')}")
                for name, url in pages.items():
                    page.goto(live_server.url + url)
                    if name == "case":  # the slot calendar comes in with htmx
                        page.wait_for_selector("input[name=slot]")
                    page.screenshot(path=str(SCREENSHOTS / f"{name}-{lang}-{size}.png"), full_page=True)
                    expect(page.locator("h1")).to_have_count(1)
                page.goto(live_server.url + release)
                page.fill("#id_left_on", "2026-09-01")
                page.locator("main button[type=submit]").click()
                page.wait_for_selector(".unit-late")
                page.screenshot(path=str(SCREENSHOTS / f"release-{lang}-{size}.png"), full_page=True)
                context.close()
    assert len(list(SCREENSHOTS.glob("*.png"))) >= len(pages) * 4
