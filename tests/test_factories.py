"""The builders of tests/factories.py make what they promise: a case in each state it names, by the services."""

import pytest

from tests.cases.conftest import PROFILE
from tests.factories import CASE_STATES, case_in_state, make_association, make_ledger, make_unit
from wrp.accounts.models import ApplicantProfile
from wrp.cases.models import CaseState

pytestmark = pytest.mark.usefixtures("private_media")

TAXES = {"2023": "300000", "2024": "300000", "2025": "300000"}
WINDOW_STATES = [state for state in CASE_STATES if state not in ("awaiting_unit", "pending_approval")]


@pytest.fixture
def people(people, today):
    """The shared personas, the applicant with a complete profile and associated with `unit`, which has quota."""
    ApplicantProfile.objects.create(user=people.applicant, facts=dict(PROFILE))
    make_association(people.applicant, people.unit)
    make_ledger(people.unit, today.year, granted=3)
    return people


@pytest.mark.parametrize("state", CASE_STATES)
def test_an_initial_case_is_brought_to_each_state(people, state):
    case = case_in_state(people, state, by_applicant=state == "awaiting_unit")
    assert case.state == CaseState(state)
    assert (case.kind, case.unit, case.applicant) == ("initial", people.unit, people.applicant)


@pytest.mark.parametrize("state", WINDOW_STATES)
def test_a_unit_opening_is_brought_to_each_state_at_the_window(people, state):
    unit = make_unit(people.handler, annual_tax=TAXES)
    case = case_in_state(people, state, kind="unit_opening", unit=unit)
    assert case.state == CaseState(state)
    assert (case.unit, case.applicant) == (unit, None)


def test_a_window_kind_is_never_pending_at_the_bureau(people):
    with pytest.raises(ValueError, match="pending_approval"):
        case_in_state(people, "pending_approval", kind="unit_opening")
