"""What a change carries (issue 13 §2, §6): a children_change or info_change without answers takes its new facts from
the applicant's profile (contracts/cases-api.md); what it lacks is refused when it is opened or submitted — by the
applicant or by the unit — naming the answer, never at approval; a children change lists the children the permit
carries after it, so a child is removed by leaving it out (at least one stays: A-CHILDREN); an address change carries
the new home and its address. Through the services, the API and the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.cases.support import Caller
from tests.cases.conftest import attach_all, free_slot
from tests.clock import TODAY
from tests.factories import make_permit
from wrp.accounts.models import ApplicantProfile
from wrp.accounts.services import token_create
from wrp.appointments.models import Booking
from wrp.cases.materials import case_checklist, material_verdict
from wrp.cases.models import Case, CaseState
from wrp.cases.printouts import approved_particulars
from wrp.cases.services import case_approve, case_open, case_start_review, case_submit, case_update_answers
from wrp.core.errors import Invalid
from wrp.permits.models import Permit
from wrp.units.models import Association

pytestmark = pytest.mark.django_db
ISSUED = date(2025, 3, 1)
MING = {"name": "张小明", "case": "in_policy"}
HONG = {"name": "张小红", "case": "out_of_wedlock"}
HOME = "朝阳区将台路5号院15号楼1201室"


def profile(people: Any, **facts: Any) -> None:
    record = ApplicantProfile.objects.get(user=people.applicant)
    record.facts = {**record.facts, **facts}
    record.save()


def children_of(permit: Permit) -> list[tuple[str, str, date]]:
    return list(permit.children.order_by("added_on", "id").values_list("name", "case", "added_on"))


def submitted_by_the_unit(case: Case, people: Any) -> Case:
    attach_all(case, by=people.handler)
    return case_submit(case=case, actor=people.handler, slot=free_slot())


def approved(case: Case, people: Any) -> Case:
    case = case_start_review(case=submitted_by_the_unit(case, people), actor=people.clerk)
    for code in case_checklist(case):
        material_verdict(case=case, code=code, actor=people.clerk, accepted=True)
    return case_approve(case=case, actor=people.clerk)


def refused_codes(call: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(Invalid) as refused:
        call(**kwargs)
    return refused.value.codes


def open_change(people: Any, kind: str = "children_change", subtype: str | None = None, **answers: Any) -> Case:
    return case_open(actor=people.handler, kind=kind, subtype=subtype, unit=people.unit, applicant=people.applicant,
                     answers=answers or None)


# --- children_change without answers: the profile's children ----------------------------------------------------------


def test_without_answers_or_children_in_the_profile_the_applicants_submission_is_refused(people):
    make_permit(people.applicant, people.unit, issued_on=ISSUED)
    case = case_open(actor=people.applicant, kind="children_change", unit=people.unit)  # the profile may still change
    codes = refused_codes(case_submit, case=case, actor=people.applicant)
    assert codes == {"answers.children": "children_required"}
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT


def test_without_answers_or_children_in_the_profile_the_units_submission_is_refused_and_holds_nothing(people):
    make_permit(people.applicant, people.unit, issued_on=ISSUED)
    case = open_change(people)
    attach_all(case, by=people.handler)
    codes = refused_codes(case_submit, case=case, actor=people.handler, slot=free_slot())
    assert codes == {"answers.children": "children_required"}
    case.refresh_from_db()
    assert (case.state, case.assessment) == (CaseState.DRAFT, None)
    assert not Booking.objects.exists()


def test_without_answers_the_profiles_children_are_assessed_and_join_the_permit_on_approval(people):
    permit = make_permit(people.applicant, people.unit, issued_on=ISSUED)
    profile(people, children=[{"case": "in_policy"}])
    case = case_open(actor=people.applicant, kind="children_change", unit=people.unit)
    case = case_submit(case=case, actor=people.applicant)
    assert "child_in_policy" in case_checklist(case)
    case = approved(case, people)
    assert case.state == CaseState.APPROVED
    assert case.frozen_facts["applicant"]["children"] == [{"case": "in_policy"}]
    assert children_of(permit) == [("", "in_policy", TODAY)]
    assert ("随往子女", "姓名未登记（户籍地计生政策范围内生育）") in approved_particulars(case)


def test_a_profile_completed_after_opening_lets_the_case_through(people):
    make_permit(people.applicant, people.unit, issued_on=ISSUED)
    case = case_open(actor=people.applicant, kind="children_change", unit=people.unit)
    profile(people, children=[{"case": "divorced_custody"}])
    assert case_submit(case=case, actor=people.applicant).state == CaseState.AWAITING_UNIT


# --- removing and adding children -------------------------------------------------------------------------------------


def test_a_child_left_out_is_removed_and_the_one_kept_keeps_its_date(people):
    permit = make_permit(people.applicant, people.unit, issued_on=ISSUED, children=[MING, HONG])
    case = open_change(people, children=[MING])
    assert "child_in_policy" in case_checklist(case)
    assert "child_out_of_wedlock" not in case_checklist(case)
    approved(case, people)
    assert children_of(permit) == [("张小明", "in_policy", ISSUED)]
    event = permit.events.get(action="children_changed")
    assert event.note == "+0 -1"


def test_a_child_is_added_beside_the_one_kept(people):
    permit = make_permit(people.applicant, people.unit, issued_on=ISSUED, children=[MING])
    approved(open_change(people, children=[MING, HONG]), people)
    assert children_of(permit) == [("张小明", "in_policy", ISSUED), ("张小红", "out_of_wedlock", TODAY)]


def test_the_last_child_cannot_be_removed(people):
    make_permit(people.applicant, people.unit, issued_on=ISSUED, children=[MING])
    codes = refused_codes(case_open, actor=people.handler, kind="children_change", unit=people.unit,
                          applicant=people.applicant, answers={"children": []})
    assert codes == {"answers.children": "last_child"}
    case = open_change(people, children=[MING, HONG])
    assert refused_codes(case_update_answers, case=case, actor=people.handler, answers={"children": []}) == {
        "answers.children": "last_child"}


def test_a_children_change_that_changes_nothing_is_refused(people):
    make_permit(people.applicant, people.unit, issued_on=ISSUED, children=[MING])
    codes = refused_codes(case_open, actor=people.handler, kind="children_change", unit=people.unit,
                          applicant=people.applicant, answers={"children": [MING]})
    assert codes == {"answers.children": "no_change"}
    profile(people, children=[{"case": "in_policy"}])  # the profile's children: those the permit carries already
    case = open_change(people)
    assert refused_codes(case_submit, case=case, actor=people.applicant) == {"answers.children": "no_change"}


# --- info_change: address and education -------------------------------------------------------------------------------


def test_an_address_change_records_the_new_home_and_its_address_stays_on_the_decision(people):
    make_permit(people.applicant, people.unit, issued_on=ISSUED)
    new_home = {"kind": "rented_residential", "lease_end": "2028-01-31", "address": HOME}
    case = approved(open_change(people, "info_change", "address", housing=new_home), people)
    assert case.frozen_facts["applicant"]["housing"] == {"kind": "rented_residential", "lease_end": "2028-01-31"}
    facts = ApplicantProfile.objects.get(user=people.applicant).facts
    assert facts["housing"] == {"kind": "rented_residential", "lease_end": "2028-01-31"}
    assert ("新居住地址", f"租住居民户房屋，{HOME}，租期至2028-01-31") in approved_particulars(case)


def test_an_address_change_without_answers_records_the_profiles_home_not_nothing(people):
    make_permit(people.applicant, people.unit, issued_on=ISSUED)
    approved(open_change(people, "info_change", "address"), people)
    assert ApplicantProfile.objects.get(user=people.applicant).facts["housing"] == {"kind": "owned", "lease_end": None}


@pytest.mark.parametrize(
    ("housing", "path", "code"),
    [
        ({"lease_end": None}, "answers.housing.kind", "housing_required"),
        ({"kind": "rented_rural"}, "answers.housing.lease_end", "lease_end_required"),
        ({"kind": "owned", "address": "将台路"}, "answers.housing.address", "no_house_number"),
        ({"kind": "owned", "address": 5}, "answers.housing.address", "not_text"),
    ],
    ids=["no-kind", "rented-without-lease", "no-house-number", "address-not-text"],
)
def test_an_address_change_missing_its_home_is_refused_when_opened(people, housing, path, code):
    make_permit(people.applicant, people.unit, issued_on=ISSUED)
    codes = refused_codes(case_open, actor=people.handler, kind="info_change", subtype="address", unit=people.unit,
                          applicant=people.applicant, answers={"housing": housing})
    assert codes == {path: code}


def test_an_address_change_without_a_home_anywhere_is_refused_at_submission(people):
    make_permit(people.applicant, people.unit, issued_on=ISSUED)
    case = open_change(people, "info_change", "address")
    profile(people, housing=None)
    assert refused_codes(case_submit, case=case, actor=people.applicant) == {"answers.housing": "housing_required"}


def test_an_education_change_takes_the_profiles_degree_or_is_refused_without_one(people):
    make_permit(people.applicant, people.unit, issued_on=ISSUED)
    case = open_change(people, "info_change", "education")
    approved(case, people)
    assert ApplicantProfile.objects.get(user=people.applicant).facts["degree"] == "master"  # kept, not erased
    profile(people, degree=None)
    again = open_change(people, "info_change", "education")
    assert refused_codes(submitted_by_the_unit, case=again, people=people) == {"answers.degree": "degree_required"}


# --- the API ------------------------------------------------------------------------------------------------------------


def caller(user: Any) -> Caller:
    return Caller(token_create(user=user))


def test_api_a_children_change_without_children_is_422_at_submission_naming_the_answer(people):
    make_permit(people.applicant, people.unit, issued_on=ISSUED)
    applicant = caller(people.applicant)
    opened = applicant.post("/cases", {"kind": "children_change", "unit": people.unit.credit_code})
    assert opened.status_code == 201
    response = applicant.post(f"/cases/{opened.json()['id']}/submit")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert list(body["fields"]) == ["answers.children"]
    assert Case.objects.get().state == CaseState.DRAFT


def test_api_removing_the_last_child_is_422_when_opened(people):
    make_permit(people.applicant, people.unit, issued_on=ISSUED, children=[MING])
    response = caller(people.handler).post("/cases", {
        "kind": "children_change", "unit": people.unit.credit_code, "applicant": people.applicant.username,
        "answers": {"children": []}})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["answers.children"]
    assert not Case.objects.exists()


def test_api_a_children_change_from_the_profile_is_approved_by_the_clerk(people):
    permit = make_permit(people.applicant, people.unit, issued_on=ISSUED, children=[MING])
    profile(people, children=[{"case": "in_policy"}, {"case": "divorced_custody"}])
    opened = caller(people.applicant).post("/cases", {"kind": "children_change", "unit": people.unit.credit_code})
    case = Case.objects.get(public_id=opened.json()["id"])
    case = case_start_review(case=submitted_by_the_unit(case, people), actor=people.clerk)
    for code in case_checklist(case):
        material_verdict(case=case, code=code, actor=people.clerk, accepted=True)
    response = caller(people.clerk).post(f"/cases/{case.public_id}/approve", {})
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "approved"
    children = caller(people.applicant).get(f"/permits/{permit.number}").json()["children"]
    assert [(child["name"], child["case"]) for child in children] == [("张小明", "in_policy"), ("", "divorced_custody")]


# --- the pages ----------------------------------------------------------------------------------------------------------


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def field_block(html: str, name: str) -> str:
    start = html.index(f'id="field-{name}"')
    following = html.find('id="field-', start + 10)
    return html[start : following if following != -1 else len(html)]


def test_the_answers_page_shows_the_permits_children_to_remove_and_keeps_the_others(people):
    make_permit(people.applicant, people.unit, issued_on=ISSUED, children=[MING, HONG])
    case = open_change(people, children=[MING, HONG, {"name": "张小刚", "case": "in_policy"}])
    url = reverse("portal:unit_case_answers", args=[case.public_id])
    handler = signed_in(people.handler)
    page = handler.get(url).content.decode()
    assert "工作居住证上现有的随往子女" in page
    assert "删除 张小明（" in field_block(page, "remove_0")
    assert 'value="张小刚"' in field_block(page, "child_0_name")  # the child added, not those kept
    handler.post(url, {"remove_1": "on", "child_0_name": "张小刚", "child_0_case": "in_policy"})
    case.refresh_from_db()
    assert case.answers["children"] == [MING, {"name": "张小刚", "case": "in_policy"}]
    assert "checked" in field_block(handler.get(url).content.decode(), "remove_1")


def test_removing_every_child_on_the_page_is_refused_next_to_the_boxes(people):
    make_permit(people.applicant, people.unit, issued_on=ISSUED, children=[MING])
    case = open_change(people, children=[MING, HONG])
    response = signed_in(people.handler).post(reverse("portal:unit_case_answers", args=[case.public_id]),
                                              {"remove_0": "on"})
    assert response.status_code == 422
    assert "不能删除全部随往子女" in field_block(response.content.decode(), "remove_0")
    case.refresh_from_db()
    assert case.answers["children"] == [MING, HONG]


def test_the_unit_starts_an_address_change_with_the_new_address(people):
    make_permit(people.applicant, people.unit, issued_on=ISSUED)
    association = Association.objects.get(applicant=people.applicant, unit=people.unit)
    start = reverse("portal:unit_case_start", args=[association.pk])
    handler = signed_in(people.handler)
    refused = handler.post(start, {"item": "info_change:address", "housing_kind": "owned", "housing_address": "将台路"})
    assert refused.status_code == 422
    assert "门牌号" in field_block(refused.content.decode(), "housing_address")
    handler.post(start, {"item": "info_change:address", "housing_kind": "owned", "housing_address": HOME})
    assert Case.objects.get().answers == {"housing": {"kind": "owned", "lease_end": None, "address": HOME}}


def test_the_applicants_new_children_change_starts_from_the_permits_children(people):
    make_permit(people.applicant, people.unit, issued_on=ISSUED, children=[MING])
    applicant = signed_in(people.applicant)
    url = reverse("portal:applicant_case_new")
    page = applicant.get(url, {"kind": "children_change"}).content.decode()
    assert "删除 张小明（" in field_block(page, "remove_0")
    unchanged = applicant.post(url, {"kind": "children_change", "subtype": ""})
    assert "没有变更" in field_block(unchanged.content.decode(), "child_0_name")
    applicant.post(url, {"kind": "children_change", "subtype": "", "child_0_name": "张小红",
                         "child_0_case": "out_of_wedlock"})
    assert Case.objects.get().answers == {"children": [MING, HONG]}
