"""The 附件3 form on the applicant's and the unit's pages: errors under their fields, the particulars saved through
the service, the owner's ID number whole for the applicant and masked for the unit handler, never in an address."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.cases.conftest import PROFILE
from tests.clock import TODAY
from tests.factories import make_association, make_ledger
from wrp.accounts.models import ApplicantProfile
from wrp.cases.models import Case
from wrp.cases.services import case_open

OWNER_ID = "11010519491231002X"
MASKED = "110105********002X"
GOOD = {"since": "2024-03-01", "address": "北京市朝阳区将台路5号院15号楼1201室", "owner_name": "王五",
        "owner_id_number": OWNER_ID, "relationship": "父母"}


@pytest.fixture
def people(people):
    ApplicantProfile.objects.create(user=people.applicant, facts=dict(PROFILE))
    make_association(people.applicant, people.unit)
    make_ledger(people.unit, TODAY.year, granted=3)
    return people


@pytest.fixture
def case(people) -> Case:
    return case_open(actor=people.handler, kind="info_change", subtype="address", unit=people.unit,
                     applicant=people.applicant, answers={"housing": {"kind": "relative", "lease_end": None}})


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def unit_form(case: Case) -> str:
    return reverse("portal:unit_case_housing_loan", args=[case.public_id])


def applicant_form(case: Case) -> str:
    return reverse("portal:applicant_case_housing_loan", args=[case.public_id])


def test_the_unit_handler_saves_the_particulars(people, case):
    client = signed_in(people.handler)
    page = client.get(unit_form(case))
    assert page.status_code == 200
    for name in GOOD:
        assert f'name="{name}"' in page.content.decode()
    response = client.post(unit_form(case), GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:case", args=[case.public_id])
    case.refresh_from_db()
    assert case.answers["housing_loan"] == GOOD
    assert case.answers["housing"] == {"kind": "relative", "lease_end": None}  # the other answers are kept
    assert OWNER_ID not in response["Location"]


def test_each_error_is_shown_under_its_field_and_the_answers_are_kept(people, case):
    response = signed_in(people.handler).post(unit_form(case), {
        **GOOD, "owner_id_number": "11010519491231002Y", "address": "将台路", "since": "2026-12-01"})
    html = response.content.decode()
    assert response.status_code == 422
    for field in ("owner_id_number", "address", "since"):
        assert f'id="id_{field}-error"' in html
    assert 'id="id_owner_name-error"' not in html
    assert 'id="id_relationship-error"' not in html
    assert "地址须精确至门牌号" in html
    assert "借住开始日期不能晚于今天" in html
    assert "第18位“Y”无效" in html
    assert 'class="error-summary"' in html
    assert 'href="#id_address"' in html
    assert 'value="王五"' in html  # kept
    case.refresh_from_db()
    assert "housing_loan" not in case.answers


def test_the_unit_handler_sees_the_owners_id_masked_and_keeps_it_by_leaving_it_empty(people, case):
    client = signed_in(people.handler)
    client.post(unit_form(case), GOOD)
    for path in (unit_form(case), reverse("portal:case", args=[case.public_id])):
        html = client.get(path).content.decode()
        assert MASKED in html
        assert OWNER_ID not in html
    assert client.post(unit_form(case), {**GOOD, "owner_id_number": "", "owner_name": "王六"}).status_code == 302
    case.refresh_from_db()
    assert case.answers["housing_loan"]["owner_id_number"] == OWNER_ID
    assert case.answers["housing_loan"]["owner_name"] == "王六"


def test_the_applicant_sees_and_edits_the_whole_number(people, case):
    signed_in(people.handler).post(unit_form(case), GOOD)
    client = signed_in(people.applicant)
    page = client.get(applicant_form(case))
    assert page.status_code == 200
    assert f'value="{OWNER_ID}"' in page.content.decode()
    assert OWNER_ID in client.get(reverse("portal:case", args=[case.public_id])).content.decode()
    response = client.post(applicant_form(case), {**GOOD, "relationship": "兄弟姐妹"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.answers["housing_loan"]["relationship"] == "兄弟姐妹"


def test_clearing_every_field_removes_the_particulars(people, case):
    client = signed_in(people.applicant)
    client.post(applicant_form(case), GOOD)
    assert client.post(applicant_form(case), {part: "" for part in GOOD}).status_code == 302
    case.refresh_from_db()
    assert "housing_loan" not in case.answers


def test_the_case_page_links_the_form_only_where_the_home_is_a_relatives(people, case):
    html = signed_in(people.handler).get(reverse("portal:case", args=[case.public_id])).content.decode()
    assert "房屋借住声明（附件3）" in html
    assert unit_form(case) in html
    owned = case_open(actor=people.handler, kind="info_change", subtype="address", unit=people.unit,
                      applicant=people.applicant, answers={"housing": {"kind": "owned", "lease_end": None}})
    client = signed_in(people.handler)
    assert unit_form(owned) not in client.get(reverse("portal:case", args=[owned.public_id])).content.decode()
    assert client.get(unit_form(owned)).status_code == 404


@pytest.mark.parametrize("persona", ["other_applicant", "other_handler", "clerk", "admin"])
def test_others_cannot_open_the_form(people, case, persona):
    client = signed_in(getattr(people, persona))
    for path in (unit_form(case), applicant_form(case)):
        assert client.get(path).status_code in (302, 403, 404)
        assert client.post(path, GOOD).status_code in (302, 403, 404)
    case.refresh_from_db()
    assert "housing_loan" not in case.answers
