"""Tests that empty the database between tests (live servers) must not lose the append-only triggers."""

import pytest
from django.db import DatabaseError, connection, transaction

from tests.factories import make_user
from wrp.accounts.models import Role
from wrp.audit.models import AuditEvent
from wrp.audit.services import audit_record


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_can_write_audit_events_and_still_be_emptied():
    audit_record(actor=make_user(Role.ADMIN), action="test.write", object_type="test", object_id="1")
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_after_an_emptied_test_the_trail_is_still_append_only():
    audit_record(actor=None, action="test.write", object_type="test", object_id="2")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'forged'")
