"""The kinds of case: every service item and info_change subtype described once, its flags as the policy says, and
its answers schema the one the services check."""

from __future__ import annotations

from collections import Counter

import pytest

from wrp.cases.kinds import (
    BUREAU_KINDS,
    KINDS,
    PERSONAL_KINDS,
    QUOTA_KINDS,
    UNIT_KINDS,
    kind_of,
    kind_spec,
)
from wrp.cases.models import Case
from wrp.cases.services import case_open
from wrp.core.errors import Invalid
from wrp.policy.codes import PERSONAL_SERVICES, UNIT_SERVICES, ChangeSubtype, Reviewer, Service
from wrp.policy.items import ITEMS


def test_every_service_and_every_subtype_is_described_once():
    services = Counter(spec.service for spec in KINDS.values() if spec.subtype is None)
    subtypes = Counter(spec.subtype for spec in KINDS.values() if spec.subtype is not None)
    assert set(services) | {Service.INFO_CHANGE} == set(Service)
    assert all(count == 1 for count in services.values())
    assert Counter(set(ChangeSubtype)) == subtypes
    assert all(spec.service == Service.INFO_CHANGE for spec in KINDS.values() if spec.subtype is not None)
    assert len(KINDS) == len(Service) - 1 + len(ChangeSubtype)


@pytest.mark.parametrize("key", list(KINDS))
def test_the_flags_of_a_kind_are_those_of_the_policys_item(key):
    spec = KINDS[key]
    item = ITEMS[spec.service]
    assert spec.personal == (spec.service in PERSONAL_SERVICES)
    assert spec.needs_quota == item.needs_quota
    assert spec.to_bureau == (Reviewer.DISTRICT_BUREAU in item.review_chain)
    assert spec.time_limit == item.time_limit
    assert spec.title[0].startswith(item.title_zh)
    assert str(spec.decision)
    assert callable(spec.effect)


def test_the_kind_sets_are_the_policys():
    assert PERSONAL_KINDS == PERSONAL_SERVICES
    assert UNIT_KINDS == UNIT_SERVICES
    assert {Service.INITIAL, Service.EMPLOYER_CHANGE} == QUOTA_KINDS
    assert {Service.INITIAL, Service.RENEWAL} == BUREAU_KINDS


def test_only_kinds_that_act_on_an_existing_permit_say_so():
    acting = {spec.key for spec in KINDS.values() if spec.on_permit}
    assert acting == {key for key in KINDS if key.split(":")[0] in PERSONAL_SERVICES - {Service.INITIAL}}


def test_a_kind_is_found_by_its_service_and_subtype():
    assert kind_spec("initial").key == "initial"
    assert kind_spec("info_change", "address").key == "info_change:address"
    assert kind_of(Case(kind="info_change", subtype="education")).key == "info_change:education"
    assert kind_of(Case(kind="renewal", subtype="")).key == "renewal"
    with pytest.raises(KeyError):
        kind_spec("info_change")


@pytest.mark.parametrize(
    ("key", "answers", "facts"),
    [
        ("initial", {"children", "housing_loan"}, ("children",)),
        ("children_change", {"children"}, ("children",)),
        ("info_change:address", {"housing", "housing_loan"}, ("housing",)),
        ("info_change:name_or_hukou", {"real_name", "hukou"}, ("hukou",)),
        ("info_change:education", {"degree"}, ("degree",)),
        ("renewal", set(), ()),
        ("unit_opening", set(), ()),
    ],
)
def test_the_answers_of_a_kind_and_those_sent_to_the_policy(key, answers, facts):
    spec = KINDS[key]
    assert spec.answer_names == answers
    assert spec.fact_names == facts
    assert all(str(field.label) for field in spec.answers)


@pytest.mark.django_db
def test_the_service_refuses_an_answer_the_kind_does_not_carry(people):
    with pytest.raises(Invalid) as refused:
        case_open(
            actor=people.handler, kind="info_change", subtype="education", unit=people.unit, applicant=people.applicant,
            answers={"degree": "doctor", "housing": {"kind": "owned"}},
        )
    assert refused.value.codes == {"answers.housing": "answer_not_allowed"}
    assert refused.value.messages() == {"answers.housing": "此类案件不填写该项。"}


@pytest.mark.django_db
def test_children_are_rows_of_a_name_and_a_case(people):
    with pytest.raises(Invalid) as refused:
        case_open(
            actor=people.handler, kind="children_change", unit=people.unit, applicant=people.applicant,
            answers={"children": [{"name": "张小明", "case": "in_policy"}, {"name": "张小红", "age": 3}]},
        )
    assert refused.value.codes == {"answers.children.1": "bad_row"}
