"""好差评: the parties rate how a decided case was handled, and the bureau calls back every 差评.

Once a case is decided (approved or rejected) each party may rate its handling once: the applicant of a personal
case, and the unit through any one of its handlers. A rating is one of five levels, 非常满意 … 非常不满意, with an
optional comment. A 差评 (不满意 or 非常不满意) opens a follow-up in the district bureau's queue, which stays open until
a bureau approver records the call-back made to the rater: the day, who was spoken to and what was said.

`rating_summary(period)` feeds the statistics: the count of each level and the share of satisfied ratings (every
level but the two 差评) among the ratings given in the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import Role
from wrp.audit.services import audit_record, audited_atomic
from wrp.cases.kinds import kind_of
from wrp.cases.models import Case, CaseRating, CaseState, RatingFollowUp, RatingLevel, RatingParty
from wrp.cases.workflow import is_case_applicant, is_case_handler
from wrp.core.days import days_range
from wrp.core.errors import Forbidden, Invalid, InvalidState, NotFound
from wrp.core.keyset import KeysetPage, keyset_result, keyset_window
from wrp.core.lookups import ids_in

DECIDED = frozenset({CaseState.APPROVED, CaseState.REJECTED})
BAD_LEVELS = frozenset({RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED})  # 差评
COMMENT_MAX = 500
SPOKE_WITH_MAX = 100
SUMMARY_MAX = 2000


# --- who rates --------------------------------------------------------------------------------------------------------


def rating_party_of(case: Case, user: Any) -> RatingParty | None:
    """The party the user rates the case for: its applicant (personal kinds) or a handler of its unit; else None."""
    if kind_of(case).personal and is_case_applicant(user, case):
        return RatingParty.APPLICANT
    if is_case_handler(user, case):
        return RatingParty.UNIT
    return None


def case_ratings(case: Case) -> dict[str, CaseRating]:
    """The case's ratings by party."""
    return {rating.party: rating for rating in CaseRating.objects.filter(case=case).select_related("follow_up")}


def rating_open_to(case: Case, user: Any) -> RatingParty | None:
    """The party the user may still rate the case for: a party of a decided case not rated by that party yet."""
    party = rating_party_of(case, user)
    if party is None or case.state not in DECIDED:
        return None
    return None if CaseRating.objects.filter(case=case, party=party).exists() else party


# --- rating -----------------------------------------------------------------------------------------------------------


def _rating_problems(level: Any, comment: Any) -> tuple[RatingLevel, str]:
    fields: dict[str, Any] = {}
    codes: dict[str, str] = {}
    if level not in RatingLevel.values:
        fields["level"], codes["level"] = _("请选择一项评价。"), "unknown_level"
    text = (comment or "").strip() if isinstance(comment, str) or comment is None else None
    if text is None:
        fields["comment"], codes["comment"] = _("评价意见应为文字。"), "comment_invalid"
    elif len(text) > COMMENT_MAX:
        fields["comment"], codes["comment"] = _("评价意见不能超过 500 字。"), "comment_too_long"
    if fields:
        raise Invalid(fields, codes=codes)
    return RatingLevel(level), text or ""


