"""The self-check's questions come from the policy, and fully answered they make a request the policy accepts."""

from __future__ import annotations

from datetime import date
from itertools import product
from typing import Any

import pytest
from django.http import QueryDict

from wrp.policy import evaluate
from wrp.policy.codes import Service
from wrp.public.forms import CheckForm, assessment_request
from wrp.public.questions import (
    CHOICE,
    COUNT,
    DATE,
    DECIMAL,
    FLAG,
    MONEY,
    MULTI,
    NONE_CHOICE,
    NUMBER_CHOICE,
    YES_NO,
    questionnaire,
)

AS_OF = date(2026, 11, 26)
# Structural answers tried in every combination (each changes which other questions appear).
VARIANTS: dict[str, tuple[str, ...]] = {
    "change__subtype": ("address", "name_or_hukou", "education"),
    "unit__kind": ("enterprise", "social_organization"),
    "unit__legal_person": ("yes", "no"),
    "unit__account__status": ("open", "none"),
    "unit__tax_district": ("chaoyang", "haidian"),
    "applicant__housing__kind": ("rented_rural", "owned"),
    "applicant__permit__status": ("valid", "none"),
    "applicant__award__level": ("national", "none"),
    "applicant__contract_end__open": ("", "on"),
}
TYPICAL = {DATE: "2028-01-01", MONEY: "300000", DECIMAL: "3", COUNT: "1"}


def answer_everything(service: Service, chosen: dict[str, str]) -> QueryDict:
    """Answer every question shown, repeating while answers bring new questions."""
    answers: dict[str, Any] = {"service": str(service), **chosen}
    for _round in range(5):
        shown = questionnaire(service, AS_OF, answers).questions
        new = False
        for question in shown:
            if question.name in answers or question.kind in (MULTI, FLAG):
                continue
            if question.kind in (CHOICE, NUMBER_CHOICE, NONE_CHOICE, YES_NO):
                value = question.choices[-1][0] if question.kind == NONE_CHOICE else question.choices[0][0]
            else:
                value = TYPICAL[question.kind]
            answers[question.name] = value
            new = True
        if not new:
            break
    data = QueryDict(mutable=True)
    for key, value in answers.items():
        if value:
            data[key] = value
    return data


def cases() -> list[tuple[Service, int | None, dict[str, str]]]:
    out = []
    for service in Service:
        conditions: list[int | None] = list(range(1, 11)) if service == Service.INITIAL else [None]
        for condition, combination in product(conditions, product(*VARIANTS.values())):
            chosen = dict(zip(VARIANTS, combination, strict=True))
            if condition is not None:
                chosen["applicant__talent_condition"] = str(condition)
            out.append((service, condition, chosen))
    return out


@pytest.mark.parametrize(("service", "condition", "chosen"), cases()[::37])
def test_a_fully_answered_form_is_a_complete_request(
    service: Service, condition: int | None, chosen: dict[str, str]
) -> None:
    data = answer_everything(service, chosen)
    form = CheckForm(questionnaire(service, AS_OF, data), "zh", data)
    assert form.is_valid(), form.errors
    assert form.remaining() == 0
    evaluate(form.request_dict())  # raises InvalidRequest naming anything missing or malformed


@pytest.mark.parametrize("service", list(Service))
def test_each_fact_the_service_reads_is_asked(service: Service) -> None:
    answers = {"unit__kind": "enterprise", "unit__legal_person": "yes", "change__subtype": "address"}
    shown = questionnaire(service, AS_OF, answers)
    asked = {question.path for question in shown.questions}
    assert shown.facts
    for fact in shown.facts:
        if fact == "unit.tax_paid_since":
            continue  # asked once the tax district is Chaoyang
        assert any(path == fact or path.startswith(fact + ".") for path in asked), fact


def test_unit_services_ask_nothing_of_an_applicant() -> None:
    for service in (Service.UNIT_OPENING, Service.UNIT_TRANSFER):
        assert all(q.path.startswith("unit.") for q in questionnaire(service, AS_OF, {}).questions)


def test_field_names_are_fact_paths_with_double_underscores() -> None:
    names = [q.name for q in questionnaire(Service.INITIAL, AS_OF, {"applicant__housing__kind": "owned"}).questions]
    assert "applicant__housing__kind" in names
    assert "applicant__children__0__case" in names
    assert "applicant__contract_end" in names
    assert "applicant__contract_end__open" in names


def test_yearly_amounts_ask_the_three_years_before_the_declaration() -> None:
    names = [q.name for q in questionnaire(Service.INITIAL, AS_OF, {"applicant__talent_condition": "8"}).questions]
    assert [n for n in names if n.startswith("applicant__annual_tax_paid")] == [
        "applicant__annual_tax_paid__2023",
        "applicant__annual_tax_paid__2024",
        "applicant__annual_tax_paid__2025",
    ]


