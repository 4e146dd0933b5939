"""好差评: after a decision each party (the applicant, the unit through a handler) rates the handling once; a 差评
opens a follow-up in the bureau's queue, closed only with a recorded call-back; the summary feeds the statistics."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError

from tests.factories import case_in_state, make_unit, make_user
from wrp.accounts.models import Role
from wrp.audit.models import AuditEvent
from wrp.cases.models import CaseRating, RatingFollowUp, RatingLevel, RatingParty
from wrp.cases.ratings import (
    case_rate,
    rating_follow_up_close,
    rating_follow_up_for,
    rating_follow_ups,
    rating_open_to,
    rating_summary,
)
from wrp.core.errors import Forbidden, Invalid, InvalidState, NotFound
from wrp.units.models import UnitHandler

pytestmark = pytest.mark.usefixtures("private_media")

TAXES = {"2023": "300000", "2024": "300000", "2025": "300000"}
LEVELS = [level.value for level in RatingLevel]


@pytest.fixture
def approved(people):
    return case_in_state(people, "approved")


def bad_rating(people, case):
    return case_rate(case=case, actor=people.applicant, level="very_dissatisfied", comment="等了很久")


# --- once per party ---------------------------------------------------------------------------------------------------


def test_the_applicant_and_the_unit_each_rate_once(people, approved):
    mine = case_rate(case=approved, actor=people.applicant, level="very_satisfied", comment="  很快  ")
    unit = case_rate(case=approved, actor=people.handler, level="satisfied")
    assert (mine.party, mine.level, mine.comment) == (RatingParty.APPLICANT, RatingLevel.VERY_SATISFIED, "很快")
    assert (unit.party, unit.rated_by) == (RatingParty.UNIT, people.handler)
    with pytest.raises(InvalidState) as again:
        case_rate(case=approved, actor=people.applicant, level="satisfied")
    assert again.value.code == "already_rated"
    assert CaseRating.objects.filter(case=approved).count() == 2


def test_a_second_handler_of_the_unit_cannot_rate_again_for_it(people, approved):
    colleague = make_user(Role.UNIT_HANDLER, "colleague")
    UnitHandler.objects.create(unit=people.unit, user=colleague)
    case_rate(case=approved, actor=people.handler, level="satisfied")
    with pytest.raises(InvalidState) as again:
        case_rate(case=approved, actor=colleague, level="very_dissatisfied")
    assert again.value.code == "already_rated"
    assert rating_open_to(approved, colleague) is None


def test_the_database_keeps_one_rating_per_party(people, approved):
    case_rate(case=approved, actor=people.applicant, level="satisfied")
    with pytest.raises(IntegrityError):
        CaseRating.objects.create(case=approved, party="applicant", level="satisfied", rated_by=people.applicant,
                                  rated_at=approved.decided_at)


# --- only after a decision --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["submitted", "in_review", "returned", "pending_approval", "withdrawn"])
def test_an_undecided_case_cannot_be_rated(people, state):
    case = case_in_state(people, state)
    with pytest.raises(InvalidState) as refused:
        case_rate(case=case, actor=people.applicant, level="satisfied")
    assert refused.value.code == "not_decided"
    assert rating_open_to(case, people.applicant) is None


def test_a_rejected_case_can_be_rated(people):
    case = case_in_state(people, "rejected")
    assert rating_open_to(case, people.applicant) == RatingParty.APPLICANT
    assert case_rate(case=case, actor=people.applicant, level="basically_satisfied").party == RatingParty.APPLICANT


# --- only the parties -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["other_applicant", "other_handler", "clerk", "approver", "admin"])
def test_only_the_parties_rate(people, approved, persona):
    with pytest.raises(Forbidden) as refused:
        case_rate(case=approved, actor=getattr(people, persona), level="very_dissatisfied")
    assert refused.value.code == "parties_only"
    assert not CaseRating.objects.exists()


def test_a_unit_item_is_rated_by_the_unit_only(people):
    unit = make_unit(people.handler, annual_tax=TAXES)
    case = case_in_state(people, "approved", kind="unit_opening", unit=unit)
    assert rating_open_to(case, people.applicant) is None
    assert case_rate(case=case, actor=people.handler, level="satisfied").party == RatingParty.UNIT


@pytest.mark.parametrize("level", ["", "great", None, 5])
def test_the_level_must_be_one_of_the_five(people, approved, level):
    with pytest.raises(Invalid) as refused:
        case_rate(case=approved, actor=people.applicant, level=level)
    assert refused.value.codes == {"level": "unknown_level"}


def test_a_comment_is_at_most_500_characters(people, approved):
    with pytest.raises(Invalid) as refused:
        case_rate(case=approved, actor=people.applicant, level="satisfied", comment="长" * 501)
    assert refused.value.codes == {"comment": "comment_too_long"}
    assert case_rate(case=approved, actor=people.applicant, level="satisfied", comment="长" * 500).comment


def test_a_rating_is_audited_without_its_comment(people, approved):
    case_rate(case=approved, actor=people.applicant, level="satisfied", comment="经办人张某态度好")
    event = AuditEvent.objects.get(action="case.rated")
    assert event.changes == {"case": approved.public_id, "party": "applicant", "level": "satisfied"}
    assert event.actor == people.applicant


# --- 差评 and the follow-up -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_only_a_bad_rating_opens_a_follow_up(people, approved, level):
    rating = case_rate(case=approved, actor=people.applicant, level=level)
    bad = level in ("dissatisfied", "very_dissatisfied")
    assert RatingFollowUp.objects.filter(rating=rating).exists() is bad
    assert AuditEvent.objects.filter(action="rating.follow_up_opened").exists() is bad


def test_the_follow_up_waits_in_the_bureaus_queue(people, approved):
    rating = bad_rating(people, approved)
    assert [f.rating for f in rating_follow_ups(people.approver)] == [rating]
    assert not rating_follow_ups(people.clerk).exists()
    with pytest.raises(NotFound):
        rating_follow_up_for(people.clerk, rating.follow_up.pk)


def test_closing_needs_a_call_back(people, approved, today):
    follow_up = bad_rating(people, approved).follow_up
    with pytest.raises(Invalid) as refused:
        rating_follow_up_close(follow_up=follow_up, actor=people.approver, called_on=None, spoke_with=" ",
                               summary="")
    assert refused.value.codes == {"called_on": "call_back_required", "spoke_with": "call_back_required",
                                   "summary": "call_back_required"}
    follow_up.refresh_from_db()
    assert follow_up.is_open


@pytest.mark.parametrize(("days", "code"), [(1, "called_on_future"), (-1, "called_on_before_rating")])
def test_the_call_back_day_lies_between_the_rating_and_today(people, approved, today, days, code):
    follow_up = bad_rating(people, approved).follow_up
    with pytest.raises(Invalid) as refused:
        rating_follow_up_close(follow_up=follow_up, actor=people.approver, called_on=today + timedelta(days=days),
                               spoke_with="申请人本人", summary="已说明")
    assert refused.value.codes == {"called_on": code}


def test_an_approver_closes_the_follow_up_with_the_call_back(people, approved, today):
    follow_up = bad_rating(people, approved).follow_up
    closed = rating_follow_up_close(follow_up=follow_up, actor=people.approver, called_on=today,
                                    spoke_with="申请人本人", summary="解释了办理时限，申请人表示理解。")
    assert not closed.is_open
    assert (closed.called_on, closed.spoke_with, closed.closed_by) == (today, "申请人本人", people.approver)
    assert not rating_follow_ups(people.approver).exists()
    assert list(rating_follow_ups(people.approver, closed=True)) == [closed]
    assert AuditEvent.objects.get(action="rating.follow_up_closed").changes == {"called_on": today.isoformat()}
    with pytest.raises(InvalidState) as again:
        rating_follow_up_close(follow_up=closed, actor=people.approver, called_on=today, spoke_with="x",
                               summary="y")
    assert again.value.code == "follow_up_closed"


@pytest.mark.parametrize("persona", ["clerk", "handler", "applicant", "admin"])
def test_only_an_approver_closes_a_follow_up(people, approved, today, persona):
    follow_up = bad_rating(people, approved).follow_up
    with pytest.raises(Forbidden) as refused:
        rating_follow_up_close(follow_up=follow_up, actor=getattr(people, persona), called_on=today,
                               spoke_with="申请人本人", summary="已说明")
    assert refused.value.code == "approvers_only"


# --- statistics -------------------------------------------------------------------------------------------------------


def test_the_summary_counts_each_level_and_the_share_satisfied(people, approved, today):
    case_rate(case=approved, actor=people.applicant, level="very_satisfied")
    case_rate(case=approved, actor=people.handler, level="dissatisfied")
    other = case_in_state(people, "rejected", kind="unit_opening", unit=make_unit(people.handler, annual_tax=TAXES))
    case_rate(case=other, actor=people.handler, level="basically_satisfied")
    summary = rating_summary((today, today))
    assert [(row.level.value, row.count) for row in summary.levels] == [
        ("very_satisfied", 1), ("satisfied", 0), ("basically_satisfied", 1), ("dissatisfied", 1),
        ("very_dissatisfied", 0),
    ]
    assert (summary.total, summary.satisfied, summary.bad) == (3, 2, 1)
    assert summary.satisfied_share == Decimal("66.7")


def test_the_summary_of_an_empty_period_has_no_share(people, approved, today):
    case_rate(case=approved, actor=people.applicant, level="satisfied")
    summary = rating_summary((today - timedelta(days=30), today - timedelta(days=1)))
    assert summary.total == 0
    assert summary.satisfied_share is None


def test_the_summary_takes_whole_beijing_days_at_both_ends(people, approved, today):
    from datetime import datetime, time

    from django.utils import timezone

    case_rate(case=approved, actor=people.applicant, level="very_satisfied")
    case_rate(case=approved, actor=people.handler, level="dissatisfied")
    first, second = CaseRating.objects.order_by("pk")
    zone = timezone.get_current_timezone()  # Asia/Shanghai
    CaseRating.objects.filter(pk=first.pk).update(rated_at=datetime.combine(today, time.min, tzinfo=zone))
    CaseRating.objects.filter(pk=second.pk).update(
        rated_at=datetime.combine(today, time(23, 59, 59, 999999), tzinfo=zone))
    assert rating_summary((today, today)).total == 2
    assert rating_summary((today - timedelta(days=1), today - timedelta(days=1))).total == 0
    assert rating_summary((today + timedelta(days=1), today + timedelta(days=1))).total == 0
