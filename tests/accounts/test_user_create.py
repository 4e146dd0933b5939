"""Creating and changing users: one role each, administrators alone are staff, every change audited."""

from __future__ import annotations

import pytest

from tests.accounts.conftest import VALID_ID
from wrp.accounts.models import Role, User
from wrp.accounts.services import user_create, user_set_password, user_update
from wrp.audit.models import AuditEvent
from wrp.audit.services import audit_verify
from wrp.core.errors import Forbidden, Invalid

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", Role.values)
def test_each_role_can_be_given(role):
    user = user_create(username=f"u-{role}", role=role)
    assert User.objects.get(pk=user.pk).role == role


@pytest.mark.parametrize("role", Role.values)
def test_only_administrators_are_staff(role):
    user = user_create(username=f"u-{role}", role=role)
    assert user.is_staff is (role == Role.ADMIN)
    assert user.is_superuser is (role == Role.ADMIN)


def test_unknown_role_is_refused():
    with pytest.raises(Invalid) as refused:
        user_create(username="x", role="superhero")
    assert "role" in refused.value.fields
    assert not User.objects.filter(username="x").exists()


def test_duplicate_username_is_refused(applicant):
    with pytest.raises(Invalid) as refused:
        user_create(username="applicant", role=Role.UNIT_HANDLER)
    assert "applicant" in refused.value.fields["username"]
    assert User.objects.filter(username="applicant").count() == 1


@pytest.mark.parametrize("username", ["", "   ", "has space", "semi;colon"], ids=["empty", "blank", "space", "semicolon"])
def test_malformed_username_is_refused(username):
    with pytest.raises(Invalid) as refused:
        user_create(username=username, role=Role.APPLICANT)
    assert "username" in refused.value.fields


def test_without_a_password_the_password_is_unusable():
    user = user_create(username="tokenonly", role=Role.UNIT_HANDLER)
    assert not user.has_usable_password()


def test_with_a_password_it_is_stored_hashed():
    user = user_create(username="withpw", role=Role.UNIT_HANDLER, password="correct horse battery")
    assert user.check_password("correct horse battery")
    assert "correct horse battery" not in User.objects.get(pk=user.pk).password


def test_creation_is_audited_naming_fields_not_personal_values():
    user = user_create(username="audited", role=Role.APPLICANT, real_name="张三", id_number=VALID_ID, phone="13800000000",
                       password="correct horse battery")
    event = AuditEvent.objects.get(action="user.create", object_id=str(user.pk))
    assert event.changes == {"username": "audited", "role": "applicant", "real_name": "set", "phone": "set",
                             "id_number": "set", "password": "set"}
    assert event.actor is None
    assert event.actor_role == "system"
    assert audit_verify().ok


def test_only_an_administrator_creates_users_for_others(applicant, administrator):
    with pytest.raises(Forbidden):
        user_create(username="sneaky", role=Role.ADMIN, actor=applicant)
    created = user_create(username="by-admin", role=Role.WINDOW_CLERK, actor=administrator)
    assert AuditEvent.objects.get(action="user.create", object_id=str(created.pk)).actor == administrator


def test_changing_the_role_moves_the_staff_flags(handler, administrator):
    promoted = user_update(user=handler, actor=administrator, role=Role.ADMIN)
    assert promoted.is_staff
    assert promoted.is_superuser
    demoted = user_update(user=promoted, actor=administrator, role=Role.WINDOW_CLERK)
    assert not demoted.is_staff
    assert not demoted.is_superuser
    changes = [event.changes for event in AuditEvent.objects.filter(action="user.update").order_by("id")]
    assert changes == [{"role": ["unit_handler", "admin"]}, {"role": ["admin", "window_clerk"]}]


def test_an_update_that_changes_nothing_records_nothing(handler, administrator):
    user_update(user=handler, actor=administrator, real_name="王经办", role=Role.UNIT_HANDLER)
    assert not AuditEvent.objects.filter(action="user.update").exists()


def test_a_non_administrator_cannot_change_roles(handler, clerk):
    with pytest.raises(Forbidden):
        user_update(user=handler, actor=clerk, role=Role.ADMIN)
    with pytest.raises(Forbidden):
        user_update(user=handler, actor=handler, role=Role.ADMIN)
    assert User.objects.get(pk=handler.pk).role == Role.UNIT_HANDLER


def test_a_user_may_change_their_own_password(handler):
    user_set_password(user=handler, password="a new long passphrase", actor=handler)
    assert User.objects.get(pk=handler.pk).check_password("a new long passphrase")
    assert AuditEvent.objects.get(action="user.set_password").changes == {"password": "changed"}