def test_the_qualifications_offered_follow_the_condition() -> None:
    def offered(condition: str) -> set[str]:
        found = questionnaire(Service.INITIAL, AS_OF, {"applicant__talent_condition": condition}).questions
        return {value for q in found if q.name == "unit__qualifications" for value, _ in q.choices}

    assert offered("4") == {"new_rnd_institution", "innovative_hq", "high_tech_enterprise"}
    assert "law_firm" in offered("5")
    assert "high_tech_enterprise" not in offered("5")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("applicant.children.0.case", "applicant__children__0__case"),
        ("applicant.housing", "applicant__housing__kind"),
        ("applicant.housing.lease_end", "applicant__housing__lease_end"),
        ("unit.account", "unit__account__status"),
        ("applicant.taxable_income_12m", "applicant__taxable_income_12m"),
        ("unit", "unit__kind"),
        ("as_of", None),
    ],
)
def test_a_policy_error_path_finds_its_field(path: str, field: str | None) -> None:
    shown = questionnaire(Service.INITIAL, AS_OF, {"applicant__housing__kind": "rented_rural"})
    assert shown.field_for(path) == field


def test_none_choices_and_hidden_facts_become_null_in_the_request() -> None:
    answers = {"unit__tax_district": "haidian", "unit__penalty": "none", "applicant__contract_end__open": "on"}
    shown = questionnaire(Service.RENEWAL, AS_OF, answers)
    request = assessment_request(
        shown,
        {
            "unit__tax_district": "haidian",
            "unit__penalty": "none",
            "applicant__contract_end__open": True,
            "applicant__permit__status": "none",
        },
    )
    assert request["unit"]["penalty"] is None
    assert request["applicant"]["contract_end"] is None
    assert request["applicant"]["permit"] is None
    assert "tax_paid_since" not in request["unit"]  # renewal does not read it


def test_the_tax_start_date_is_null_when_the_unit_pays_tax_elsewhere() -> None:
    shown = questionnaire(Service.UNIT_OPENING, AS_OF, {"unit__tax_district": "haidian"})
    assert "unit.tax_paid_since" not in {q.path for q in shown.questions}
    assert assessment_request(shown, {"unit__tax_district": "haidian"})["unit"]["tax_paid_since"] is None


def test_unanswered_questions_are_left_out_of_the_request() -> None:
    request = assessment_request(questionnaire(Service.INITIAL, AS_OF, {}), {})
    assert request == {"service": "initial", "as_of": "2026-11-26", "applicant": {"children": []}}


def test_children_are_listed_in_order() -> None:
    answers = {"applicant__children__0__case": "in_policy", "applicant__children__1__case": "out_of_wedlock"}
    shown = questionnaire(Service.CHILDREN_CHANGE, AS_OF, answers)
    assert assessment_request(shown, answers)["applicant"]["children"] == [
        {"case": "in_policy"},
        {"case": "out_of_wedlock"},
    ]


@pytest.mark.parametrize(
    ("answers", "asked"),
    [
        ({"unit__kind": "enterprise", "unit__legal_person": "yes"}, True),
        ({"unit__kind": "enterprise", "unit__legal_person": "no"}, False),
        ({"unit__kind": "social_organization", "unit__legal_person": "yes"}, False),
        ({}, False),
    ],
    ids=["legal-person-enterprise", "not-a-legal-person", "social-organisation", "not-yet-said"],
)
def test_capital_and_tax_amounts_are_asked_of_legal_person_enterprises_only(
    answers: dict[str, str], asked: bool
) -> None:
    names = {q.name for q in questionnaire(Service.UNIT_OPENING, AS_OF, answers).questions}
    assert ("unit__registered_capital" in names) is asked
    assert ("unit__annual_tax__2025" in names) is asked


@pytest.mark.parametrize(("subtype", "asked"), [("address", True), ("education", False), ("", False)])
def test_housing_is_asked_for_an_address_change_only(subtype: str, asked: bool) -> None:
    names = {q.name for q in questionnaire(Service.INFO_CHANGE, AS_OF, {"change__subtype": subtype}).questions}
    assert ("applicant__housing__kind" in names) is asked


def test_conditions_4_and_5_ask_no_twelve_month_income() -> None:
    names = {q.name for q in questionnaire(Service.INITIAL, AS_OF, {"applicant__talent_condition": "4"}).questions}
    assert "applicant__taxable_income_12m" not in names
    assert "applicant__taxable_income_by_year__2025" in names
