"""Stored data altered behind the platform's back — a resident ID number's ciphertext, a stored file's bytes, a stored
file gone — answers the integrity page in the site frame (409) or the API's `integrity_error` with its code, never a
500 or a traceback, and raises an alert: an `integrity.alert` audit event and an ERROR log line without personal data.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.test import Client

from tests.cases import conftest as case_fixtures
from tests.factories import case_in_state
from wrp.accounts.models import User
from wrp.accounts.services import token_create, user_set_id_number
from wrp.audit.models import AuditEvent
from wrp.cases.models import Case, CaseMaterial
from wrp.cases.services import case_open
from wrp.documents.services import store_file

people = case_fixtures.people  # both applicants with a profile, the applicant associated with `unit`
pytestmark = pytest.mark.usefixtures("private_media")
WHOLE_ID = "11010519491231002X"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_create(user=user)}"}


def alter_ciphertext(user: User) -> None:
    """Flip one bit of the stored ciphertext, as someone with write access to the database would."""
    blob = bytearray(User.objects.get(pk=user.pk).id_number_encrypted)
    blob[-1] ^= 0x01
    User.objects.filter(pk=user.pk).update(id_number_encrypted=bytes(blob))


def stored_material(case: Case, by: User) -> Path:
    """A real stored PDF behind the case's labour contract; its path on disk."""
    from django.conf import settings

    from tests.documents.pdfs import plain_pdf

    stored = store_file(data=plain_pdf(1), original_name="contract.pdf", uploaded_by=by, pages=1)
    CaseMaterial.objects.update_or_create(case=case, code="labour_contract", defaults={"file": stored})
    return Path(settings.MEDIA_ROOT) / stored.storage_name


def alerts() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="integrity.alert").order_by("pk"))


def assert_alerted(caplog, kind: str, object_type: str) -> None:
    (event,) = alerts()
    assert (event.outcome, event.object_type, event.changes["kind"]) == ("failed", object_type, kind)
    logged = [record for record in caplog.records if record.name == "wrp.integrity"]
    assert logged
    assert logged[0].levelno == logging.ERROR
    assert kind in logged[0].getMessage()
    assert WHOLE_ID not in caplog.text
    assert WHOLE_ID not in str(event.changes)


# --- altered ciphertext -----------------------------------------------------------------------------------------------


def test_an_altered_id_number_answers_the_integrity_page_not_a_500(people, caplog):
    user_set_id_number(user=people.applicant, id_number=WHOLE_ID, actor=None)
    alter_ciphertext(people.applicant)
    response = signed_in(people.applicant).get("/me/profile/")
    assert response.status_code == 409
    page = response.content.decode()
    assert "数据完整性错误" in page
    assert "site-footer" in page
    assert "Traceback" not in page
    assert "FIELD_ENCRYPTION_KEY" not in page
    assert_alerted(caplog, "decryption_failed", "accounts.user")
    assert alerts()[0].object_id == str(people.applicant.pk)


def test_an_altered_id_number_answers_the_api_with_its_code(people, caplog):
    user_set_id_number(user=people.applicant, id_number=WHOLE_ID, actor=None)
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    alter_ciphertext(people.applicant)
    response = Client().get(
        f"/api/v1/cases/{case.public_id}/documents/drafts/integrity_personal/file",
        headers={**bearer(people.applicant), "Accept-Language": "en"},
    )
    assert response.status_code == 409
    body = response.json()
    assert (body["error"], body["code"]) == ("integrity_error", "decryption_failed")
    assert body["message"].startswith("A piece of personal information")
    assert_alerted(caplog, "decryption_failed", "accounts.user")


def test_the_integrity_page_speaks_english(people):
    user_set_id_number(user=people.applicant, id_number=WHOLE_ID, actor=None)
    alter_ciphertext(people.applicant)
    client = signed_in(people.applicant)
    client.cookies["django_language"] = "en"
    response = client.get("/me/profile/")
    assert response.status_code == 409
    assert "Data integrity error" in response.content.decode()


# --- altered or missing stored file -----------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["altered", "missing"])
def test_a_damaged_stored_file_answers_the_integrity_page_to_the_clerk(people, caplog, damage):
    case = case_in_state(people, "in_review")
    path = stored_material(case, people.handler)
    if damage == "altered":
        path.write_bytes(path.read_bytes().replace(b"%%EOF", b"%%EOX"))
    else:
        path.unlink()
    response = signed_in(people.clerk).get(f"/clerk/cases/{case.public_id}/materials/labour_contract/view")
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    assert "数据完整性错误" in response.content.decode()
    assert_alerted(caplog, "stored_file_corrupted", "documents.storedfile")


def test_in_the_clerks_viewer_frame_the_integrity_page_may_be_framed_by_the_platform(people):
    case = case_in_state(people, "in_review")
    stored_material(case, people.handler).unlink()
    response = signed_in(people.clerk).get(f"/clerk/cases/{case.public_id}/materials/labour_contract/view",
                                           headers={"Sec-Fetch-Dest": "iframe"})
    assert response.status_code == 409
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_a_damaged_stored_file_answers_the_api_with_its_code(people, caplog):
    case = case_in_state(people, "submitted")
    path = stored_material(case, people.handler)
    path.write_bytes(b"%PDF-1.7 not what was stored\n%%EOF\n")
    response = Client().get(f"/api/v1/cases/{case.public_id}/materials/labour_contract/file",
                            headers=bearer(people.handler))
    assert response.status_code == 409
    assert response.json()["error"] == "integrity_error"
    assert response.json()["code"] == "stored_file_corrupted"
    assert_alerted(caplog, "stored_file_corrupted", "documents.storedfile")
