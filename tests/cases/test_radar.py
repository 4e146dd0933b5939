"""The expiry radar and the bulk renewal drafts (issue 10 §4): the unit's employees' permits only, the window states
at their boundaries, a constant number of queries, and drafts opened all or nothing with the materials to upload
anew."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.cases.conftest import PROFILE
from tests.factories import case_in_state, make_association, make_permit, make_user
from wrp.accounts.models import ApplicantProfile, Role
from wrp.cases.models import Case, CaseMaterial, CaseState
from wrp.cases.radar import BEFORE, CLOSING, EXPIRED, OPEN, radar_rows, window_state
from wrp.cases.renewals import renewal_drafts_open, renewal_prefill
from wrp.core.errors import Forbidden, Invalid
from wrp.permits.models import Permit
from wrp.policy_runtime import policy_calendar

pytestmark = pytest.mark.django_db


def _expiring(permit: Permit, valid_until) -> Permit:
    Permit.objects.filter(pk=permit.pk).update(valid_until=valid_until)
    permit.refresh_from_db()
    return permit


@pytest.fixture
def approved(people):
    """The applicant's approved initial case, and the permit it issued."""
    case = case_in_state(people, "approved")
    return case, Permit.objects.get(holder=people.applicant)


def test_window_states_at_the_boundaries(today):
    calendar = policy_calendar()
    assert window_state(today + timedelta(days=61), today=today) == BEFORE
    assert window_state(today + timedelta(days=60), today=today) == OPEN
    assert window_state(today, today=today) == CLOSING
    assert window_state(today - timedelta(days=1), today=today) == EXPIRED
    due = calendar.deadline(today, 20).date  # the renewal's 20 working days end on valid_until: still open
    assert window_state(due, today=today) == OPEN
    assert window_state(due - timedelta(days=1), today=today) == CLOSING
    assert window_state(today + timedelta(days=60), today=today, status="expired") == EXPIRED


def test_only_the_units_employees_permits_appear(people, approved, today):
    _case, permit = approved
    released = make_user(Role.APPLICANT)
    make_association(released, people.unit, state="released")
    make_permit(released, people.unit)
    make_association(people.other_applicant, people.other_unit)
    make_permit(people.other_applicant, people.other_unit)
    rows = radar_rows(user=people.handler, unit=people.unit, today=today)
    assert [row.permit.number for row in rows] == [permit.number]
    assert rows[0].days_to_expiry == (permit.valid_until - today).days
    assert rows[0].window == BEFORE
    assert rows[0].next_step == "wait"
    assert not rows[0].selectable
    assert radar_rows(user=people.other_handler, unit=people.other_unit, today=today)[0].permit.holder == \
        people.other_applicant
    with pytest.raises(Forbidden):
        radar_rows(user=people.other_handler, unit=people.unit, today=today)
    with pytest.raises(Forbidden):
        radar_rows(user=people.clerk, unit=people.unit, today=today)


def test_filter_and_sort(people, approved, today):
    _case, permit = approved
    _expiring(permit, today + timedelta(days=30))
    other = make_user(Role.APPLICANT, real_name="乙")
    make_association(other, people.unit)
    later = make_permit(other, people.unit)
    numbers = [row.permit.number for row in radar_rows(user=people.handler, unit=people.unit, today=today)]
    assert numbers == [permit.number, later.number]
    numbers = [row.permit.number for row in radar_rows(user=people.handler, unit=people.unit, today=today,
                                                      sort="-days")]
    assert numbers == [later.number, permit.number]
    rows = radar_rows(user=people.handler, unit=people.unit, today=today, window="in_window")
    assert [row.permit.number for row in rows] == [permit.number]
    assert rows[0].selectable
    assert rows[0].next_step == "open_renewal"
    assert [r.permit.number for r in radar_rows(user=people.handler, unit=people.unit, today=today,
                                                window=BEFORE)] == [later.number]


def _count_queries(people, today) -> int:
    with CaptureQueriesContext(connection) as queries:
        rows = radar_rows(user=people.handler, unit=people.unit, today=today)
        [(row.next_step, row.holder_name) for row in rows]
    return len(queries)


