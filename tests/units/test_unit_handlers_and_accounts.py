"""Handlers, the association code, and the account effects of approved unit_opening / unit_transfer."""

import pytest

from tests.factories import make_unit, make_user
from wrp.accounts.models import Role
from wrp.audit.models import AuditEvent
from wrp.core.errors import Forbidden, Invalid, InvalidState, NotFound
from wrp.units.models import AccountStatus
from wrp.units.selectors import is_handler, units_handled_by
from wrp.units.services import (
    unit_account_open,
    unit_account_transfer_in,
    unit_add_handler,
    unit_regenerate_association_code,
    unit_remove_handler,
)


def test_handler_regenerates_the_association_code(people):
    old = people.unit.association_code
    new = unit_regenerate_association_code(unit=people.unit, actor=people.handler)
    people.unit.refresh_from_db()
    assert new == people.unit.association_code != old
    event = AuditEvent.objects.get(action="unit.regenerate_association_code")
    assert old not in str(event.changes)
    assert new not in str(event.changes)


@pytest.mark.parametrize(("persona", "error"), [
    ("other_handler", NotFound), ("applicant", NotFound), ("admin", NotFound),
    ("clerk", Forbidden), ("approver", Forbidden),
])
def test_only_the_units_handlers_regenerate_its_code(people, persona, error):
    with pytest.raises(error):
        unit_regenerate_association_code(unit=people.unit, actor=getattr(people, persona))


def test_handler_adds_another_handler(people):
    colleague = make_user(Role.UNIT_HANDLER)
    unit_add_handler(unit=people.unit, actor=people.handler, user=colleague)
    assert is_handler(colleague, people.unit)
    assert list(units_handled_by(colleague)) == [people.unit]


def test_another_units_handler_cannot_add_handlers(people):
    with pytest.raises(NotFound):
        unit_add_handler(unit=people.unit, actor=people.other_handler, user=people.other_handler)
    assert not is_handler(people.other_handler, people.unit)


def test_only_unit_handler_accounts_can_become_handlers(people):
    with pytest.raises(Invalid) as refused:
        unit_add_handler(unit=people.unit, actor=people.handler, user=people.applicant)
    assert "user" in refused.value.fields


def test_adding_an_existing_handler_is_refused(people):
    with pytest.raises(Invalid):
        unit_add_handler(unit=people.unit, actor=people.handler, user=people.handler)


def test_a_handler_is_removed_but_never_the_last(people):
    colleague = make_user(Role.UNIT_HANDLER)
    unit_add_handler(unit=people.unit, actor=people.handler, user=colleague)
    unit_remove_handler(unit=people.unit, actor=colleague, user=people.handler)
    assert not is_handler(people.handler, people.unit)
    with pytest.raises(InvalidState) as refused:
        unit_remove_handler(unit=people.unit, actor=colleague, user=colleague)
    assert refused.value.state == "last_handler"


def test_is_handler_is_false_for_a_user_whose_role_changed(people):
    people.handler.role = Role.APPLICANT
    people.handler.save()
    assert not is_handler(people.handler, people.unit)
    assert not units_handled_by(people.handler).exists()


# --- account effects ---------------------------------------------------------------------------------------------


def test_clerk_opens_the_account_in_chaoyang(people):
    unit = make_unit(people.handler)
    unit_account_open(unit=unit, actor=people.clerk)
    unit.refresh_from_db()
    assert (unit.account_status, unit.account_district) == (AccountStatus.OPEN, "chaoyang")
    event = AuditEvent.objects.get(action="unit.account_open")
    assert event.changes["account_status"] == ["none", "open"]


def test_opening_an_open_account_is_refused(people):
    with pytest.raises(InvalidState) as refused:
        unit_account_open(unit=people.unit, actor=people.clerk)
    assert refused.value.state == "open"


def test_a_closed_account_can_be_opened_again(people):
    unit = make_unit(people.handler, account_status=AccountStatus.CLOSED, account_district="chaoyang")
    unit_account_open(unit=unit, actor=people.clerk)
    unit.refresh_from_db()
    assert unit.account_status == AccountStatus.OPEN


def test_clerk_transfers_an_account_from_another_district(people):
    unit = make_unit(people.handler, account_status=AccountStatus.OPEN, account_district="haidian")
    unit_account_transfer_in(unit=unit, actor=people.clerk)
    unit.refresh_from_db()
    assert (unit.account_status, unit.account_district) == (AccountStatus.OPEN, "chaoyang")
    event = AuditEvent.objects.get(action="unit.account_transfer_in")
    assert event.changes["account_district"] == ["haidian", "chaoyang"]


def test_transferring_an_account_already_in_chaoyang_is_refused(people):
    with pytest.raises(InvalidState) as refused:
        unit_account_transfer_in(unit=people.unit, actor=people.clerk)
    assert refused.value.state == "open"


@pytest.mark.parametrize("effect", [unit_account_open, unit_account_transfer_in])
@pytest.mark.parametrize(("persona", "error"), [
    ("handler", Forbidden), ("approver", Forbidden), ("other_handler", NotFound), ("applicant", NotFound),
    ("admin", NotFound),
])
def test_only_a_clerk_applies_account_effects(people, effect, persona, error):
    unit = make_unit(people.handler, account_status=AccountStatus.OPEN, account_district="haidian")
    if effect is unit_account_open:
        unit.account_status = AccountStatus.NONE
        unit.save()
    with pytest.raises(error):
        effect(unit=unit, actor=getattr(people, persona))
    unit.refresh_from_db()
    assert unit.account_district != "chaoyang"
