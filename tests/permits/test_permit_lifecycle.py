"""The permit lifecycle (DESIGN.md): issue, suspend, transfer, extend, children, revoke — each with its event."""

from datetime import date

import pytest

from tests.factories import make_permit, make_user
from tests.permits.conftest import TODAY
from wrp.accounts.models import Role
from wrp.audit.models import AuditEvent
from wrp.core.errors import Forbidden, Invalid, InvalidState, NotFound
from wrp.permits.models import Permit, PermitStatus
from wrp.permits.services import (
    NUMBER_ALPHABET,
    permit_add_children,
    permit_extend,
    permit_issue,
    permit_revoke,
    permit_suspend,
    permit_transfer,
)


def events(permit):
    return [(e.action, e.from_status, e.to_status) for e in permit.events.all()]


# --- issue ---------------------------------------------------------------------------------------------------------


def test_issue_makes_a_valid_permit_for_three_years_with_its_children(people):
    permit = permit_issue(holder=people.applicant, unit=people.unit, actor=people.approver, on=TODAY,
                          children=[{"name": "张小明", "case": "in_policy"}])
    assert (permit.status, permit.issued_on, permit.valid_until) == (PermitStatus.VALID, TODAY, date(2028, 6, 10))
    assert [(c.name, c.case, c.added_on) for c in permit.children.all()] == [("张小明", "in_policy", TODAY)]
    assert events(permit) == [("issued", "", "valid")]
    assert permit.events.get().actor == people.approver
    audit = AuditEvent.objects.get(action="permit.issued")
    assert "张小明" not in str(audit.changes)


def test_a_permit_issued_on_29_february_runs_to_28_february(people):
    permit = permit_issue(holder=people.applicant, unit=people.unit, actor=people.approver, on=date(2024, 2, 29))
    assert permit.valid_until == date(2027, 2, 28)


def test_permit_numbers_are_opaque_and_unique(people):
    numbers = set()
    for _ in range(30):
        holder = make_user(Role.APPLICANT)
        numbers.add(permit_issue(holder=holder, unit=people.unit, actor=people.clerk, on=TODAY).number)
    assert len(numbers) == 30
    for number in numbers:
        assert number.startswith("WRP")
        assert len(number) == 15
        assert set(number[3:]) <= set(NUMBER_ALPHABET)


def test_a_holder_with_a_current_permit_gets_no_second_one(people):
    make_permit(people.applicant, people.other_unit, issued_on=date(2024, 1, 1), status=PermitStatus.SUSPENDED)
    with pytest.raises(InvalidState) as refused:
        permit_issue(holder=people.applicant, unit=people.unit, actor=people.approver, on=TODAY)
    assert refused.value.state == "suspended"


def test_a_holder_whose_permit_lapsed_gets_a_new_one(people):
    make_permit(people.applicant, people.unit, issued_on=date(2022, 6, 1))  # valid_until 2025-06-01, not swept yet
    permit = permit_issue(holder=people.applicant, unit=people.unit, actor=people.approver, on=TODAY)
    assert permit.status == PermitStatus.VALID


def test_bad_children_are_refused_naming_each_field(people):
    with pytest.raises(Invalid) as refused:
        permit_issue(holder=people.applicant, unit=people.unit, actor=people.approver, on=TODAY,
                     children=[{"name": 7, "case": "in_policy"}, {"name": "李四", "case": "adopted"}, "x"])
    assert set(refused.value.fields) == {"children.0.name", "children.1.case", "children.2"}
    assert not Permit.objects.exists()


def test_a_child_without_a_name_is_recorded_by_case(people):
    permit = permit_issue(holder=people.applicant, unit=people.unit, actor=people.approver, on=TODAY,
                          children=[{"case": "out_of_wedlock"}])
    assert list(permit.children.values_list("name", "case")) == [("", "out_of_wedlock")]


def test_only_an_applicant_holds_a_permit(people):
    with pytest.raises(Invalid) as refused:
        permit_issue(holder=people.handler, unit=people.unit, actor=people.approver, on=TODAY)
    assert set(refused.value.fields) == {"holder"}


