"""The portals' downloads and denials are audit events: a page's 404 for an object the user may not see
(`access.denied`: the kind of object and the id asked), each material a clerk opens and each draft declaration
printed (`file.download`)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.api.cases.support import upload_all
from tests.cases import conftest as case_fixtures
from tests.factories import case_in_state
from wrp.audit.models import AuditEvent
from wrp.audit.services import audit_verify
from wrp.cases.materials import case_checklist

people = case_fixtures.people  # the personas of tests/cases (profiles, association, quota), on the frozen day
pytestmark = pytest.mark.usefixtures("private_media")


def test_a_case_page_someone_may_not_see_is_a_denial_event(client, people):
    case = case_in_state(people, "draft")
    client.force_login(people.other_applicant)
    assert client.get(reverse("portal:case", args=[case.public_id])).status_code == 404
    event = AuditEvent.objects.get(action="access.denied")
    assert (event.actor_id, event.object_type, event.object_id, event.outcome) == (
        people.other_applicant.pk, "cases.case", case.public_id, "not_found")
    assert event.changes == {"code": "case_not_found", "via": "portal"}
    assert audit_verify().ok


def test_a_material_the_clerk_opens_is_a_download_event(client, people):
    case = case_in_state(people, "submitted", materials=upload_all)  # stored for real
    code = case_checklist(case)[0]
    client.force_login(people.clerk)
    response = client.get(reverse("portal:clerk_material_view", args=[case.public_id, code]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="file.download")
    assert (event.actor_id, event.object_type) == (people.clerk.pk, "documents.storedfile")
    assert event.changes == {"case": case.public_id, "code": code}


def test_a_draft_declaration_printed_is_a_download_event(client, people):
    case = case_in_state(people, "draft")
    client.force_login(people.handler)
    response = client.get(reverse("documents:case_document", args=[case.public_id, "integrity-personal"]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="file.download")
    assert (event.actor_id, event.object_type, event.object_id) == (people.handler.pk, "cases.case", str(case.pk))
    assert event.changes == {"kind": "integrity-personal", "draft": True}
