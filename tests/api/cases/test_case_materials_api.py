"""POST /cases/{id}/materials/{code}, GET …/file, POST …/verdict: uploads checked by content, the stored PDF served
privately, and the window clerk's verdict on each material."""

from __future__ import annotations

import hashlib

import pytest

from tests.api.cases.support import draft, encrypted_pdf_bytes, in_review, pdf_bytes, submitted
from wrp.cases.materials import case_checklist
from wrp.cases.models import CaseMaterial
from wrp.cases.services import case_open
from wrp.documents.pdfcheck import MAX_BYTES

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh(people):
    """A draft with nothing uploaded yet."""
    return case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)


def _material(api, case, code):
    materials = api.clerk.get(f"/cases/{case.public_id}").json()["materials"]
    return next(material for material in materials if material["code"] == code)


# --- upload ---------------------------------------------------------------------------------------------------------


def test_an_uploaded_pdf_is_stored_and_the_material_becomes_uploaded(api, fresh):
    response = api.applicant.upload(f"/cases/{fresh.public_id}/materials/labour_contract", pdf_bytes(2))
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "code": "labour_contract", "status": "uploaded", "sha256": body["sha256"], "pages": 2, "warnings": [],
    }
    stored = api.handler.get(f"/cases/{fresh.public_id}/materials/labour_contract/file").content
    assert hashlib.sha256(stored).hexdigest() == body["sha256"]
    assert _material(api, fresh, "labour_contract") == {
        "code": "labour_contract", "required": True, "status": "uploaded", "reason": "",
    }


def test_a_new_upload_replaces_the_previous_file(api, fresh):
    path = f"/cases/{fresh.public_id}/materials/labour_contract"
    first = api.handler.upload(path, pdf_bytes(1, text=b"first")).json()
    second = api.handler.upload(path, pdf_bytes(3, text=b"second")).json()
    assert first["sha256"] != second["sha256"]
    assert second["pages"] == 3
    stored = api.handler.get(path + "/file").content
    assert hashlib.sha256(stored).hexdigest() == second["sha256"]


def test_the_same_file_for_two_materials_is_uploaded_with_a_duplicate_warning(api, fresh):
    same = pdf_bytes(1, text=b"one scan for two")
    first = api.handler.upload(f"/cases/{fresh.public_id}/materials/labour_contract", same).json()
    second = api.handler.upload(f"/cases/{fresh.public_id}/materials/hukou_book", same).json()
    assert first["warnings"] == []
    assert (second["status"], second["warnings"]) == ("uploaded", [{
        "code": "duplicate", "pages": [], "other_material": "labour_contract",
        "message": "本文件与本案的“劳动合同”完全相同，请确认没有传错文件。",
    }])


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"GIF89a not a pdf at all", "not_pdf", id="not_pdf"),
        pytest.param(b"%PDF-1.7\n" + b"0" * MAX_BYTES, "too_large", id="too_large"),
        pytest.param(pdf_bytes(201), "too_many_pages", id="too_many_pages"),
        pytest.param(encrypted_pdf_bytes(), "encrypted", id="encrypted"),
        pytest.param(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R", "damaged", id="damaged"),
    ],
)
def test_a_refused_file_is_422_file_refused_and_nothing_is_stored(api, fresh, data, reason):
    response = api.handler.upload(f"/cases/{fresh.public_id}/materials/labour_contract", data)
    assert response.status_code == 422
    assert response.json()["error"] == "file_refused"
    assert response.json()["reason"] == reason
    assert _material(api, fresh, "labour_contract")["status"] == "missing"
    assert not CaseMaterial.objects.filter(case=fresh, file__isnull=False).exists()


def test_a_code_not_on_the_checklist_is_422_naming_code(api, fresh):
    assert "startup_proof" not in case_checklist(fresh)
    response = api.handler.upload(f"/cases/{fresh.public_id}/materials/startup_proof", pdf_bytes())
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["code"]


def test_a_request_without_the_file_field_is_422_naming_file(api, fresh):
    response = api.handler.client.post(
        f"/api/v1/cases/{fresh.public_id}/materials/labour_contract", {"other": "x"}, headers=api.handler.headers
    )
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["file"]


