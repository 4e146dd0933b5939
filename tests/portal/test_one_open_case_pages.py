"""The pages refuse a second open case of the same purpose for one applicant (issue 11 §9), naming the first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.cases.conftest import PROFILE
from tests.factories import make_association
from wrp.accounts.models import ApplicantProfile
from wrp.cases.models import Case
from wrp.cases.services import case_open, case_withdraw
from wrp.units.models import Association

pytestmark = pytest.mark.django_db


@pytest.fixture
def first(people):
    ApplicantProfile.objects.create(user=people.applicant, facts=dict(PROFILE))
    make_association(people.applicant, people.unit)
    return case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)


def test_the_applicants_second_initial_case_is_refused_with_the_firsts_number(client, people, first):
    client.force_login(people.applicant)
    response = client.post(reverse("portal:applicant_case_new"), {"kind": "initial", "subtype": ""}, follow=True)
    assert first.public_id in response.content.decode()
    assert Case.objects.filter(applicant=people.applicant, kind="initial").count() == 1


def test_the_units_second_initial_case_is_refused_with_the_firsts_number(client, people, first):
    client.force_login(people.handler)
    association = Association.objects.get(applicant=people.applicant, unit=people.unit)
    response = client.post(reverse("portal:unit_case_start", args=[association.pk]), {"item": "initial"})
    assert response.status_code == 422
    assert first.public_id in response.content.decode()
    assert Case.objects.filter(applicant=people.applicant, kind="initial").count() == 1


def test_after_withdrawal_the_applicant_opens_a_new_initial_case(client, people, first):
    case_withdraw(case=first, actor=people.handler)
    client.force_login(people.applicant)
    response = client.post(reverse("portal:applicant_case_new"), {"kind": "initial", "subtype": ""})
    assert response.status_code == 302
    assert Case.objects.filter(applicant=people.applicant, kind="initial").count() == 2