def test_the_query_count_does_not_grow_with_the_permits(people, approved, today):
    policy_calendar()
    one = _count_queries(people, today)
    for _ in range(19):
        holder = make_user(Role.APPLICANT)
        make_association(holder, people.unit)
        make_permit(holder, people.unit, valid_until=today + timedelta(days=10))
    assert len(radar_rows(user=people.handler, unit=people.unit, today=today)) == 20
    assert _count_queries(people, today) == one


def test_bulk_open_creates_prefilled_drafts(people, approved, today):
    source, permit = approved
    _expiring(permit, today + timedelta(days=45))
    holder = make_user(Role.APPLICANT)
    ApplicantProfile.objects.create(user=holder, facts=dict(PROFILE))
    make_association(holder, people.unit)
    second = make_permit(holder, people.unit, valid_until=today + timedelta(days=5))
    cases = renewal_drafts_open(actor=people.handler, permits=[permit, second])
    assert [case.kind for case in cases] == ["renewal", "renewal"]
    assert all(case.state == CaseState.DRAFT for case in cases)
    first = cases[0]
    assert first.applicant == people.applicant
    assert first.unit == people.unit
    plan = renewal_prefill(first)
    assert plan == first.prefill
    assert plan["from"] == source.public_id
    assert plan["reused"] == ["labour_contract"]  # same contract, years left
    anew = {row["code"]: row["reason"] for row in plan["anew"]}
    assert anew["taxable_income_12m"] == "dated"
    assert anew["personal_integrity_declaration"] == "dated"
    carried = CaseMaterial.objects.get(case=first, code="labour_contract")
    assert carried.file_id == CaseMaterial.objects.get(case=source, code="labour_contract").file_id
    assert renewal_prefill(cases[1])["from"] is None  # no approved case: everything anew
    rows = radar_rows(user=people.handler, unit=people.unit, today=today)
    assert {row.next_step for row in rows} == {"complete_renewal"}


def test_a_changed_contract_is_uploaded_anew(people, approved, today):
    _source, permit = approved
    _expiring(permit, today + timedelta(days=45))
    ApplicantProfile.objects.filter(user=people.applicant).update(facts={**PROFILE, "contract_end": "2030-01-09"})
    case = renewal_drafts_open(actor=people.handler, permits=[permit])[0]
    assert {"code": "labour_contract", "reason": "contract_changed"} in case.prefill["anew"]


def test_refusals_change_nothing(people, approved, today):
    _source, permit = approved
    holder = make_user(Role.APPLICANT)
    make_association(holder, people.unit)
    in_window = make_permit(holder, people.unit, valid_until=today + timedelta(days=20))
    before = Case.objects.count()
    with pytest.raises(Invalid) as refused:  # the approved case's permit is years away from its window
        renewal_drafts_open(actor=people.handler, permits=[in_window, permit])
    assert refused.value.codes == {"permits.1": "not_in_renewal_window"}
    assert Case.objects.count() == before
    with pytest.raises(Invalid) as refused:
        renewal_drafts_open(actor=people.handler, permits=[])
    assert refused.value.codes == {"permits": "permits_required"}
    _expiring(permit, today + timedelta(days=10))
    renewal_drafts_open(actor=people.handler, permits=[permit])
    count = Case.objects.count()
    with pytest.raises(Invalid) as refused:
        renewal_drafts_open(actor=people.handler, permits=[in_window, permit])
    assert refused.value.codes == {"permits.1": "renewal_already_open"}
    assert Case.objects.count() == count
    with pytest.raises(Forbidden):
        renewal_drafts_open(actor=people.other_handler, permits=[in_window])
    assert Case.objects.count() == count


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_bulk_opens_at_once_open_one_draft(people, today):
    """The same permit sent twice at the same moment: one draft, the other refused (PostgreSQL row locks)."""
    from tests.race import run_concurrently

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    holder = make_user(Role.APPLICANT)
    make_association(holder, people.unit)
    permit = make_permit(holder, people.unit, valid_until=today + timedelta(days=20))
    results = run_concurrently(lambda: renewal_drafts_open(actor=people.handler, permits=[permit]), times=2)
    opened = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, Invalid)]
    assert len(opened) == 1, results
    assert len(refused) == 1, results
    assert refused[0].codes == {"permits.0": "renewal_already_open"}
    assert Case.objects.filter(kind="renewal", applicant=holder).count() == 1