def test_no_upload_once_the_case_is_submitted(api, people):
    case = submitted(people)
    response = api.handler.upload(f"/cases/{case.public_id}/materials/labour_contract", pdf_bytes())
    assert (response.status_code, response.json()) == (
        409, {"error": "invalid_state", "state": "submitted", "code": "invalid_state"}
    )


def test_staff_upload_nothing_and_others_do_not_see_the_case(api, fresh):
    path = f"/cases/{fresh.public_id}/materials/labour_contract"
    assert api.clerk.upload(path, pdf_bytes()).status_code == 403
    assert api.other_handler.upload(path, pdf_bytes()).status_code == 404


# --- the stored file ------------------------------------------------------------------------------------------------


def test_the_file_is_served_as_a_private_attachment(api, people):
    case = draft(people)
    response = api.approver.get(f"/cases/{case.public_id}/materials/hukou_book/file")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{case.public_id}-hukou_book.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store, private"
    assert response.content.startswith(b"%PDF-")


def test_a_material_never_uploaded_has_no_file(api, fresh):
    for code in ("labour_contract", "no_such_code"):
        response = api.handler.get(f"/cases/{fresh.public_id}/materials/{code}/file")
        assert (response.status_code, response.json()) == (404, {"error": "not_found", "code": "material_not_found"})


def test_someone_elses_file_is_404(api, people):
    case = draft(people)
    for persona in ("other_applicant", "other_handler"):
        response = api[persona].get(f"/cases/{case.public_id}/materials/hukou_book/file")
        assert (response.status_code, response.json()) == (404, {"error": "not_found", "code": "case_not_found"})


# --- verdicts -------------------------------------------------------------------------------------------------------


def test_the_clerk_accepts_a_material(api, people):
    case = in_review(people)
    response = api.clerk.post(f"/cases/{case.public_id}/materials/hukou_book/verdict", {"accepted": True})
    assert response.status_code == 200
    assert response.json() == {"code": "hukou_book", "required": True, "status": "accepted", "reason": ""}


def test_the_clerk_rejects_a_material_with_a_reason(api, people):
    case = in_review(people)
    response = api.clerk.post(
        f"/cases/{case.public_id}/materials/hukou_book/verdict", {"accepted": False, "reason": "缺少变更页"}
    )
    assert response.json() == {"code": "hukou_book", "required": True, "status": "rejected", "reason": "缺少变更页"}
    assert _material(api, case, "hukou_book")["status"] == "rejected"


def test_a_rejection_needs_a_reason(api, people):
    case = in_review(people)
    for body in ({"accepted": False}, {"accepted": False, "reason": "  "}):
        response = api.clerk.post(f"/cases/{case.public_id}/materials/hukou_book/verdict", body)
        assert response.status_code == 422
        assert list(response.json()["fields"]) == ["reason"]
    assert _material(api, case, "hukou_book")["status"] == "accepted"


@pytest.mark.parametrize("body", [{}, {"accepted": "yes"}, {"accepted": True, "note": "x"}])
def test_a_malformed_verdict_is_422(api, people, body):
    case = in_review(people)
    response = api.clerk.post(f"/cases/{case.public_id}/materials/hukou_book/verdict", body)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


def test_a_verdict_on_a_material_never_uploaded_is_409(api, people):
    case = in_review(people)
    response = api.clerk.post(f"/cases/{case.public_id}/materials/startup_proof/verdict", {"accepted": True})
    assert (response.status_code, response.json()) == (
        409, {"error": "invalid_state", "state": "missing", "code": "material_not_uploaded"}
    )


def test_a_verdict_outside_the_review_is_409(api, people):
    case = submitted(people)
    response = api.clerk.post(f"/cases/{case.public_id}/materials/hukou_book/verdict", {"accepted": True})
    assert (response.status_code, response.json()) == (
        409, {"error": "invalid_state", "state": "submitted", "code": "invalid_state"}
    )


def test_only_the_window_clerk_judges_materials(api, people):
    case = in_review(people)
    for persona in ("handler", "applicant", "approver"):
        response = api[persona].post(f"/cases/{case.public_id}/materials/hukou_book/verdict", {"accepted": True})
        assert (response.status_code, response.json()) == (403, {"error": "forbidden", "code": "clerks_only"})
