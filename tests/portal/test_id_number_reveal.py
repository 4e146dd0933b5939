"""The staff see a case's ID numbers masked, and whole only through the case page's reveal button (a POST with its
CSRF token), each reveal an audit event without the number; the unit sees them masked only (issue 11 §2)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.cases.conftest import PROFILE
from tests.documents.printed import MASKED_ID, WHOLE_ID
from tests.factories import make_association
from wrp.accounts.models import ApplicantProfile
from wrp.accounts.services import user_set_id_number
from wrp.audit.models import AuditEvent
from wrp.cases.services import case_open

pytestmark = pytest.mark.django_db

OWNER_ID = "110105196203150018"
PARTICULARS = {"since": "2024-03-01", "address": "北京市朝阳区芍药居北里101号楼3单元502室", "owner_name": "李四",
               "owner_id_number": OWNER_ID, "relationship": "父母"}


@pytest.fixture
def case(people):
    user_set_id_number(user=people.applicant, id_number=WHOLE_ID, actor=None)
    ApplicantProfile.objects.create(user=people.applicant,
                                    facts={**PROFILE, "housing": {"kind": "relative", "lease_end": None}})
    make_association(people.applicant, people.unit)
    return case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant,
                     answers={"housing_loan": PARTICULARS})


def _client(user, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def _reveal(case) -> str:
    return reverse("portal:case_reveal", args=[case.public_id])


@pytest.mark.parametrize("persona", ["clerk", "approver"])
def test_the_staffs_case_page_shows_the_number_masked_with_the_reveal_button(people, case, persona):
    page = _client(getattr(people, persona)).get(reverse("portal:case", args=[case.public_id])).content.decode()
    assert MASKED_ID in page
    assert WHOLE_ID not in page
    assert OWNER_ID not in page
    assert "显示完整证件号码" in page
    assert _reveal(case) in page


@pytest.mark.parametrize("persona", ["clerk", "approver"])
def test_the_reveal_shows_the_whole_numbers_and_writes_an_audit_event_without_them(people, case, persona):
    user = getattr(people, persona)
    response = _client(user).post(_reveal(case))
    assert response.status_code == 200
    page = response.content.decode()
    assert WHOLE_ID in page
    assert OWNER_ID in page
    assert response["Cache-Control"] == "no-store, private"
    event = AuditEvent.objects.get(action="person.reveal", actor=user)
    assert event.object_id == str(case.pk)
    assert event.changes == {"fields": ["applicant.id_number", "housing_loan.owner_id_number"]}
    assert WHOLE_ID not in str(event.changes)
    assert OWNER_ID not in str(event.changes)


def test_the_reveal_needs_the_csrf_token_and_a_post(people, case):
    assert _client(people.clerk, csrf=True).post(_reveal(case)).status_code == 403
    assert _client(people.clerk).get(_reveal(case)).status_code == 405
    assert not AuditEvent.objects.filter(action="person.reveal").exists()


def test_the_unit_handler_sees_the_numbers_masked_and_is_refused_the_reveal(people, case):
    page = _client(people.handler).get(reverse("portal:case", args=[case.public_id])).content.decode()
    assert MASKED_ID in page
    assert WHOLE_ID not in page
    assert OWNER_ID not in page
    assert _reveal(case) not in page
    assert _client(people.handler).post(_reveal(case)).status_code == 403
    assert not AuditEvent.objects.filter(action="person.reveal").exists()


@pytest.mark.parametrize("persona", ["other_handler", "other_applicant", "admin"])
def test_those_who_may_not_see_the_case_get_nothing(people, case, persona):
    response = _client(getattr(people, persona)).post(_reveal(case))
    assert response.status_code in (403, 404)
    assert WHOLE_ID.encode() not in response.content
    assert not AuditEvent.objects.filter(action="person.reveal").exists()


def test_the_applicant_sees_their_own_housing_particulars_whole_on_the_case_page(people, case):
    page = _client(people.applicant).get(reverse("portal:case", args=[case.public_id])).content.decode()
    assert OWNER_ID in page
    assert _reveal(case) not in page
