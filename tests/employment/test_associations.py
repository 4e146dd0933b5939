"""Associations (员工关联): request, accept, refuse, release (POLICY §9, cases-api.md §Applicants and associations)."""

from datetime import date, timedelta

import pytest

from tests.factories import make_association, make_permit, make_unit, make_user
from tests.units.conftest import TODAY
from wrp.accounts.models import Role
from wrp.audit.models import AuditEvent
from wrp.core.errors import Forbidden, Invalid, InvalidState, NotFound
from wrp.employment.selectors import active_association, association_for, associations_visible_to
from wrp.employment.services import association_accept, association_refuse, association_release, association_request
from wrp.permits.models import PermitStatus
from wrp.units.models import Association, AssociationState
from wrp.units.services import unit_regenerate_association_code

# --- request -------------------------------------------------------------------------------------------------------


def test_applicant_requests_an_association_by_code(people):
    association = association_request(actor=people.applicant, association_code=people.unit.association_code)
    assert (association.unit, association.applicant, association.state) == (
        people.unit, people.applicant, AssociationState.REQUESTED)
    assert AuditEvent.objects.filter(action="association.request").count() == 1


def test_the_code_is_accepted_as_typed(people):
    code = people.unit.association_code
    association = association_request(actor=people.applicant, association_code=f" {code[:4].lower()} {code[4:]} ")
    assert association.unit == people.unit


@pytest.mark.parametrize("code", ["ZZZZZZZZ", "", "   "])
def test_an_unknown_code_is_refused_naming_the_code(people, code):
    with pytest.raises(Invalid) as refused:
        association_request(actor=people.applicant, association_code=code)
    assert set(refused.value.fields) == {"association_code"}


def test_an_old_code_stops_working_once_regenerated(people):
    old = people.unit.association_code
    unit_regenerate_association_code(unit=people.unit, actor=people.handler)
    with pytest.raises(Invalid):
        association_request(actor=people.applicant, association_code=old)


@pytest.mark.parametrize("persona", ["handler", "clerk", "approver", "admin"])
def test_only_applicants_request_associations(people, persona):
    with pytest.raises(Forbidden):
        association_request(actor=getattr(people, persona), association_code=people.unit.association_code)


@pytest.mark.parametrize("state", [AssociationState.REQUESTED, AssociationState.ACTIVE])
def test_a_second_open_request_to_the_same_unit_is_refused_with_its_state(people, state):
    make_association(people.applicant, people.unit, state)
    with pytest.raises(InvalidState) as refused:
        association_request(actor=people.applicant, association_code=people.unit.association_code)
    assert refused.value.state == state
    assert Association.objects.count() == 1


def test_a_request_while_active_with_another_unit_is_refused_as_active(people):
    make_association(people.applicant, people.other_unit, AssociationState.ACTIVE)
    with pytest.raises(InvalidState) as refused:
        association_request(actor=people.applicant, association_code=people.unit.association_code)
    assert refused.value.state == "active"


@pytest.mark.parametrize("state", [AssociationState.REFUSED, AssociationState.RELEASED])
def test_a_new_request_after_a_refusal_or_release_is_allowed(people, state):
    make_association(people.applicant, people.unit, state)
    association = association_request(actor=people.applicant, association_code=people.unit.association_code)
    assert association.state == AssociationState.REQUESTED


def test_requests_to_several_units_may_be_pending_at_once(people):
    association_request(actor=people.applicant, association_code=people.unit.association_code)
    association_request(actor=people.applicant, association_code=people.other_unit.association_code)
    assert Association.objects.filter(applicant=people.applicant, state="requested").count() == 2


# --- accept / refuse -----------------------------------------------------------------------------------------------


def test_handler_accepts_a_request(people):
    association = make_association(people.applicant, people.unit, AssociationState.REQUESTED)
    accepted = association_accept(association=association, actor=people.handler)
    assert accepted.state == AssociationState.ACTIVE
    assert accepted.decided_at is not None
    assert active_association(people.applicant, people.unit) == accepted
    assert active_association(people.applicant, people.other_unit) is None


def test_handler_refuses_a_request(people):
    association = make_association(people.applicant, people.unit, AssociationState.REQUESTED)
    refused = association_refuse(association=association, actor=people.handler)
    assert refused.state == AssociationState.REFUSED
    assert active_association(people.applicant, people.unit) is None


@pytest.mark.parametrize("service", [association_accept, association_refuse])
@pytest.mark.parametrize("state", [AssociationState.ACTIVE, AssociationState.REFUSED, AssociationState.RELEASED])
def test_only_a_requested_association_is_accepted_or_refused(people, service, state):
    association = make_association(people.applicant, people.unit, state)
    with pytest.raises(InvalidState) as refused:
        service(association=association, actor=people.handler)
    assert refused.value.state == state


def test_accepting_while_the_applicant_is_active_elsewhere_is_refused(people):
    pending = make_association(people.applicant, people.unit, AssociationState.REQUESTED)
    association_accept(
        association=make_association(people.applicant, people.other_unit, AssociationState.REQUESTED),
        actor=people.other_handler,
    )
    with pytest.raises(InvalidState) as refused:
        association_accept(association=pending, actor=people.handler)
    assert refused.value.state == "active"
    pending.refresh_from_db()
    assert pending.state == AssociationState.REQUESTED


@pytest.mark.parametrize("service", [association_accept, association_refuse])
@pytest.mark.parametrize(("persona", "error"), [
    ("other_handler", NotFound), ("other_applicant", NotFound), ("admin", NotFound),
    ("applicant", Forbidden), ("clerk", Forbidden), ("approver", Forbidden),
])
def test_only_the_units_handlers_decide_a_request(people, service, persona, error):
    association = make_association(people.applicant, people.unit, AssociationState.REQUESTED)
    with pytest.raises(error):
        service(association=association, actor=getattr(people, persona))
    association.refresh_from_db()
    assert association.state == AssociationState.REQUESTED


