"""Cases: one model for the seven kinds (and the three info_change subtypes); what each kind means is described in
`wrp.cases.kinds`, and the state machine (who moves a case from which state to which) is the table of
`wrp.cases.workflow`.

On submission the facts (unit + applicant profile + permit + system state + the case's own answers) are assessed and
frozen with the assessment; the clock starts and stops while the case is returned for correction.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from wrp.policy.codes import ChangeSubtype, Service

KIND_CHOICES = [(service.value, service.value) for service in Service]
SUBTYPE_CHOICES = [(subtype.value, subtype.value) for subtype in ChangeSubtype]


class CaseState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    AWAITING_UNIT = "awaiting_unit", _("待单位审核")
    SUBMITTED = "submitted", _("已提交")
    IN_REVIEW = "in_review", _("审核中")
    RETURNED = "returned", _("退回补正")
    PENDING_APPROVAL = "pending_approval", _("待区局审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class Acceptance(models.TextChoices):
    """How a case came to be accepted (受理, POLICY §11 L-ACCEPT) — a recorded act, not a state — or refused acceptance."""

    EXPLICIT = "explicit", _("受理")
    WITH_DECISION = "with_decision", _("随决定受理")
    DEEMED = "deemed", _("视为受理")
    NOT_ACCEPTED = "not_accepted", _("不予受理")


# One open case per purpose (issue 11 §9): an applicant holds at most one unfinished case of each of these kinds, so
# two never both hold a quota unit or both change the employer. Unfinished: any state but the final ones (the
# workflow's FINAL_STATES; `tests/cases/test_one_open_case.py` checks the two agree).
ONE_OPEN_PER_APPLICANT = ("initial", "employer_change")
FINISHED_STATES = ("approved", "rejected", "withdrawn")
# The window's queue (the workflow's OPEN_STATES, checked by tests/cases/test_selectors_lists.py): the states its
# partial index covers, so the queue's WHERE implies the index's.
QUEUE_STATES = ("submitted", "in_review", "returned", "pending_approval")
NO_DATE = date.max  # a missing date sorts last in the queue


def queue_sort_keys() -> dict[str, models.Expression]:
    """The queue's order (`wrp.cases.selectors.by_due_date`), as expressions that are never NULL so that one
    row-value comparison pages through them by keyset: running clocks before paused ones, soonest due first, then by
    acceptance day (a missing date last). The partial indexes case_queue_due and case_queue_state_due are on them."""
    return {
        "queue_paused": models.ExpressionWrapper(models.Q(paused_on__isnull=False), output_field=models.BooleanField()),
        "queue_due": Coalesce("due_on", models.Value(NO_DATE), output_field=models.DateField()),
        "queue_accepted": Coalesce("accepted_on", models.Value(NO_DATE), output_field=models.DateField()),
    }


class Case(models.Model):
    public_id = models.CharField(_("案件编号"), max_length=20, unique=True)
    kind = models.CharField(_("事项"), max_length=30, choices=KIND_CHOICES)
    subtype = models.CharField(_("变更类型"), max_length=20, choices=SUBTYPE_CHOICES, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=CaseState.choices, default=CaseState.DRAFT,
                             db_index=True)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="cases")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="cases")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(_("案件填报"), default=dict, blank=True)  # the case's own facts (children, names…)
    frozen_facts = models.JSONField(null=True, blank=True)  # the assessment request as submitted
    assessment = models.JSONField(null=True, blank=True)  # {"zh": response, "en": response} frozen at submission
    review_reasons = models.JSONField(default=dict, blank=True)  # {rule: reason} accepted by the clerk
    version = models.PositiveIntegerField(default=0)  # submissions so far (1 = first submission)
    # clock (POLICY §3): starts at submission, stops while returned, resumes with the days left
    time_limit = models.PositiveSmallIntegerField(null=True, blank=True)
    accepted_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True, db_index=True)
    paused_on = models.DateField(null=True, blank=True)
    days_left_at_pause = models.IntegerField(null=True, blank=True)
    clock_provisional = models.BooleanField(default=False)
    overdue = models.BooleanField(default=False)  # set by the sweep; the clock is the truth
    quota_year = models.PositiveSmallIntegerField(null=True, blank=True)  # set while a quota unit is reserved
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    forwarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    permit = models.ForeignKey("permits.Permit", on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    # acceptance (POLICY §11 L-ACCEPT): the materials' latest arrival (submit or resubmit), the 5th working day after
    # it, and the act of acceptance (or its refusal) — see `wrp.cases.acceptance`
    received_at = models.DateTimeField(null=True, blank=True)
    acceptance_due = models.DateField(null=True, blank=True, db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    acceptance = models.CharField(max_length=20, choices=Acceptance.choices, blank=True)
    acceptance_reason = models.TextField(blank=True)  # the reasons of a 不予受理
    # extension (POLICY §11 L-EXTEND): once, by the bureau, before the due date
    extended_at = models.DateTimeField(null=True, blank=True)
    extended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    extension_days = models.PositiveSmallIntegerField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    due_before_extension = models.DateField(null=True, blank=True)
    # the window clerk who holds the case in the queue (认领 / 分配, `wrp.cases.claims`): one clerk at a time
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("认领人"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "due_on"]),
            models.Index(fields=["unit", "state"]),
            # The lists (wrp.cases.selectors): newest first for everyone (and by state), a unit's and an applicant's
            # own cases, and the window's queue in `by_due_date` order over the open states only (partial expression
            # indexes, the second for the queue narrowed to one state).
            models.Index(fields=["created_at", "id"], name="case_created"),
            models.Index(fields=["state", "created_at", "id"], name="case_state_created"),
            models.Index(fields=["unit", "created_at", "id"], name="case_unit_created"),
            models.Index(fields=["applicant", "created_at", "id"], name="case_applicant_created"),
            models.Index(*queue_sort_keys().values(), "id", name="case_queue_due",
                         condition=models.Q(state__in=QUEUE_STATES)),
            models.Index("state", *queue_sort_keys().values(), "id", name="case_queue_state_due",
                         condition=models.Q(state__in=QUEUE_STATES)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "kind"], name="one_open_case_per_purpose",
                condition=models.Q(kind__in=ONE_OPEN_PER_APPLICANT, applicant__isnull=False)
                & ~models.Q(state__in=FINISHED_STATES),
            ),
        ]

    def __str__(self) -> str:
        return self.public_id


class MaterialStatus(models.TextChoices):
    MISSING = "missing", _("未上传")
    UPLOADED = "uploaded", _("已上传")
    ACCEPTED = "accepted", _("已通过")
    REJECTED = "rejected", _("需重新上传")


class CaseMaterial(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    code = models.CharField(max_length=40)
    required = models.BooleanField(default=True)
    status = models.CharField(max_length=20, choices=MaterialStatus.choices, default=MaterialStatus.MISSING)
    reason = models.TextField(blank=True)
    file = models.ForeignKey("documents.StoredFile", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")
    uploaded_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "code"], name="one_material_per_code")]
        ordering = ["id"]


class CaseEvent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    actor_role = models.CharField(max_length=20, blank=True)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class CorrectionNotice(models.Model):
    """一次性告知: every problem of a returned case in one notice."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    problems = models.JSONField()  # [{"material": code or null, "text": ...}]
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issued_at", "id"]


