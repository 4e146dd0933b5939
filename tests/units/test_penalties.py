"""Penalties (POLICY §9: 冻结指标，终止服务，纳入黑名单) and random employment audits: bureau decisions."""

import pytest

from tests.factories import make_permit
from wrp.audit.models import AuditEvent
from wrp.core.errors import Forbidden, Invalid, InvalidState, NotFound
from wrp.units.models import Audit, Penalty
from wrp.units.selectors import active_penalties
from wrp.units.services import employment_audit_record, penalty_impose, penalty_lift

KINDS = ["quota_frozen", "service_terminated", "blacklisted"]


@pytest.mark.parametrize("kind", KINDS)
def test_approver_imposes_and_lifts_a_penalty_with_reasons(people, kind):
    penalty = penalty_impose(unit=people.unit, actor=people.approver, kind=kind, reason="逾期解除员工关联")
    assert penalty.active
    assert penalty.decided_by == people.approver
    assert penalty.decided_at is not None
    assert active_penalties(people.unit) == [kind]
    lifted = penalty_lift(unit=people.unit, actor=people.approver, kind=kind, reason="已整改")
    assert lifted.pk == penalty.pk
    assert not lifted.active
    assert lifted.lifted_by == people.approver
    assert lifted.lift_reason == "已整改"
    assert active_penalties(people.unit) == []
    assert [e.action for e in AuditEvent.objects.order_by("id")] == ["unit.penalty_impose", "unit.penalty_lift"]


def test_imposing_an_active_penalty_is_refused_as_active(people):
    penalty_impose(unit=people.unit, actor=people.approver, kind="blacklisted", reason="虚假材料")
    with pytest.raises(InvalidState) as refused:
        penalty_impose(unit=people.unit, actor=people.approver, kind="blacklisted", reason="again")
    assert refused.value.state == "active"
    assert Penalty.objects.filter(unit=people.unit).count() == 1


def test_lifting_a_penalty_that_is_not_active_is_refused_as_inactive(people):
    with pytest.raises(InvalidState) as refused:
        penalty_lift(unit=people.unit, actor=people.approver, kind="quota_frozen", reason="x")
    assert refused.value.state == "inactive"


def test_a_lifted_penalty_can_be_imposed_again(people):
    penalty_impose(unit=people.unit, actor=people.approver, kind="quota_frozen", reason="a")
    penalty_lift(unit=people.unit, actor=people.approver, kind="quota_frozen", reason="b")
    penalty_impose(unit=people.unit, actor=people.approver, kind="quota_frozen", reason="c")
    assert Penalty.objects.filter(unit=people.unit, kind="quota_frozen").count() == 2
    assert active_penalties(people.unit) == ["quota_frozen"]


def test_penalties_of_different_kinds_coexist_in_a_fixed_order(people):
    for kind in reversed(KINDS):
        penalty_impose(unit=people.unit, actor=people.approver, kind=kind, reason="r")
    assert active_penalties(people.unit) == KINDS
    assert active_penalties(people.other_unit) == []


@pytest.mark.parametrize(("kind", "reason", "fields"), [
    ("quota_frozen", "", {"reason"}),
    ("quota_frozen", "   ", {"reason"}),
    ("fined", "r", {"kind"}),
    ("fined", None, {"kind", "reason"}),
])
def test_penalty_needs_a_known_kind_and_a_reason(people, kind, reason, fields):
    with pytest.raises(Invalid) as refused:
        penalty_impose(unit=people.unit, actor=people.approver, kind=kind, reason=reason)
    assert set(refused.value.fields) == fields


@pytest.mark.parametrize("service", [penalty_impose, penalty_lift])
@pytest.mark.parametrize(("persona", "error"), [
    ("handler", Forbidden), ("clerk", Forbidden), ("other_handler", NotFound), ("applicant", NotFound),
    ("admin", NotFound),
])
def test_only_a_bureau_approver_decides_penalties(people, service, persona, error):
    with pytest.raises(error):
        service(unit=people.unit, actor=getattr(people, persona), kind="blacklisted", reason="r")
    assert not Penalty.objects.exists()


# --- employment audits ---------------------------------------------------------------------------------------------


def test_approver_records_an_employment_audit_on_a_unit_and_a_permit(people):
    permit = make_permit(people.applicant, people.unit)
    audit = employment_audit_record(actor=people.approver, unit=people.unit, findings="在岗", employment_confirmed=True,
                                    permit=permit)
    assert (audit.unit, audit.permit, audit.by, audit.employment_confirmed) == (
        people.unit, permit, people.approver, True)
    event = AuditEvent.objects.get(action="unit.employment_audit")
    assert event.changes["permit"] == permit.number


def test_an_audit_without_a_permit_is_recorded(people):
    audit = employment_audit_record(actor=people.approver, unit=people.unit, findings="无人在岗",
                                    employment_confirmed=False)
    assert audit.permit is None
    assert audit.employment_confirmed is False


def test_an_audit_needs_findings_and_a_permit_of_that_unit(people):
    permit = make_permit(people.applicant, people.other_unit)
    with pytest.raises(Invalid) as refused:
        employment_audit_record(actor=people.approver, unit=people.unit, findings=" ", employment_confirmed=True,
                                permit=permit)
    assert set(refused.value.fields) == {"findings", "permit"}


@pytest.mark.parametrize(("persona", "error"), [
    ("handler", Forbidden), ("clerk", Forbidden), ("other_handler", NotFound), ("applicant", NotFound),
])
def test_only_a_bureau_approver_records_audits(people, persona, error):
    with pytest.raises(error):
        employment_audit_record(actor=getattr(people, persona), unit=people.unit, findings="x",
                                employment_confirmed=True)
    assert not Audit.objects.exists()
