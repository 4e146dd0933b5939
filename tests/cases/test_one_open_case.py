"""One open case per purpose (issue 11 §9): an applicant holds at most one unfinished `initial` and one unfinished
`employer_change` case; a second is refused at opening with the first's number, by the service and by the database."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from tests.factories import make_association, make_open_unit, make_user
from tests.race import run_concurrently
from wrp.accounts.models import Role
from wrp.cases.models import FINISHED_STATES, ONE_OPEN_PER_APPLICANT, Case, CaseState
from wrp.cases.services import case_open, case_withdraw
from wrp.cases.workflow import FINAL_STATES
from wrp.core.errors import Invalid

pytestmark = pytest.mark.django_db


def test_the_guards_finished_states_are_the_workflows_final_states():
    assert set(FINISHED_STATES) == {str(state) for state in FINAL_STATES}


@pytest.mark.parametrize("kind", ONE_OPEN_PER_APPLICANT)
def test_a_second_open_case_of_the_same_purpose_is_refused_with_the_firsts_number(people, kind):
    first = case_open(actor=people.applicant, kind=kind, unit=people.unit)
    with pytest.raises(Invalid) as refused:
        case_open(actor=people.handler, kind=kind, unit=people.unit, applicant=people.applicant)
    assert refused.value.codes == {"kind": "open_case_exists"}
    assert first.public_id in str(refused.value.fields["kind"])
    assert Case.objects.filter(applicant=people.applicant, kind=kind).count() == 1


def test_the_first_case_counts_in_every_unfinished_state(people):
    first = case_open(actor=people.applicant, kind="initial", unit=people.unit)
    for state in set(CaseState) - set(FINAL_STATES):
        Case.objects.filter(pk=first.pk).update(state=state)
        with pytest.raises(Invalid):
            case_open(actor=people.applicant, kind="initial", unit=people.unit)


@pytest.mark.parametrize("state", sorted(FINISHED_STATES))
def test_a_finished_case_does_not_stop_a_new_one(people, state):
    first = case_open(actor=people.applicant, kind="initial", unit=people.unit)
    Case.objects.filter(pk=first.pk).update(state=state)
    assert case_open(actor=people.applicant, kind="initial", unit=people.unit).pk != first.pk


def test_reopening_is_allowed_after_withdrawal(people):
    first = case_open(actor=people.applicant, kind="initial", unit=people.unit)
    case_withdraw(case=first, actor=people.applicant)
    second = case_open(actor=people.applicant, kind="initial", unit=people.unit)
    assert second.state == CaseState.DRAFT
    assert second.public_id != first.public_id


def test_other_purposes_and_other_applicants_are_not_held_back(people):
    case_open(actor=people.applicant, kind="initial", unit=people.unit)
    case_open(actor=people.applicant, kind="employer_change", unit=people.unit)
    case_open(actor=people.applicant, kind="children_change", unit=people.unit)
    case_open(actor=people.applicant, kind="children_change", unit=people.unit)  # not a one-per-purpose kind
    make_association(people.other_applicant, people.unit)
    case_open(actor=people.other_applicant, kind="initial", unit=people.unit)
    assert Case.objects.filter(kind="initial").count() == 2


def test_the_database_refuses_a_second_open_case_written_around_the_service(people):
    first = case_open(actor=people.applicant, kind="initial", unit=people.unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(public_id="C2611DUPLICATE", kind="initial", unit=people.unit,
                            applicant=people.applicant, created_by=people.handler)
    assert list(Case.objects.filter(applicant=people.applicant)) == [first]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_racing_opens_of_the_same_purpose_leave_one_case(frozen_clock):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer and proves nothing")
    handler = make_user(Role.UNIT_HANDLER)
    unit = make_open_unit(handler)
    applicant = make_user(Role.APPLICANT)
    make_association(applicant, unit)
    for _ in range(5):
        results = run_concurrently(lambda: case_open(actor=handler, kind="initial", unit=unit, applicant=applicant),
                                   times=4)
        opened = [result for result in results if isinstance(result, Case)]
        refused = [result for result in results if isinstance(result, Invalid)]
        assert len(opened) == 1, results
        assert len(refused) == 3, results
        assert all(opened[0].public_id in str(error.fields["kind"]) for error in refused)
        Case.objects.filter(pk=opened[0].pk).update(state=CaseState.WITHDRAWN)