class CaseSnapshot(models.Model):
    """What a submission carried (facts and file hashes per material), to show the clerk what changed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="snapshots")
    version = models.PositiveIntegerField()
    at = models.DateTimeField()
    facts = models.JSONField()
    materials = models.JSONField()  # {code: sha256 or null}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="one_snapshot_per_version")]
        ordering = ["version"]


class RatingParty(models.TextChoices):
    """Who rates a case (好差评): its applicant, and its unit through any of its handlers — once each."""

    APPLICANT = "applicant", _("申请人")
    UNIT = "unit", _("单位")


class RatingLevel(models.TextChoices):
    """The five levels of 好差评, best first; the last two are 差评."""

    VERY_SATISFIED = "very_satisfied", _("非常满意")
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")
    VERY_DISSATISFIED = "very_dissatisfied", _("非常不满意")


class CaseRating(models.Model):
    """One party's rating of how a decided case was handled (see `wrp.cases.ratings`)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ratings")
    party = models.CharField(_("评价方"), max_length=20, choices=RatingParty.choices)
    level = models.CharField(_("评价"), max_length=20, choices=RatingLevel.choices)
    comment = models.TextField(_("评价意见"), blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        constraints = [models.UniqueConstraint(fields=["case", "party"], name="one_rating_per_party")]
        ordering = ["rated_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.party}:{self.level}"


class RatingFollowUp(models.Model):
    """A 差评 waiting in the bureau's queue until an approver records the call-back made to the rater."""

    rating = models.OneToOneField(CaseRating, on_delete=models.CASCADE, related_name="follow_up")
    opened_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    called_on = models.DateField(_("回访日期"), null=True, blank=True)
    spoke_with = models.CharField(_("回访对象"), max_length=100, blank=True)
    summary = models.TextField(_("回访情况"), blank=True)

    class Meta:
        verbose_name = _("差评回访")
        verbose_name_plural = _("差评回访")
        ordering = ["opened_at", "id"]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
