"""Properties of the assessment that hold for every request (contracts/assessment.md, POLICY §2–§7).

- More income never makes a case worse: the decision never goes from eligible / needs_review to ineligible, and no
  check that passed fails.
- A deadline is a working day, and a longer time limit never ends earlier.
- The three doors (Python, command line, HTTP) give the same answer, or the same error object, for the same input.
- Every check names a rule of POLICY and cites a clause of the guide; the checks are exactly the rules that apply.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.contract.doors import (
    as_bytes,
    cli_door_in_process,
    example_request,
    http_door,
    python_door,
    run_wrp,
    single_json_object,
)
from tests.properties.strategies import SERVICES, favourable_initial_requests, mutated, raised, requests
from wrp.policy import assess
from wrp.policy.rules import RULES
from wrp.policy.workdays import default_calendar

pytestmark = pytest.mark.django_db  # the HTTP door reads the administrators' reference data

# POLICY §5 and §6: every rule ID.
POLICY_RULES = {
    "U-KIND", "U-REGISTERED", "U-TAX-YEAR", "U-CAPITAL", "U-TAX-AMOUNT", "U-NOT-OPEN", "U-OPEN-ELSEWHERE",
    "U-OPEN-HERE", "U-PENALTY", "U-QUOTA",
    "A-NATIONALITY", "A-HUKOU", "A-DISPATCH", "A-NO-PERMIT", "A-TENURE", "A-HOUSING", "A-CONDITION", "A-INCOME",
    "A-INCOME-PAYER", "A-SOCIAL-INSURANCE", "A-SI-TRANSFERRED", "A-CONTRACT", "A-NO-SPOUSE", "A-CHILDREN",
    "P-VALID", "P-TRANSFERABLE", "P-RENEWAL-WINDOW", "P-RESERVE",
}  # fmt: skip
SERVICE_TIME_LIMITS = {
    "unit_opening": 7, "unit_transfer": 7, "initial": 20, "employer_change": 20, "children_change": 20,
    "info_change": 20, "renewal": 20,
}  # fmt: skip
# POLICY §1: review chain.
REVIEW_CHAINS = {service: ["window"] for service in SERVICES} | {
    "initial": ["window", "district_bureau"],
    "renewal": ["window", "district_bureau"],
}
FIRST_LOADED, LAST_LOADED = 2004, 2026
CALENDAR = default_calendar()


def rules_that_apply(request: dict[str, Any]) -> set[str]:
    """The column "applies to" of POLICY §5–§6, for one request."""
    service, unit, applicant = request["service"], request["unit"], request["applicant"]
    unit_conditions = {"U-KIND", "U-REGISTERED", "U-TAX-YEAR"}
    if unit["kind"] == "enterprise" and unit["legal_person"] is True:
        unit_conditions |= {"U-CAPITAL", "U-TAX-AMOUNT"}
    personal = {"U-OPEN-HERE", "U-PENALTY"}
    reserve = {"P-RESERVE"} if applicant.get("permit") is not None else set()
    if service == "unit_opening":
        return unit_conditions | {"U-NOT-OPEN", "U-PENALTY"}
    if service == "unit_transfer":
        return unit_conditions | {"U-OPEN-ELSEWHERE", "U-PENALTY"}
    if service == "initial":
        rules = personal | {
            "U-QUOTA", "A-NATIONALITY", "A-HUKOU", "A-DISPATCH", "A-NO-PERMIT", "A-TENURE", "A-HOUSING",
            "A-CONDITION", "A-INCOME-PAYER", "A-SOCIAL-INSURANCE", "A-CONTRACT", "A-NO-SPOUSE",
        }  # fmt: skip
        if request["as_of"] >= "2021-01-01" and applicant["talent_condition"] not in (4, 5):
            rules.add("A-INCOME")
        return rules
    if service == "employer_change":
        return personal | {"U-QUOTA", "P-TRANSFERABLE", "A-SI-TRANSFERRED", "A-CONTRACT"} | reserve
    if service == "children_change":
        return personal | {"P-VALID", "A-CHILDREN", "A-NO-SPOUSE"}
    if service == "info_change":
        return personal | {"P-VALID"} | ({"A-HOUSING"} if request["change"]["subtype"] == "address" else set())
    assert service == "renewal"
    return personal | {"P-VALID", "P-RENEWAL-WINDOW", "A-CONTRACT", "A-INCOME-PAYER", "A-SOCIAL-INSURANCE"} | reserve


# --- more income never hurts ------------------------------------------------------------------------------------------

EXTRA = st.one_of(
    st.integers(0, 2_000_000).map(Decimal),
    st.decimals(min_value=0, max_value=2_000_000, places=2, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=100)
@given(
    request=st.one_of(favourable_initial_requests(), requests(services=("initial",))),
    extra=EXTRA,
    extra_by_year=st.lists(EXTRA, min_size=3, max_size=3),
)
def test_more_income_never_turns_eligible_into_ineligible(request, extra, extra_by_year):
    before = assess(request)
    richer = copy.deepcopy(request)
    applicant = richer["applicant"]
    applicant["taxable_income_12m"] = raised(applicant["taxable_income_12m"], extra)
    if applicant["taxable_income_by_year"]:
        for year, more in zip(sorted(applicant["taxable_income_by_year"]), extra_by_year, strict=False):
            applicant["taxable_income_by_year"][year] = raised(applicant["taxable_income_by_year"][year], more)
    after = assess(richer)

    if before.decision in ("eligible", "needs_review"):
        assert after.decision != "ineligible", [c for c in after.checks if c.outcome == "fail"]
    outcomes_before = {check.rule: check.outcome for check in before.checks}
    assert {check.rule for check in after.checks} == set(outcomes_before)
    went_bad = [
        check.rule for check in after.checks if outcomes_before[check.rule] == "pass" and check.outcome == "fail"
    ]
    assert went_bad == []


# --- deadlines ---------------------------------------------------------------------------------------------------------


@settings(max_examples=300)
@given(
    start=st.dates(date(FIRST_LOADED, 1, 1), date(LAST_LOADED, 12, 31)),
    n=st.integers(1, 60),
    more=st.integers(1, 60),
)
def test_a_deadline_is_a_working_day_and_never_earlier_for_a_larger_n(start, n, more):
    due = CALENDAR.deadline(start, n)
    later = CALENDAR.deadline(start, n + more)
    assert due.date > start
    assert later.date > due.date
    assert due.provisional == (due.date.year > LAST_LOADED), "provisional exactly when an unloaded year is needed"
    assert CALENDAR.is_workday(due.date, provisional=due.provisional)
    if not due.provisional:
        assert CALENDAR.workdays_between(start, due.date) == n, "the N-th working day after the start"
        assert CALENDAR.add_workdays(start, n) == due.date


# --- the three doors agree --------------------------------------------------------------------------------------------


@settings(max_examples=40)
@given(request=st.one_of(requests(), mutated()), lang=st.sampled_from(("zh", "en")))
def test_the_three_doors_agree(request, lang):
    cache.clear()  # the HTTP door's rate limit must not answer for the policy
    raw = as_bytes(request)
    python = python_door(request if isinstance(request, dict) else raw, lang)
    event("valid request" if python[0] else "invalid request")
    assert cli_door_in_process(raw, lang) == python
    assert http_door(Client(), raw, lang) == python


def _unit_opening_request() -> dict[str, Any]:
    request = example_request()
    request.update(service="unit_opening", applicant=None)
    request["unit"]["account"] = {"status": "none"}
    return request


FIXED = [
    pytest.param(example_request(), "zh", id="example"),
    pytest.param(_unit_opening_request(), "en", id="unit-opening-without-applicant-in-english"),
    pytest.param({"service": "renewal", "as_of": "2025-06-31", "unit": {"kind": "?"}}, "zh", id="invalid"),
]


@pytest.fixture
def _empty_throttle_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.usefixtures("_empty_throttle_cache")
@pytest.mark.parametrize(("request_body", "lang"), FIXED)
def test_the_cli_subprocess_agrees_with_the_other_doors(client, request_body, lang):
    raw = as_bytes(request_body)
    result = run_wrp("assess", "--lang", lang, stdin=raw)
    python = python_door(request_body, lang)
    if python[0]:
        assert result.returncode == 0
        assert single_json_object(result.stdout.decode()) == python[1]
    else:
        assert result.returncode == 2
        assert result.stdout == b""
        assert single_json_object(result.stderr.decode()) == python[1]
    assert http_door(client, raw, lang) == python


# --- rules and clauses -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
@settings(max_examples=25)
@given(data=st.data())
def test_every_check_is_a_registered_rule_citing_the_guide(service, data):
    request = data.draw(requests(services=(service,)))
    body = assess(request).as_json_dict()
    for check in body["checks"]:
        assert check["rule"] in RULES, f"{check['rule']} is not registered"
        assert check["rule"] in POLICY_RULES, f"{check['rule']} is not a rule of POLICY"
        assert check["clause"].startswith("G"), check
        assert check["outcome"] in ("pass", "fail", "review", "warn")
    rules = [check["rule"] for check in body["checks"]]
    assert len(rules) == len(set(rules)), "each rule once"
    assert set(rules) == rules_that_apply(request), "exactly the rules that apply (POLICY §5–§6)"


@pytest.mark.parametrize("service", SERVICES)
@settings(max_examples=12)
@given(data=st.data())
def test_the_answer_follows_from_its_checks(service, data):
    request = data.draw(requests(services=(service,)))
    body = assess(request).as_json_dict()
    outcomes = {check["outcome"] for check in body["checks"]}
    expected = "ineligible" if "fail" in outcomes else "needs_review" if "review" in outcomes else "eligible"
    assert body["decision"] == expected
    assert body["service"] == service
    assert body["as_of"] == request["as_of"]
    assert body["time_limit_working_days"] == SERVICE_TIME_LIMITS[service]
    due = CALENDAR.deadline(date.fromisoformat(request["as_of"]), SERVICE_TIME_LIMITS[service])
    assert body["decision_due"] == due.date.isoformat()
    assert body.get("provisional", False) is due.provisional
    assert "provisional" not in body or body["provisional"] is True
    income_rules = {"A-INCOME"} | ({"A-CONDITION"} if service == "initial" and request["applicant"]["talent_condition"]
                                   in (4, 5) else set())  # fmt: skip
    assert (body["income"] is not None) == bool(income_rules & {check["rule"] for check in body["checks"]})
    assert len(body["materials"]) == len(set(body["materials"]))
    assert body["review_chain"] == REVIEW_CHAINS[service]
