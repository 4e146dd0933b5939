"""The clerk's diff on resubmission, the real upload path, the sweep and late releases (the demo data set: tests/demo/test_scale.py)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pikepdf
import pytest

from tests.cases.conftest import attach, attach_all, free_slot
from tests.factories import make_association, make_permit, make_user
from wrp.accounts.models import ApplicantProfile, Role
from wrp.audit.services import audit_verify
from wrp.cases.materials import material_upload
from wrp.cases.models import Case, MaterialStatus
from wrp.cases.selectors import case_changes, material_file_for
from wrp.cases.services import case_open, case_resubmit, case_return_for_correction, case_start_review, case_submit
from wrp.cases.sweep import sweep
from wrp.core.errors import FileRefused, Invalid, InvalidState, NotFound
from wrp.employment.selectors import late_releases_for
from wrp.employment.services import association_release
from wrp.permits.models import PermitStatus

pytestmark = pytest.mark.django_db


def pdf_bytes(pages: int = 1) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def test_the_clerk_sees_what_a_resubmission_changed(people):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    attach_all(case, by=people.handler)
    case = case_start_review(case=case_submit(case=case, actor=people.handler, slot=free_slot()), actor=people.clerk)
    case = case_return_for_correction(case=case, actor=people.clerk,
                                      problems=[{"material": "labour_contract", "text": "合同已过期"}])
    profile = ApplicantProfile.objects.get(user=people.applicant)
    profile.facts = {**profile.facts, "contract_end": "2030-06-30"}
    profile.save()
    attach(case, "labour_contract", by=people.handler)
    case = case_resubmit(case=case, actor=people.handler)
    changes = case_changes(case)
    assert changes["version"] == 2
    assert changes["facts"] == {"applicant.contract_end": ["2029-01-09", "2030-06-30"]}
    assert changes["materials"] == {"labour_contract": "replaced"}


def test_a_material_is_uploaded_as_a_sanitised_pdf_and_read_back_by_those_who_see_the_case(people, private_media):
    case = case_open(actor=people.applicant, kind="initial", unit=people.unit)
    material = material_upload(case=case, code="hukou_book", actor=people.applicant, data=pdf_bytes(2),
                               original_name="户口本.pdf")
    assert (material.status, material.file.pages) == (MaterialStatus.UPLOADED, 2)
    assert material_file_for(people.handler, case.public_id, "hukou_book") == material.file
    with pytest.raises(NotFound):
        material_file_for(people.other_handler, case.public_id, "hukou_book")
    with pytest.raises(NotFound):
        material_file_for(people.other_applicant, case.public_id, "hukou_book")


def test_a_renamed_png_is_refused_and_nothing_is_recorded(people, private_media):
    case = case_open(actor=people.applicant, kind="initial", unit=people.unit)
    with pytest.raises(FileRefused) as refused:
        material_upload(case=case, code="hukou_book", actor=people.applicant, data=b"\x89PNG\r\n\x1a\n" + b"0" * 100,
                        original_name="hukou.pdf")
    assert refused.value.reason == "not_pdf"
    assert not case.materials.exists()
    assert not any(private_media.rglob("*.pdf"))


def test_a_code_not_on_the_checklist_and_a_submitted_case_refuse_uploads(people, private_media):
    case = case_open(actor=people.applicant, kind="initial", unit=people.unit)
    with pytest.raises(Invalid) as refused:
        material_upload(case=case, code="business_license", actor=people.applicant, data=pdf_bytes())
    assert list(refused.value.fields) == ["code"]
    attach_all(case, by=people.handler)
    case = case_submit(case=case, actor=people.handler, slot=free_slot())
    with pytest.raises(InvalidState):
        material_upload(case=case, code="hukou_book", actor=people.handler, data=pdf_bytes())


def test_the_sweep_expires_permits_marks_overdue_cases_and_can_run_twice(people, today):
    expired = make_permit(people.other_applicant, people.unit, issued_on=date(2023, 11, 1))  # until 2026-11-01
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    attach_all(case, by=people.handler)
    case_submit(case=case, actor=people.handler, slot=free_slot())
    later = date(2027, 2, 1)
    first = sweep(today=later)
    assert (first.permits_expired, first.cases_marked_overdue) == (1, 1)
    second = sweep(today=later)
    assert (second.permits_expired, second.cases_marked_overdue) == (0, 0)
    expired.refresh_from_db()
    assert expired.status == PermitStatus.EXPIRED
    assert Case.objects.get(pk=case.pk).overdue
    assert audit_verify().ok


def test_a_release_more_than_60_days_after_leaving_is_shown_to_the_bureau_as_late(people, today):
    make_permit(people.applicant, people.unit, issued_on=date(2025, 1, 1))
    association = people.applicant.associations.get(unit=people.unit)
    association_release(association=association, actor=people.handler, left_on=today - timedelta(days=61),
                        today=today)
    assert list(late_releases_for(people.approver)) == [association]
    assert list(late_releases_for(people.handler)) == []
    assert people.applicant.permits.get().status == PermitStatus.SUSPENDED


def test_a_handler_of_another_unit_cannot_release_an_employee(people):
    association = make_association(people.other_applicant, people.unit)
    other = make_user(Role.UNIT_HANDLER)
    with pytest.raises(NotFound):
        association_release(association=association, actor=other, left_on=date(2026, 11, 1))
    association.refresh_from_db()
    assert association.state == "active"
