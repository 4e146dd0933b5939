"""The API's downloads and denials are audit events: each file served (`file.download`), each 404 or 403 for an
object (`access.denied`, the ids asked and the refusal's code, nothing personal) — and the chain still verifies."""

from __future__ import annotations

import pytest

from tests.api.cases.support import draft
from wrp.audit.models import AuditEvent
from wrp.audit.services import audit_verify


@pytest.fixture
def case(people):
    return draft(people)


def test_a_material_file_served_is_a_download_event(api, people, case):
    assert api.approver.get(f"/cases/{case.public_id}/materials/hukou_book/file").status_code == 200
    event = AuditEvent.objects.get(action="file.download")
    stored = case.materials.get(code="hukou_book").file
    assert (event.actor_id, event.object_type, event.object_id) == (people.approver.pk, "documents.storedfile",
                                                                    str(stored.pk))
    assert event.changes == {"case": case.public_id, "code": "hukou_book"}
    assert audit_verify().ok


def test_a_draft_declaration_served_is_a_download_event(api, people, case):
    response = api.handler.get(f"/cases/{case.public_id}/documents/drafts/integrity_personal/file")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="file.download")
    assert (event.actor_id, event.object_type, event.object_id) == (people.handler.pk, "cases.case", str(case.pk))
    assert event.changes == {"kind": "integrity_personal", "draft": True}


def test_a_case_someone_may_not_see_is_a_denial_event_naming_what_was_asked(api, people, case):
    response = api.other_handler.get(f"/cases/{case.public_id}/materials/hukou_book/file")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="file.download").exists()
    event = AuditEvent.objects.get(action="access.denied")
    assert (event.actor_id, event.object_type, event.object_id, event.outcome) == (
        people.other_handler.pk, "case", f"{case.public_id}/hukou_book", "not_found")
    assert event.changes == {"code": "case_not_found", "via": "api"}
    assert audit_verify().ok


def test_a_refused_caller_is_a_denial_event(api, people):
    response = api.admin.get("/cases")
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="access.denied")
    assert (event.actor_id, event.object_type, event.outcome) == (people.admin.pk, "cases", "forbidden")
    assert event.changes["via"] == "api"
