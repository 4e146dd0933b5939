"""A material upload checked off the request path: quarantined by the request, checked and attached (or refused) by
the worker's task, the quarantined bytes deleted either way; replaced files deleted unless another row keeps them."""

from __future__ import annotations

import stat

import pytest

from tests.documents import pdfs
from tests.documents.conftest import files_under
from wrp.audit.models import AuditEvent
from wrp.cases.material_checks import material_check, material_upload_start
from wrp.cases.materials import case_material_rows, check_refusal_of, material_upload
from wrp.cases.models import Case, CaseMaterial, CaseState
from wrp.cases.services import case_open
from wrp.core.errors import FileRefused
from wrp.documents.models import StoredFile, UploadCheck, UploadCheckState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _checked_by_the_worker(settings, private_media):
    settings.UPLOAD_CHECK_INLINE = False


@pytest.fixture
def case(people):
    return case_open(actor=people.applicant, kind="initial", unit=people.unit)


def start(case, people, data, code="labour_contract"):
    return material_upload_start(case=case, code=code, actor=people.applicant, data=data,
                                 original_name="110101199003071234.pdf")


def test_the_request_only_quarantines_the_upload_privately_and_leaves_the_material_unchanged(case, people,
                                                                                          private_media):
    upload = pdfs.plain_pdf(2)  # one file: two saves a second apart differ in their /ID (qpdf hashes the time into it)
    check = start(case, people, upload)
    assert check.state == UploadCheckState.CHECKING
    quarantined = private_media / check.quarantine_name
    assert quarantined.read_bytes() == upload
    assert stat.S_IMODE(quarantined.stat().st_mode) == 0o600
    assert stat.S_IMODE(quarantined.parent.stat().st_mode) == 0o700
    assert "110101199003071234" not in check.quarantine_name
    assert not CaseMaterial.objects.filter(case=case, file__isnull=False).exists()
    assert case_material_rows(case, ["labour_contract"])[0]["check"]["state"] == "checking"


def test_the_worker_attaches_an_accepted_upload_and_deletes_the_quarantined_bytes(case, people, private_media):
    check = start(case, people, pdfs.plain_pdf(2))
    assert material_check.call(check.pk) == "accepted"
    check.refresh_from_db()
    material = CaseMaterial.objects.get(case=case, code="labour_contract")
    assert (check.state, check.stored_id, material.file_id, material.file.pages) == ("accepted", material.file_id,
                                                                                    material.file_id, 2)
    assert files_under(private_media / "quarantine") == []
    assert case_material_rows(case, ["labour_contract"])[0]["check"] is None
    assert material_check.call(check.pk) == "skipped"  # enqueued twice: checked once


def test_a_refused_upload_is_recorded_audited_and_deleted_and_its_name_forgotten(case, people, private_media):
    check = start(case, people, pdfs.encrypted_pdf(user_password="secret"))
    assert material_check.call(check.pk) == "refused"
    check.refresh_from_db()
    assert (check.state, check.refusal_reason, check.original_name, check.quarantine_name) == (
        "refused", "encrypted", "", "")
    assert files_under(private_media) == []
    event = AuditEvent.objects.get(action="upload.refused")
    assert event.changes["code"] == "encrypted"
    assert "110101199003071234" not in str(event.changes)
    refusal = check_refusal_of(check)
    assert isinstance(refusal, FileRefused)
    assert "加密" in str(refusal.message)
    row = case_material_rows(case, ["labour_contract"])[0]
    assert row["check"]["state"] == "refused"
    assert "加密" in str(row["check"]["message"])


def test_what_needs_no_parsing_is_refused_in_the_request_and_nothing_is_written(case, people, private_media):
    with pytest.raises(FileRefused) as refused:
        start(case, people, pdfs.png_named_pdf())
    assert refused.value.reason == "not_pdf"
    assert files_under(private_media) == []
    assert not UploadCheck.objects.exists()


def test_an_upload_checked_after_the_case_was_submitted_is_refused_and_not_attached(case, people, private_media):
    check = start(case, people, pdfs.plain_pdf())
    Case.objects.filter(pk=case.pk).update(state=CaseState.SUBMITTED)
    assert material_check.call(check.pk) == "refused"
    check.refresh_from_db()
    assert check.refusal_reason == ""
    assert "不能再修改材料" in str(check_refusal_of(check).message)
    assert files_under(private_media) == []
    assert not StoredFile.objects.exists()


def test_inline_checking_gives_the_verdict_in_the_request(case, people, settings):
    settings.UPLOAD_CHECK_INLINE = True
    check = start(case, people, pdfs.plain_pdf())
    assert check.state == UploadCheckState.ACCEPTED
    assert check.quarantine_name == ""


# --- deletion of replaced files ---------------------------------------------------------------------------------------


def test_a_replaced_material_file_is_deleted_row_and_bytes(case, people, private_media,
                                                           django_capture_on_commit_callbacks):
    first = material_upload(case=case, code="labour_contract", actor=people.applicant, data=pdfs.plain_pdf(1))
    old = first.file
    with django_capture_on_commit_callbacks(execute=True):
        material_upload(case=case, code="labour_contract", actor=people.applicant, data=pdfs.plain_pdf(2))
    assert not StoredFile.objects.filter(pk=old.pk).exists()
    assert not (private_media / old.storage_name).exists()
    assert AuditEvent.objects.filter(action="file.delete").count() == 1
    assert len(files_under(private_media / "files")) == 1


def test_a_replaced_file_another_row_still_refers_to_is_kept(case, people, private_media):
    first = material_upload(case=case, code="labour_contract", actor=people.applicant, data=pdfs.plain_pdf(1))
    old = first.file
    other = case_open(actor=people.handler, kind="renewal", unit=people.unit, applicant=people.applicant)
    CaseMaterial.objects.create(case=other, code="labour_contract", file=old, status="uploaded")  # as a renewal does
    material_upload(case=case, code="labour_contract", actor=people.applicant, data=pdfs.plain_pdf(2))
    assert StoredFile.objects.filter(pk=old.pk).exists()
    assert (private_media / old.storage_name).exists()
