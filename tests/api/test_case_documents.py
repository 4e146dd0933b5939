"""GET /api/v1/cases/{id}/documents and the document files (issue 12 §7): the rights of the case, the stored bytes
served (never rebuilt), superseded documents kept, drafts only for the filers before submission."""

from __future__ import annotations

import hashlib

import pytest

from tests.api.conftest import TODAY
from tests.factories import case_in_state, make_association, make_ledger
from wrp.audit.models import AuditEvent
from wrp.documents.models import IssuedDocument

pytestmark = pytest.mark.usefixtures("private_media")

SEE = ("applicant", "handler", "clerk", "approver")
NOT_SEE = ("other_applicant", "other_handler")


@pytest.fixture
def people(people):
    """tests/api's personas; the applicant associated with `unit`, which has quota."""
    make_association(people.applicant, people.unit)
    make_ledger(people.unit, TODAY.year, granted=3)
    return people


@pytest.fixture
def approved(people):
    return case_in_state(people, "approved")


@pytest.mark.parametrize("persona", SEE)
def test_those_who_see_the_case_list_its_documents(api, approved, persona):
    response = api[persona].get(f"/cases/{approved.public_id}/documents")
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    kinds = [item["kind"] for item in items]
    assert "decision" in kinds
    assert "certificate" in kinds
    # the unit handler's list has the unit's copy with the ID number masked instead of the record (issue 11 §2)
    record, copy = "integrity_personal", "integrity_personal_masked"
    assert (record in kinds, copy in kinds) == ((False, True) if persona == "handler" else (True, False))
    decision = next(item for item in items if item["kind"] == "decision")
    stored = IssuedDocument.objects.get(pk=decision["id"])
    assert decision["number"] == stored.number
    assert decision["sha256"] == stored.sha256
    assert decision["download_url"] == f"/api/v1/documents/{stored.pk}/file"
    assert not any(item["draft"] for item in items)  # submitted: the declarations are the frozen ones


@pytest.mark.parametrize("persona", NOT_SEE)
def test_those_who_may_not_see_the_case_get_404(api, approved, persona):
    assert api[persona].get(f"/cases/{approved.public_id}/documents").status_code == 404
    document = IssuedDocument.objects.filter(case=approved).first()
    assert api[persona].get(f"/documents/{document.pk}/file").status_code == 404


def test_the_administrator_is_refused_as_everywhere_in_the_api(api, approved):
    document = IssuedDocument.objects.filter(case=approved).first()
    assert api.admin.get(f"/cases/{approved.public_id}/documents").status_code == 403
    assert api.admin.get(f"/documents/{document.pk}/file").status_code == 403


def test_anonymous_callers_are_refused(api, approved):
    document = IssuedDocument.objects.filter(case=approved).first()
    assert api.anonymous.get(f"/cases/{approved.public_id}/documents").status_code == 401
    assert api.anonymous.get(f"/documents/{document.pk}/file").status_code == 401


@pytest.mark.parametrize("persona", SEE)
def test_the_file_is_the_stored_bytes_as_an_attachment_and_each_download_is_audited(api, approved, persona, people):
    document = IssuedDocument.objects.get(case=approved, kind="decision")
    response = api[persona].get(f"/documents/{document.pk}/file")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == document.sha256
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="document.download", object_id=str(document.pk),
                                     actor=getattr(people, persona)).exists()


def test_a_file_downloaded_after_renaming_the_unit_is_byte_identical(api, approved, people):
    document = IssuedDocument.objects.get(case=approved, kind="decision")
    before = b"".join(api.handler.get(f"/documents/{document.pk}/file").streaming_content)
    people.unit.name = "北京丁科技有限公司"
    people.unit.save()
    after = b"".join(api.handler.get(f"/documents/{document.pk}/file").streaming_content)
    assert after == before


def test_a_draft_case_lists_draft_declarations_to_its_filers_only(api, people):
    case = case_in_state(people, "draft")
    for persona in ("applicant", "handler"):
        items = api[persona].get(f"/cases/{case.public_id}/documents").json()["items"]
        drafts = [item for item in items if item["draft"]]
        assert {item["kind"] for item in drafts} >= {"integrity_personal"}
        assert all(item["id"] is None and item["number"] == "" for item in drafts)
        file = api[persona].get(drafts[0]["download_url"].removeprefix("/api/v1"))
        assert file.status_code == 200
        assert b"".join(file.streaming_content).startswith(b"%PDF")
    clerk_items = api.clerk.get(f"/cases/{case.public_id}/documents").json()["items"]
    assert clerk_items == []  # the window sees the declarations once submitted
    assert api.clerk.get(f"/cases/{case.public_id}/documents/drafts/integrity_personal/file").status_code == 404


def test_an_unknown_document_is_404(api, approved):
    assert api.clerk.get("/documents/999999/file").status_code == 404
    assert api.handler.get(f"/cases/{approved.public_id}/documents/drafts/nonsense/file").status_code == 404