# --- release -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("days_ago", "late"), [
    (0, False), (1, False), (59, False), (60, False), (61, True), (400, True),
])
def test_a_release_more_than_60_days_after_leaving_is_late(people, days_ago, late):
    association = make_association(people.applicant, people.unit)
    left_on = TODAY - timedelta(days=days_ago)
    released = association_release(association=association, actor=people.handler, left_on=left_on)
    assert released.state == AssociationState.RELEASED
    assert released.left_on == left_on
    assert released.released_at is not None
    assert released.late is late


def test_release_counts_from_the_given_today(people):
    association = make_association(people.applicant, people.unit)
    released = association_release(association=association, actor=people.handler, left_on=date(2025, 1, 1),
                                   today=date(2025, 3, 2))  # 60 days
    assert released.late is False


def test_leaving_date_after_today_is_refused(people):
    association = make_association(people.applicant, people.unit)
    with pytest.raises(Invalid) as refused:
        association_release(association=association, actor=people.handler, left_on=TODAY + timedelta(days=1))
    assert set(refused.value.fields) == {"left_on"}
    association.refresh_from_db()
    assert association.state == AssociationState.ACTIVE


def test_leaving_date_before_the_association_began_is_accepted(people):
    association = make_association(people.applicant, people.unit)
    released = association_release(association=association, actor=people.handler, left_on=date(2020, 1, 1))
    assert released.late is True


@pytest.mark.parametrize("state", [AssociationState.REQUESTED, AssociationState.REFUSED, AssociationState.RELEASED])
def test_only_an_active_association_is_released(people, state):
    association = make_association(people.applicant, people.unit, state)
    with pytest.raises(InvalidState) as refused:
        association_release(association=association, actor=people.handler, left_on=TODAY)
    assert refused.value.state == state


def test_release_suspends_the_holders_valid_permit_of_that_unit(people):
    association = make_association(people.applicant, people.unit)
    permit = make_permit(people.applicant, people.unit, issued_on=date(2024, 1, 1))
    association_release(association=association, actor=people.handler, left_on=date(2025, 6, 1))
    permit.refresh_from_db()
    assert permit.status == PermitStatus.SUSPENDED
    assert permit.suspended_on == TODAY
    event = permit.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "suspended", "valid", "suspended", people.handler)


def test_release_leaves_permits_of_other_units_and_other_holders_alone(people):
    association = make_association(people.applicant, people.unit)
    make_association(people.other_applicant, people.unit)
    theirs = make_permit(people.other_applicant, people.unit)
    expired = make_permit(people.applicant, people.unit, issued_on=date(2020, 1, 1), status=PermitStatus.EXPIRED)
    association_release(association=association, actor=people.handler, left_on=TODAY)
    theirs.refresh_from_db()
    expired.refresh_from_db()
    assert theirs.status == PermitStatus.VALID
    assert expired.status == PermitStatus.EXPIRED


def test_release_without_a_permit_is_fine(people):
    association = make_association(people.applicant, people.unit)
    assert association_release(association=association, actor=people.handler, left_on=TODAY).late is False


@pytest.mark.parametrize(("persona", "error"), [
    ("other_handler", NotFound), ("other_applicant", NotFound), ("admin", NotFound),
    ("applicant", Forbidden), ("clerk", Forbidden), ("approver", Forbidden),
])
def test_only_the_units_handlers_release(people, persona, error):
    association = make_association(people.applicant, people.unit)
    with pytest.raises(error):
        association_release(association=association, actor=getattr(people, persona), left_on=TODAY)


def test_after_release_the_applicant_may_associate_with_a_new_unit(people):
    association = make_association(people.applicant, people.unit)
    association_release(association=association, actor=people.handler, left_on=TODAY)
    new = association_request(actor=people.applicant, association_code=people.other_unit.association_code)
    assert association_accept(association=new, actor=people.other_handler).state == AssociationState.ACTIVE


# --- visibility ------------------------------------------------------------------------------------------------------


def test_who_sees_which_associations(people):
    mine = make_association(people.applicant, people.unit)
    theirs = make_association(people.other_applicant, people.other_unit)
    assert set(associations_visible_to(people.applicant)) == {mine}
    assert set(associations_visible_to(people.handler)) == {mine}
    assert set(associations_visible_to(people.other_handler)) == {theirs}
    assert set(associations_visible_to(people.clerk)) == {mine, theirs}
    assert set(associations_visible_to(people.approver)) == {mine, theirs}
    assert not associations_visible_to(people.admin).exists()


def test_a_handler_with_several_units_sees_all_their_associations(people):
    second_unit = make_unit(people.handler)
    a = make_association(people.applicant, people.unit)
    b = make_association(people.other_applicant, second_unit, AssociationState.REQUESTED)
    assert set(associations_visible_to(people.handler)) == {a, b}


def test_association_for_refuses_what_the_user_may_not_see(people):
    association = make_association(people.applicant, people.unit)
    assert association_for(people.handler, association.pk) == association
    assert association_for(people.applicant, str(association.pk)) == association
    for persona in ("other_handler", "other_applicant", "admin"):
        with pytest.raises(NotFound):
            association_for(getattr(people, persona), association.pk)
    for bad in ("abc", None, 999999):
        with pytest.raises(NotFound):
            association_for(people.clerk, bad)


def test_an_outsider_handler_account_sees_nothing(people):
    assert not associations_visible_to(make_user(Role.UNIT_HANDLER)).exists()