@pytest.mark.parametrize("persona", ["applicant", "handler", "admin"])
def test_only_staff_issue_permits(people, persona):
    with pytest.raises(Forbidden):
        permit_issue(holder=people.applicant, unit=people.unit, actor=getattr(people, persona), on=TODAY)


# --- suspend -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["handler", "clerk", "approver"])
def test_a_valid_permit_is_suspended_by_its_units_handler_or_staff(people, persona):
    permit = make_permit(people.applicant, people.unit)
    permit = permit_suspend(permit=permit, actor=getattr(people, persona), on=TODAY, note="离职")
    assert (permit.status, permit.suspended_on) == (PermitStatus.SUSPENDED, TODAY)
    assert events(permit) == [("suspended", "valid", "suspended")]
    assert permit.events.get().note == "离职"


@pytest.mark.parametrize("status", [PermitStatus.SUSPENDED, PermitStatus.EXPIRED, PermitStatus.REVOKED])
def test_only_a_valid_permit_is_suspended(people, status):
    permit = make_permit(people.applicant, people.unit, status=status)
    with pytest.raises(InvalidState) as refused:
        permit_suspend(permit=permit, actor=people.clerk, on=TODAY)
    assert refused.value.state == status


@pytest.mark.parametrize(("persona", "error"), [
    ("other_handler", NotFound), ("other_applicant", NotFound), ("admin", NotFound), ("applicant", Forbidden),
])
def test_others_cannot_suspend(people, persona, error):
    permit = make_permit(people.applicant, people.unit)
    with pytest.raises(error):
        permit_suspend(permit=permit, actor=getattr(people, persona), on=TODAY)


# --- transfer (employer_change) --------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [PermitStatus.VALID, PermitStatus.SUSPENDED])
def test_transfer_moves_the_permit_to_the_new_unit_and_makes_it_valid(people, status):
    permit = make_permit(people.applicant, people.unit, status=status, suspended_on=TODAY)
    permit = permit_transfer(permit=permit, unit=people.other_unit, actor=people.clerk)
    assert (permit.unit, permit.status, permit.suspended_on) == (people.other_unit, PermitStatus.VALID, None)
    assert events(permit) == [("transferred", status, "valid")]


@pytest.mark.parametrize("status", [PermitStatus.EXPIRED, PermitStatus.REVOKED])
def test_an_expired_or_revoked_permit_is_not_transferred(people, status):
    permit = make_permit(people.applicant, people.unit, status=status)
    with pytest.raises(InvalidState) as refused:
        permit_transfer(permit=permit, unit=people.other_unit, actor=people.clerk)
    assert refused.value.state == status


def test_a_permit_past_its_validity_is_not_transferred_even_before_the_sweep(people):
    permit = make_permit(people.applicant, people.unit, issued_on=date(2022, 6, 9), status=PermitStatus.SUSPENDED)
    with pytest.raises(InvalidState) as refused:
        permit_transfer(permit=permit, unit=people.other_unit, actor=people.clerk)
    assert refused.value.state == "expired"


# --- extend (renewal) ------------------------------------------------------------------------------------------------


def test_renewal_adds_three_years_to_valid_until(people):
    permit = make_permit(people.applicant, people.unit, issued_on=date(2022, 7, 1))
    permit = permit_extend(permit=permit, actor=people.approver)
    assert permit.valid_until == date(2028, 7, 1)
    assert events(permit) == [("extended", "valid", "valid")]
    assert permit.events.get().note == "2025-07-01 → 2028-07-01"


def test_renewal_on_the_last_day_of_validity_is_allowed(people):
    permit = make_permit(people.applicant, people.unit, issued_on=date(2022, 6, 10))
    assert permit_extend(permit=permit, actor=people.approver).valid_until == date(2028, 6, 10)


def test_a_lapsed_permit_is_not_renewed(people):
    permit = make_permit(people.applicant, people.unit, issued_on=date(2022, 6, 9))
    with pytest.raises(InvalidState) as refused:
        permit_extend(permit=permit, actor=people.approver)
    assert refused.value.state == "expired"


