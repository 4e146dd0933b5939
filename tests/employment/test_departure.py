"""登记离职日期: a handler records the day an employee left, before the release, so the 60-day deadline is known."""

from datetime import date, timedelta

import pytest

from tests.factories import make_association
from tests.units.conftest import TODAY
from wrp.audit.models import AuditEvent
from wrp.core.errors import Forbidden, Invalid, InvalidState, NotFound
from wrp.employment.services import association_record_departure
from wrp.units.models import AssociationState


def test_a_handler_records_the_leaving_date_and_the_association_stays_active(people):
    association = make_association(people.applicant, people.unit)
    recorded = association_record_departure(association=association, actor=people.handler, left_on=date(2025, 6, 1))
    association.refresh_from_db()
    assert recorded.left_on == association.left_on == date(2025, 6, 1)
    assert association.state == AssociationState.ACTIVE
    assert association.released_at is None


def test_the_date_may_be_given_as_text_and_today_is_accepted(people):
    association = make_association(people.applicant, people.unit)
    recorded = association_record_departure(association=association, actor=people.handler,
                                            left_on=TODAY.isoformat())
    assert recorded.left_on == TODAY


def test_recording_again_corrects_the_date(people):
    association = make_association(people.applicant, people.unit)
    association_record_departure(association=association, actor=people.handler, left_on=date(2025, 6, 1))
    association_record_departure(association=association, actor=people.handler, left_on=date(2025, 5, 20))
    association.refresh_from_db()
    assert association.left_on == date(2025, 5, 20)


def test_an_audit_event_names_the_old_and_the_new_date(people):
    association = make_association(people.applicant, people.unit)
    association_record_departure(association=association, actor=people.handler, left_on=date(2025, 6, 1))
    association_record_departure(association=association, actor=people.handler, left_on=date(2025, 5, 20))
    events = list(AuditEvent.objects.filter(action="association.record_departure").order_by("pk"))
    assert [event.changes["left_on"] for event in events] == [[None, "2025-06-01"], ["2025-06-01", "2025-05-20"]]
    assert events[0].actor == people.handler
    assert events[0].object_id == str(association.pk)


@pytest.mark.parametrize(("persona", "error"), [
    ("other_handler", NotFound), ("other_applicant", NotFound), ("admin", NotFound),
    ("applicant", Forbidden), ("clerk", Forbidden), ("approver", Forbidden),
])
def test_only_the_units_handlers_record_a_departure(people, persona, error):
    association = make_association(people.applicant, people.unit)
    with pytest.raises(error):
        association_record_departure(association=association, actor=getattr(people, persona), left_on=TODAY)
    association.refresh_from_db()
    assert association.left_on is None
    assert not AuditEvent.objects.filter(action="association.record_departure").exists()


def test_the_applicants_refusal_has_its_code(people):
    association = make_association(people.applicant, people.unit)
    with pytest.raises(Forbidden) as refused:
        association_record_departure(association=association, actor=people.applicant, left_on=TODAY)
    assert refused.value.code == "unit_handlers_only"


def test_a_leaving_date_after_today_is_refused(people):
    association = make_association(people.applicant, people.unit)
    with pytest.raises(Invalid) as refused:
        association_record_departure(association=association, actor=people.handler,
                                     left_on=TODAY + timedelta(days=1))
    assert refused.value.codes == {"left_on": "after_today"}
    association.refresh_from_db()
    assert association.left_on is None


def test_a_malformed_date_is_refused(people):
    association = make_association(people.applicant, people.unit)
    with pytest.raises(Invalid) as refused:
        association_record_departure(association=association, actor=people.handler, left_on="2025-13-01")
    assert refused.value.codes == {"left_on": "bad_date"}


@pytest.mark.parametrize("state", [AssociationState.REQUESTED, AssociationState.REFUSED, AssociationState.RELEASED])
def test_only_an_active_association_takes_a_leaving_date(people, state):
    association = make_association(people.applicant, people.unit, state)
    with pytest.raises(InvalidState) as refused:
        association_record_departure(association=association, actor=people.handler, left_on=TODAY)
    assert refused.value.state == state
    assert not AuditEvent.objects.filter(action="association.record_departure").exists()
