"""指标申报 and 下发: a unit's handlers request a year's quota, the bureau grants it into the ledger."""

import pytest

from tests.factories import make_ledger
from wrp.audit.models import AuditEvent
from wrp.core.errors import Forbidden, Invalid, InvalidState, NotFound
from wrp.quotas.models import QuotaLedger, QuotaRequest, QuotaRequestState
from wrp.quotas.selectors import quota_request_for, quota_requests_visible_to, quota_status
from wrp.quotas.services import quota_grant, quota_request_create


def request_for(people, unit=None, **kw):
    values = {"year": 2025, "requested": 5, "reason": "业务扩张，新招聘研发人员"}
    values.update(kw)
    return quota_request_create(unit=unit or people.unit, actor=people.handler, **values)


@pytest.mark.parametrize("year", [2025, 2026])
def test_handler_requests_quota_for_this_year_or_next(people, year):
    request = request_for(people, year=year)
    assert (request.unit, request.year, request.requested, request.state) == (people.unit, year, 5, "pending")
    assert request.requested_by == people.handler
    assert AuditEvent.objects.filter(action="quota.request").exists()


@pytest.mark.parametrize(("kw", "field"), [
    ({"year": 2024}, "year"),
    ({"year": 2027}, "year"),
    ({"year": "2025"}, "year"),
    ({"requested": 0}, "requested"),
    ({"requested": -3}, "requested"),
    ({"requested": True}, "requested"),
    ({"reason": ""}, "reason"),
    ({"reason": "  "}, "reason"),
])
def test_bad_requests_are_refused_naming_the_field(people, kw, field):
    with pytest.raises(Invalid) as refused:
        request_for(people, **kw)
    assert field in refused.value.fields
    assert not QuotaRequest.objects.exists()


@pytest.mark.parametrize(("persona", "error"), [
    ("other_handler", NotFound), ("applicant", NotFound), ("admin", NotFound),
    ("clerk", Forbidden), ("approver", Forbidden),
])
def test_only_the_units_handlers_request_quota(people, persona, error):
    with pytest.raises(error):
        quota_request_create(unit=people.unit, actor=getattr(people, persona), year=2025, requested=1, reason="r")


def test_approver_grants_and_the_ledger_grows(people):
    request = request_for(people)
    granted = quota_grant(request=request, actor=people.approver, granted=3)
    assert (granted.state, granted.granted, granted.decided_by) == (QuotaRequestState.GRANTED, 3, people.approver)
    assert quota_status(people.unit, 2025) == {
        "year": 2025, "granted": 3, "reserved": 0, "used": 0, "remaining": 3, "frozen": False}


def test_grants_add_up_on_an_existing_ledger(people):
    make_ledger(people.unit, 2025, granted=2, reserved=1, used=1)
    quota_grant(request=request_for(people), actor=people.approver, granted=4)
    ledger = QuotaLedger.objects.get(unit=people.unit, year=2025)
    assert (ledger.granted, ledger.reserved, ledger.used, ledger.remaining) == (6, 1, 1, 4)


def test_a_grant_of_zero_is_a_decision_too(people):
    request = quota_grant(request=request_for(people), actor=people.approver, granted=0)
    assert request.state == QuotaRequestState.GRANTED
    assert quota_status(people.unit, 2025)["granted"] == 0


def test_a_granted_request_cannot_be_granted_again(people):
    request = request_for(people)
    quota_grant(request=request, actor=people.approver, granted=2)
    with pytest.raises(InvalidState) as refused:
        quota_grant(request=request, actor=people.approver, granted=2)
    assert refused.value.state == "granted"
    assert quota_status(people.unit, 2025)["granted"] == 2


@pytest.mark.parametrize("granted", [-1, 1.5, "3", None])
def test_granted_must_be_a_whole_number_not_below_zero(people, granted):
    with pytest.raises(Invalid) as refused:
        quota_grant(request=request_for(people), actor=people.approver, granted=granted)
    assert set(refused.value.fields) == {"granted"}


@pytest.mark.parametrize(("persona", "error"), [
    ("handler", Forbidden), ("clerk", Forbidden), ("other_handler", NotFound), ("applicant", NotFound),
    ("admin", NotFound),
])
def test_only_a_bureau_approver_grants(people, persona, error):
    request = request_for(people)
    with pytest.raises(error):
        quota_grant(request=request, actor=getattr(people, persona), granted=3)
    request.refresh_from_db()
    assert request.state == QuotaRequestState.PENDING
    assert not QuotaLedger.objects.exists()


def test_who_sees_which_quota_requests(people):
    mine = request_for(people)
    theirs = quota_request_create(unit=people.other_unit, actor=people.other_handler, year=2025, requested=1,
                                  reason="r")
    assert set(quota_requests_visible_to(people.handler)) == {mine}
    assert set(quota_requests_visible_to(people.other_handler)) == {theirs}
    assert set(quota_requests_visible_to(people.clerk)) == {mine, theirs}
    assert set(quota_requests_visible_to(people.approver)) == {mine, theirs}
    assert not quota_requests_visible_to(people.applicant).exists()
    assert not quota_requests_visible_to(people.admin).exists()
    assert quota_request_for(people.handler, mine.pk) == mine
    with pytest.raises(NotFound):
        quota_request_for(people.other_handler, mine.pk)
    with pytest.raises(NotFound):
        quota_request_for(people.approver, "x")