def case_rate(*, case: Case, actor: Any, level: str, comment: str = "") -> CaseRating:
    """Rate the handling of a decided case, once per party; a 差评 opens a follow-up for the bureau.

    1. The actor must be a party: the case's applicant (personal kinds) or a handler of its unit.
    2. The case must be decided (approved or rejected), and not yet rated by that party.
    3. In one transaction, under the case's row lock: the rating, the follow-up of a 差评, their audit events.
    """
    party = rating_party_of(case, actor)
    if party is None:
        raise Forbidden(_("只有本案的申请人或单位经办人可以评价。"), code="parties_only")
    if case.state not in DECIDED:
        raise InvalidState(case.state, _("案件办结后才能评价。"), code="not_decided")
    chosen, text = _rating_problems(level, comment)
    with audited_atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.state not in DECIDED:
            raise InvalidState(locked.state, _("案件办结后才能评价。"), code="not_decided")
        if CaseRating.objects.filter(case=locked, party=party).exists():
            raise InvalidState(locked.state, _("您已评价过本案，每方只能评价一次。"), code="already_rated")
        try:
            rating = CaseRating.objects.create(
                case=locked, party=party, level=chosen, comment=text, rated_by=actor, rated_at=timezone.now()
            )
        except IntegrityError:  # the database's own guard, should a second rating slip past the lock
            raise InvalidState(locked.state, _("您已评价过本案，每方只能评价一次。"), code="already_rated") from None
        audit_record(actor=actor, action="case.rated", obj=rating,
                     changes={"case": locked.public_id, "party": party.value, "level": chosen.value})
        if chosen in BAD_LEVELS:
            follow_up = RatingFollowUp.objects.create(rating=rating, opened_at=rating.rated_at)
            audit_record(actor=actor, action="rating.follow_up_opened", obj=follow_up,
                         changes={"case": locked.public_id, "level": chosen.value})
    return rating


# --- the bureau's follow-up -------------------------------------------------------------------------------------------


def _require_approver(actor: Any) -> None:
    if getattr(actor, "role", None) != Role.BUREAU_APPROVER:
        raise Forbidden(_("只有区人社局审批人员可以处理差评回访。"), code="approvers_only")


CLOSED_ORDER = ("-closed_at", "-id")  # the call-backs made, most recent first


def rating_follow_ups(user: Any, *, closed: bool = False) -> QuerySet[RatingFollowUp]:
    """The bureau's follow-ups (bureau approvers only; none for anyone else): open ones oldest first, or the closed
    ones most recently closed first."""
    follow_ups = _follow_ups(user)
    if closed:
        return follow_ups.filter(closed_at__isnull=False).order_by(*CLOSED_ORDER)
    return follow_ups.filter(closed_at__isnull=True).order_by("opened_at", "id")


def rating_follow_ups_shown(user: Any, *, after: str | None, size: int,
                            waiting: int) -> tuple[KeysetPage, list[RatingFollowUp]]:
    """What the bureau's 好差评 page lists, in one query: a keyset page of `size` closed follow-ups after the cursor
    `after` (most recently closed first; `Invalid` for a bad cursor) and the `waiting` open ones waiting longest."""
    closed = keyset_window(rating_follow_ups(user, closed=True), order=CLOSED_ORDER, after=after, size=size)
    oldest = rating_follow_ups(user)[:waiting]
    rows = list(_follow_ups(user).filter(pk__in=ids_in(closed).union(ids_in(oldest), all=True)))
    called_back = sorted((row for row in rows if row.closed_at), key=lambda row: (row.closed_at, row.pk), reverse=True)
    still_open = sorted((row for row in rows if not row.closed_at), key=lambda row: (row.opened_at, row.pk))
    return keyset_result(called_back, order=CLOSED_ORDER, size=size), still_open


def _follow_ups(user: Any) -> QuerySet[RatingFollowUp]:
    """Every follow-up with what its rows show, for a bureau approver; none for anyone else."""
    follow_ups = RatingFollowUp.objects.select_related("rating__case__unit", "rating__case__applicant",
                                                       "rating__rated_by", "closed_by")
    return follow_ups if getattr(user, "role", None) == Role.BUREAU_APPROVER else follow_ups.none()


def rating_follow_up_for(user: Any, pk: int) -> RatingFollowUp:
    """One follow-up, for a bureau approver; NotFound for anyone else and for one that does not exist."""
    found = RatingFollowUp.objects.none()
    if getattr(user, "role", None) == Role.BUREAU_APPROVER:
        found = RatingFollowUp.objects.select_related(
            "rating__case__unit", "rating__case__applicant", "rating__rated_by", "closed_by"
        ).filter(pk=pk)
    follow_up = found.first()
    if follow_up is None:
        raise NotFound(_("未找到该回访事项。"), code="follow_up_not_found")
    return follow_up


