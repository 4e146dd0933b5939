"""Who sees which permit (cases-api.md §Permits), and the permit facts of an assessment."""

from datetime import date

import pytest

from tests.factories import make_association, make_permit, make_unit
from tests.permits.conftest import TODAY
from wrp.core.errors import NotFound
from wrp.employment.services import association_release
from wrp.permits.models import PermitStatus
from wrp.permits.selectors import (
    latest_permit_shown,
    permit_facts,
    permit_for,
    permit_from_shown,
    permit_of,
    permits_visible_to,
)
from wrp.permits.services import permit_transfer
from wrp.units.models import AssociationState


def test_holder_unit_and_staff_see_a_permit_others_do_not(people):
    make_association(people.applicant, people.unit)
    permit = make_permit(people.applicant, people.unit)
    for persona in ("applicant", "handler", "clerk", "approver"):
        assert permit_for(getattr(people, persona), permit.number) == permit
        assert list(permits_visible_to(getattr(people, persona))) == [permit]
    for persona in ("other_applicant", "other_handler", "admin"):
        with pytest.raises(NotFound):
            permit_for(getattr(people, persona), permit.number)
        assert not permits_visible_to(getattr(people, persona)).exists()


def test_an_unknown_number_is_not_found(people):
    with pytest.raises(NotFound):
        permit_for(people.clerk, "WRP000000000000")


def test_a_unit_that_released_the_holder_no_longer_sees_the_permit(people):
    association = make_association(people.applicant, people.unit)
    permit = make_permit(people.applicant, people.unit)
    association_release(association=association, actor=people.handler, left_on=TODAY)
    with pytest.raises(NotFound):
        permit_for(people.handler, permit.number)
    assert permit_for(people.applicant, permit.number).status == PermitStatus.SUSPENDED
    assert permit_for(people.clerk, permit.number) == permit


def test_a_rehired_holder_is_seen_again(people):
    make_association(people.applicant, people.unit, AssociationState.RELEASED, requested_at="2024-01-01T00:00Z")
    make_association(people.applicant, people.unit, AssociationState.ACTIVE, requested_at="2025-01-01T00:00Z")
    permit = make_permit(people.applicant, people.unit)
    assert permit_for(people.handler, permit.number) == permit


def test_a_pending_request_after_release_does_not_restore_sight(people):
    make_association(people.applicant, people.unit, AssociationState.RELEASED, requested_at="2024-01-01T00:00Z")
    make_association(people.applicant, people.unit, AssociationState.REQUESTED, requested_at="2025-01-01T00:00Z")
    make_permit(people.applicant, people.unit)
    assert not permits_visible_to(people.handler).exists()


def test_the_new_unit_sees_the_permit_once_transferred(people):
    permit = make_permit(people.applicant, people.unit, status=PermitStatus.SUSPENDED)
    make_association(people.applicant, people.other_unit)
    assert not permits_visible_to(people.other_handler).exists()
    permit_transfer(permit=permit, unit=people.other_unit, actor=people.clerk)
    assert list(permits_visible_to(people.other_handler)) == [permit]


def test_a_handler_sees_permits_of_all_their_units(people):
    second = make_unit(people.handler)
    a = make_permit(people.applicant, people.unit)
    b = make_permit(people.other_applicant, second)
    assert set(permits_visible_to(people.handler)) == {a, b}


def test_permit_of_is_the_latest_permit_not_revoked(people):
    assert permit_of(people.applicant) is None
    assert permit_of(None) is None
    old = make_permit(people.applicant, people.unit, issued_on=date(2019, 1, 1), status=PermitStatus.EXPIRED)
    assert permit_of(people.applicant) == old
    newer = make_permit(people.applicant, people.unit, issued_on=date(2023, 1, 1))
    assert permit_of(people.applicant) == newer
    newer.status = PermitStatus.REVOKED
    newer.save()
    assert permit_of(people.applicant) == old


def test_the_latest_permit_annotated_on_a_row_is_permit_of_with_every_field(people):
    from django.db.models import OuterRef

    from wrp.accounts.models import User

    def annotated(user):
        row = User.objects.filter(pk=user.pk).annotate(shown=latest_permit_shown(OuterRef("pk"))).get()
        return permit_from_shown(row.shown)

    assert annotated(people.applicant) is None
    make_permit(people.applicant, people.unit, issued_on=date(2019, 1, 1), status=PermitStatus.EXPIRED)
    newer = make_permit(people.applicant, people.unit, issued_on=date(2023, 1, 1))
    newer.suspended_on = date(2024, 2, 29)
    newer.save()
    for _ in range(2):
        shown, read = annotated(people.applicant), permit_of(people.applicant)
        assert {field.attname: getattr(shown, field.attname) for field in read._meta.concrete_fields} == {
            field.attname: getattr(read, field.attname) for field in read._meta.concrete_fields}
        assert shown.get_status_display() == read.get_status_display()
        assert not shown._state.adding
        newer.status = PermitStatus.REVOKED
        newer.save()


def test_permit_facts_are_status_and_valid_until(people):
    permit = make_permit(people.applicant, people.unit, issued_on=date(2024, 2, 29))
    assert permit_facts(permit) == {"status": "valid", "valid_until": "2027-02-28"}
    assert permit_facts(None) is None
