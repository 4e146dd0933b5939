"""The demo app (`wrp demo`): which states it takes each kind of case to, and its people's resident ID numbers. The
whole data set is made by tests/cases/test_case_support.py::test_the_demo_data_set_has_every_role_and_every_state_of_every_kind."""

from __future__ import annotations

import pytest

from wrp.cases.kinds import KINDS
from wrp.cases.models import CaseState
from wrp.demo import DEMO_PASSWORD, resident_id
from wrp.demo.dataset import PERSONAL_STATES, UNIT_STATES, states_of
from wrp.policy.identifiers import is_valid_resident_id


@pytest.mark.parametrize("kind", sorted({spec.service.value for spec in KINDS.values()}))
def test_only_the_kinds_the_bureau_approves_are_taken_to_pending_approval(kind):
    spec = next(spec for spec in KINDS.values() if spec.service == kind)
    assert (CaseState.PENDING_APPROVAL in states_of(kind)) == spec.to_bureau
    assert set(states_of(kind)) >= set(UNIT_STATES if not spec.personal else PERSONAL_STATES)


def test_unit_kinds_never_wait_for_the_unit():
    assert CaseState.AWAITING_UNIT not in states_of("unit_opening")
    assert CaseState.AWAITING_UNIT in states_of("initial")


@pytest.mark.parametrize("serial", [1, 2, 10, 97, 999, 1234])
def test_demo_people_have_valid_resident_ids(serial):
    assert is_valid_resident_id(resident_id(serial))


def test_the_demo_password_is_not_empty():
    assert len(DEMO_PASSWORD) >= 8