def _call_back_problems(
    follow_up: RatingFollowUp, called_on: Any, spoke_with: Any, summary: Any
) -> tuple[date, str, str]:
    fields: dict[str, Any] = {}
    codes: dict[str, str] = {}
    rated_on = timezone.localtime(follow_up.rating.rated_at).date()
    if not isinstance(called_on, date):
        fields["called_on"], codes["called_on"] = _("请填写回访日期。"), "call_back_required"
    elif called_on > timezone.localdate():
        fields["called_on"], codes["called_on"] = _("回访日期不能晚于今天。"), "called_on_future"
    elif called_on < rated_on:
        fields["called_on"], codes["called_on"] = _("回访日期不能早于评价日期。"), "called_on_before_rating"
    who = spoke_with.strip() if isinstance(spoke_with, str) else ""
    what = summary.strip() if isinstance(summary, str) else ""
    if not who:
        fields["spoke_with"], codes["spoke_with"] = _("请填写回访对象。"), "call_back_required"
    elif len(who) > SPOKE_WITH_MAX:
        fields["spoke_with"], codes["spoke_with"] = _("回访对象不能超过 100 字。"), "spoke_with_too_long"
    if not what:
        fields["summary"], codes["summary"] = _("请记录回访情况。"), "call_back_required"
    elif len(what) > SUMMARY_MAX:
        fields["summary"], codes["summary"] = _("回访情况不能超过 2000 字。"), "summary_too_long"
    if fields:
        raise Invalid(fields, codes=codes)
    return called_on, who, what


def rating_follow_up_close(
    *, follow_up: RatingFollowUp, actor: Any, called_on: date | None, spoke_with: str, summary: str
) -> RatingFollowUp:
    """Close a 差评's follow-up with the call-back made to the rater (a bureau approver; once).

    1. The actor must be a bureau approver; the follow-up must still be open.
    2. The call-back is complete: its day (from the rating's day to today), who was spoken to, what was said.
    3. In one transaction, under the follow-up's row lock: the record and its audit event.
    """
    _require_approver(actor)
    if not follow_up.is_open:
        raise InvalidState("closed", _("该回访事项已办结。"), code="follow_up_closed")
    day, who, what = _call_back_problems(follow_up, called_on, spoke_with, summary)
    with audited_atomic():
        locked = RatingFollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if not locked.is_open:
            raise InvalidState("closed", _("该回访事项已办结。"), code="follow_up_closed")
        locked.called_on, locked.spoke_with, locked.summary = day, who, what
        locked.closed_by, locked.closed_at = actor, timezone.now()
        locked.save(update_fields=["called_on", "spoke_with", "summary", "closed_by", "closed_at"])
        audit_record(actor=actor, action="rating.follow_up_closed", obj=locked,
                     changes={"called_on": day.isoformat()})
    return locked


# --- statistics -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelCount:
    level: RatingLevel
    count: int

    @property
    def label(self) -> Any:
        return self.level.label

    @property
    def bad(self) -> bool:
        return self.level in BAD_LEVELS


@dataclass(frozen=True)
class RatingSummary:
    start: date
    end: date
    levels: tuple[LevelCount, ...]  # every level, best first, zero counts included

    @property
    def total(self) -> int:
        return sum(row.count for row in self.levels)

    @property
    def satisfied(self) -> int:
        return sum(row.count for row in self.levels if not row.bad)

    @property
    def bad(self) -> int:
        return self.total - self.satisfied

    @property
    def satisfied_share(self) -> Decimal | None:
        """Satisfied ratings in percent, one decimal (None when no rating was given)."""
        if not self.total:
            return None
        return (Decimal(100 * self.satisfied) / self.total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rating_summary(period: tuple[date, date]) -> RatingSummary:
    """The ratings given from `period[0]` to `period[1]` (both included, Beijing days): each level's count and the
    share satisfied."""
    start, end = period
    since, until = days_range(start, end)  # a range of moments: the index on rated_at serves it
    counts = dict(
        CaseRating.objects.filter(rated_at__gte=since, rated_at__lt=until)
        .values_list("level").annotate(n=Count("id")).values_list("level", "n")
    )
    return RatingSummary(start, end, tuple(LevelCount(level, counts.get(level.value, 0)) for level in RatingLevel))