@pytest.mark.parametrize("status", [PermitStatus.SUSPENDED, PermitStatus.EXPIRED, PermitStatus.REVOKED])
def test_only_a_valid_permit_is_renewed(people, status):
    permit = make_permit(people.applicant, people.unit, status=status)
    with pytest.raises(InvalidState):
        permit_extend(permit=permit, actor=people.approver)


# --- children ------------------------------------------------------------------------------------------------------


def test_children_are_added_to_a_valid_permit(people):
    permit = make_permit(people.applicant, people.unit, children=[{"name": "甲", "case": "in_policy"}])
    permit_add_children(permit=permit, children=[{"name": "乙", "case": "divorced_custody"}], actor=people.clerk,
                        on=TODAY)
    assert sorted(permit.children.values_list("name", "case")) == [("乙", "divorced_custody"), ("甲", "in_policy")]
    assert events(permit) == [("children_added", "valid", "valid")]


def test_adding_no_children_is_refused(people):
    permit = make_permit(people.applicant, people.unit)
    with pytest.raises(Invalid):
        permit_add_children(permit=permit, children=[], actor=people.clerk, on=TODAY)


def test_children_are_not_added_to_a_suspended_permit(people):
    permit = make_permit(people.applicant, people.unit, status=PermitStatus.SUSPENDED)
    with pytest.raises(InvalidState):
        permit_add_children(permit=permit, children=[{"name": "乙", "case": "in_policy"}], actor=people.clerk,
                            on=TODAY)


# --- revoke --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [PermitStatus.VALID, PermitStatus.SUSPENDED, PermitStatus.EXPIRED])
def test_the_bureau_revokes_a_permit_from_any_status_with_a_reason(people, status):
    permit = make_permit(people.applicant, people.unit, status=status)
    permit = permit_revoke(permit=permit, actor=people.approver, reason="随机调查：聘用关系不实")
    assert permit.status == PermitStatus.REVOKED
    assert events(permit) == [("revoked", status, "revoked")]
    assert permit.events.get().note == "随机调查：聘用关系不实"


def test_a_revoked_permit_is_not_revoked_twice(people):
    permit = make_permit(people.applicant, people.unit, status=PermitStatus.REVOKED)
    with pytest.raises(InvalidState) as refused:
        permit_revoke(permit=permit, actor=people.approver, reason="r")
    assert refused.value.state == "revoked"


def test_revocation_needs_a_reason(people):
    permit = make_permit(people.applicant, people.unit)
    with pytest.raises(Invalid) as refused:
        permit_revoke(permit=permit, actor=people.approver, reason=" ")
    assert set(refused.value.fields) == {"reason"}


@pytest.mark.parametrize(("persona", "error"), [
    ("clerk", Forbidden), ("handler", Forbidden), ("applicant", Forbidden),
    ("other_handler", NotFound), ("other_applicant", NotFound), ("admin", NotFound),
])
def test_only_a_bureau_approver_revokes(people, persona, error):
    permit = make_permit(people.applicant, people.unit)
    with pytest.raises(error):
        permit_revoke(permit=permit, actor=getattr(people, persona), reason="r")
    permit.refresh_from_db()
    assert permit.status == PermitStatus.VALID


EFFECTS = {
    "transfer": lambda permit, actor, people: permit_transfer(permit=permit, unit=people.other_unit, actor=actor),
    "extend": lambda permit, actor, people: permit_extend(permit=permit, actor=actor),
    "add_children": lambda permit, actor, people: permit_add_children(
        permit=permit, children=[{"name": "乙", "case": "in_policy"}], actor=actor, on=TODAY),
}


@pytest.mark.parametrize("effect", sorted(EFFECTS))
@pytest.mark.parametrize(("persona", "error"), [
    ("handler", Forbidden), ("applicant", Forbidden), ("other_handler", NotFound), ("admin", NotFound),
])
def test_case_effects_are_applied_by_staff_only(people, effect, persona, error):
    permit = make_permit(people.applicant, people.unit)
    with pytest.raises(error):
        EFFECTS[effect](permit, getattr(people, persona), people)
    assert not permit.events.exists()
