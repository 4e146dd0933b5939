"""The declarations a unit prints carry masked ID numbers; the applicant prints their own whole; the staff's download
of the record is a reveal (issue 11 §2). Through the pages' download routes; the API's are in tests/api."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from tests.cases.conftest import attach_all, free_slot
from tests.documents.printed import MASKED_ID, WHOLE_ID, needs_pdftotext, pdf_text
from wrp.accounts.models import ApplicantProfile
from wrp.accounts.services import user_set_id_number
from wrp.audit.models import AuditEvent
from wrp.cases import records
from wrp.cases.models import Case
from wrp.cases.services import case_open, case_submit
from wrp.documents.models import IssuedDocument
from wrp.policy.identifiers import mask_resident_id

pytestmark = pytest.mark.usefixtures("private_media")

OWNER_ID = "110105196203150018"  # a well-formed number (the case services check it)
OWNER_MASKED = mask_resident_id(OWNER_ID)
PARTICULARS = {"since": "2024-03-01", "address": "北京市朝阳区芍药居北里101号楼3单元502室", "owner_name": "李四",
               "owner_id_number": OWNER_ID, "relationship": "父母"}


@pytest.fixture
def people(people):
    people.applicant.real_name = "张三丰"
    people.applicant.save(update_fields=["real_name"])
    user_set_id_number(user=people.applicant, id_number=WHOLE_ID, actor=None)
    return people


def _draft(people) -> Case:
    return case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant,
                     answers={"housing_loan": PARTICULARS})


def _relatives_home(people) -> None:
    profile = ApplicantProfile.objects.get(user=people.applicant)
    profile.facts["housing"] = {"kind": "relative", "lease_end": None}
    profile.save()


@pytest.fixture
def submitted(people) -> Case:
    _relatives_home(people)
    case = _draft(people)
    attach_all(case, by=people.handler)
    return case_submit(case=case, actor=people.handler, slot=free_slot())


def _get(user, path: str):
    client = Client()
    client.force_login(user)
    return client.get(path)


def _text(user, path: str, tmp_path: Path) -> str:
    response = _get(user, path)
    assert response.status_code == 200, (path, response.status_code)
    return pdf_text(response.content, tmp_path)


def test_submission_freezes_the_record_and_the_units_masked_copy(submitted):
    kinds = set(IssuedDocument.objects.filter(case=submitted).values_list("kind", flat=True))
    assert {"integrity_personal", "integrity_personal_masked", "housing_loan", "housing_loan_masked"} <= kinds


def test_the_unit_handler_lists_only_the_masked_copies_and_the_others_only_the_records(people, submitted):
    handler_kinds = {document.kind for document in records.documents_for_case(people.handler, submitted)}
    assert {"integrity_personal_masked", "housing_loan_masked"} <= handler_kinds
    assert not handler_kinds & {"integrity_personal", "housing_loan"}
    for user in (people.applicant, people.clerk):
        kinds = {document.kind for document in records.documents_for_case(user, submitted)}
        assert {"integrity_personal", "housing_loan"} <= kinds
        assert not kinds & {"integrity_personal_masked", "housing_loan_masked"}


@needs_pdftotext
@pytest.mark.parametrize("kind", ["integrity-personal", "housing-loan"])
def test_the_unit_handler_downloads_the_declaration_with_masked_numbers(people, submitted, kind, tmp_path):
    response = _get(people.handler, f"/cases/{submitted.public_id}/documents/{kind}.pdf")
    assert response.status_code == 200
    assert WHOLE_ID.encode() not in response.content
    assert OWNER_ID.encode() not in response.content
    text = pdf_text(response.content, tmp_path)
    assert MASKED_ID in text
    assert WHOLE_ID not in text
    assert OWNER_ID not in text
    if kind == "housing-loan":
        assert OWNER_MASKED in text


@needs_pdftotext
def test_the_applicant_downloads_their_own_declarations_whole(people, submitted, tmp_path):
    assert WHOLE_ID in _text(people.applicant, f"/cases/{submitted.public_id}/documents/integrity-personal.pdf",
                             tmp_path)
    text = _text(people.applicant, f"/cases/{submitted.public_id}/documents/housing-loan.pdf", tmp_path)
    assert WHOLE_ID in text
    assert OWNER_ID in text


def test_the_unit_handler_cannot_fetch_the_record_by_its_number(people, submitted):
    record = IssuedDocument.objects.get(case=submitted, kind="integrity_personal")
    assert _get(people.handler, f"/documents/{record.pk}.pdf").status_code == 404
    assert _get(people.applicant, f"/documents/{record.pk}.pdf").status_code == 200


def test_another_units_handler_gets_nothing(people, submitted):
    copy = IssuedDocument.objects.get(case=submitted, kind="integrity_personal_masked")
    assert _get(people.other_handler, f"/documents/{copy.pk}.pdf").status_code == 404
    assert _get(people.other_handler,
                f"/cases/{submitted.public_id}/documents/integrity-personal.pdf").status_code == 404


def test_the_staffs_download_of_the_record_is_a_reveal_without_the_number(people, submitted):
    response = _get(people.clerk, f"/cases/{submitted.public_id}/documents/integrity-personal.pdf")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="person.reveal", actor=people.clerk)
    assert WHOLE_ID not in str(event.changes)
    assert MASKED_ID not in str(event.changes)
    assert not AuditEvent.objects.filter(action="person.reveal", actor=people.applicant).exists()


@needs_pdftotext
def test_the_unit_handlers_draft_is_masked_and_the_applicants_whole(people, tmp_path):
    _relatives_home(people)
    case = _draft(people)
    for kind in ("integrity-personal", "housing-loan"):
        response = _get(people.handler, f"/cases/{case.public_id}/documents/{kind}.pdf")
        assert WHOLE_ID.encode() not in response.content
        text = pdf_text(response.content, tmp_path)
        assert MASKED_ID in text
        assert WHOLE_ID not in text
        assert OWNER_ID not in text
    assert WHOLE_ID in _text(people.applicant, f"/cases/{case.public_id}/documents/integrity-personal.pdf", tmp_path)
