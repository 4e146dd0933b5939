"""POST /cases refuses a second open case of the same purpose for one applicant (issue 11 §9), naming the first."""

from __future__ import annotations

import pytest

from wrp.cases.models import Case, CaseState

pytestmark = pytest.mark.django_db


def _open(caller, people, kind="initial", **body):
    return caller.post("/cases", {"kind": kind, "unit": people.unit.credit_code, **body})


@pytest.mark.parametrize("kind", ["initial", "employer_change"])
def test_a_second_open_case_is_refused_with_the_firsts_number(api, people, kind):
    first = _open(api.applicant, people, kind)
    assert first.status_code == 201, first.content
    second = _open(api.handler, people, kind, applicant="applicant")
    assert second.status_code == 422
    body = second.json()
    assert body["error"] == "invalid_request"
    assert first.json()["id"] in body["fields"]["kind"]
    assert Case.objects.filter(applicant=people.applicant, kind=kind).count() == 1


def test_a_new_case_may_be_opened_once_the_first_is_withdrawn(api, people):
    first = _open(api.applicant, people).json()["id"]
    assert api.applicant.post(f"/cases/{first}/withdraw").status_code == 200
    second = _open(api.applicant, people)
    assert second.status_code == 201
    assert Case.objects.get(public_id=first).state == CaseState.WITHDRAWN
