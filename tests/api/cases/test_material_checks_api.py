"""POST /cases/{id}/materials/{code} with the check in the worker: 202 `checking` when the verdict is not in within
UPLOAD_API_WAIT_SECONDS, then GET …/checks/{check} tells it (200 with the material, or 422 `file_refused`); and the
bodies Django will not read whole (too many file parts, JSON over the memory limit) answer a 4xx, never a 500."""

from __future__ import annotations

import io

import pytest

from tests.api.cases.support import encrypted_pdf_bytes, pdf_bytes
from wrp.cases.material_checks import material_check
from wrp.cases.services import case_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh(people, settings):
    settings.UPLOAD_CHECK_INLINE = False
    settings.UPLOAD_API_WAIT_SECONDS = 0
    return case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)


def test_an_upload_not_checked_in_time_is_202_and_its_check_tells_the_verdict_later(api, fresh):
    path = f"/cases/{fresh.public_id}/materials/labour_contract"
    response = api.applicant.upload(path, pdf_bytes(2))
    assert response.status_code == 202
    body = response.json()
    assert body == {"code": "labour_contract", "status": "checking", "check": body["check"]}
    assert api.handler.get(f"{path}/checks/{body['check']}").status_code == 202
    material_check.call(body["check"])  # what `wrp worker` does
    answer = api.handler.get(f"{path}/checks/{body['check']}")
    assert answer.status_code == 200
    assert answer.json() | {"sha256": "-"} == {
        "code": "labour_contract", "status": "uploaded", "sha256": "-", "pages": 2, "warnings": []}


def test_a_refused_upload_checked_later_is_422_file_refused(api, fresh):
    path = f"/cases/{fresh.public_id}/materials/labour_contract"
    check = api.applicant.upload(path, encrypted_pdf_bytes()).json()["check"]
    material_check.call(check)
    answer = api.applicant.get(f"{path}/checks/{check}")
    assert answer.status_code == 422
    assert (answer.json()["error"], answer.json()["reason"]) == ("file_refused", "encrypted")


def test_a_check_is_404_for_whoever_may_not_see_the_case(api, fresh):
    path = f"/cases/{fresh.public_id}/materials/labour_contract"
    check = api.applicant.upload(path, pdf_bytes(1)).json()["check"]
    assert api.other_handler.get(f"{path}/checks/{check}").status_code == 404
    assert api.applicant.get(f"/cases/{fresh.public_id}/materials/hukou_book/checks/{check}").status_code == 404


def test_more_file_parts_than_allowed_is_400_not_500(api, fresh):
    parts = {f"file{n}": io.BytesIO(b"%PDF-") for n in range(101)}
    response = api.applicant.client.post(
        f"/api/v1/cases/{fresh.public_id}/materials/labour_contract", parts, headers=api.applicant.headers)
    assert response.status_code == 400
    assert (response.json()["error"], response.json()["code"]) == ("invalid_request", "too_many_files")


def test_a_json_body_over_the_memory_limit_is_413_not_500(api, fresh, settings):
    body = {"kind": "initial", "padding": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    response = api.handler.post("/cases", body)
    assert response.status_code == 413
    assert (response.json()["error"], response.json()["code"]) == ("invalid_request", "request_too_large")
