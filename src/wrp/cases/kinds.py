"""The kinds of case: one description per kind (and per info_change subtype), registered once.

Seven service items (POLICY §1) are filed as cases; a basic-information change comes in three subtypes, each a kind
of its own here (key `info_change:address`, …), which makes nine descriptions. What the law says about an item —
who files it, whether it takes a quota unit, whether the district bureau approves it, its time limit and title — is
read from `wrp.policy` (`codes`, `items`, `labels`), never re-declared. What the platform adds is declared here, once:
the answers the case carries itself (one schema for the page form and the service's check), the effect of approval
(a function of `effects.py`) and the wording of what the approval decides.

Everything that varies by kind asks `kind_of(case)` (or `kind_spec(kind, subtype)`) instead of testing `case.kind`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wrp.cases import effects
from wrp.policy.codes import UNIT_SERVICES, ChangeSubtype, ChildCase, Degree, HousingKind, Hukou, Reviewer, Service
from wrp.policy.items import ITEMS
from wrp.policy.labels import LABELS

Effect = Callable[..., None]  # effect(case, *, actor, on: date) -> None, inside the approving transaction


@dataclass(frozen=True)
class AnswerField:
    """One answer a case carries itself (in `Case.answers`).

    `fact`: sent to the policy as the applicant's fact of the same name, overriding the profile; of a value with
    parts only the parts `sent` go (each child's `case`, not the name; the new home's kind and lease, not its
    address). `parts`: the keys of an object value, or of each row when `many`. `choices`: the codes the value takes
    — of its part `coded` when it has parts. `needed`: the change cannot go without it — taken from the case's
    answer or, when the case carries none, from the applicant's profile (contracts/cases-api.md: the facts are the
    profile's), and refused when the case is opened or submitted if missing (`wrp.cases.facts.change_check`), never
    at approval. Values are checked by the policy at the unit's submission; the service checks that a case carries
    the answers of its kind, in their shape."""

    name: str
    label: Promise
    fact: bool
    many: bool = False
    parts: tuple[str, ...] = ()
    choices: type[StrEnum] | None = None
    coded: str = ""
    sent: tuple[str, ...] = ()  # the parts the policy reads (all when empty)
    needed: bool = False


CHILDREN = AnswerField(
    "children", _("随往子女"), fact=True, many=True, parts=("name", "case"), choices=ChildCase, coded="case",
    sent=("case",),
)
# A children change lists the children the permit carries after it: those it keeps and those it adds (a child left
# out is removed). A-CHILDREN wants at least one, so the last child cannot be removed by a change.
CHANGED_CHILDREN = replace(CHILDREN, label=_("变更后的随往子女"), needed=True)
HOUSING = AnswerField(  # the new home: its kind and lease for the policy, its address for the decision
    "housing", _("新的住房情况"), fact=True, parts=("kind", "lease_end", "address"), choices=HousingKind,
    coded="kind", sent=("kind", "lease_end"), needed=True,
)
HOUSING_LOAN = AnswerField(  # 附件3's particulars, for the document only
    "housing_loan", _("亲属住房情况"), fact=False,
    parts=("since", "address", "owner_name", "owner_id_number", "relationship"),
)
REAL_NAME = AnswerField("real_name", _("新姓名"), fact=False)  # applied on approval, not a fact the policy reads
HUKOU = AnswerField("hukou", _("新户籍情况"), fact=True, choices=Hukou)
DEGREE = AnswerField("degree", _("新学历或学位"), fact=True, choices=Degree, needed=True)


@dataclass(frozen=True)
class KindSpec:
    """One kind of case. `key` is the service, or `info_change:<subtype>`."""

    key: str
    service: Service
    subtype: ChangeSubtype | None
    personal: bool  # filed for an applicant (else a unit item, without applicant)
    needs_quota: bool  # takes a quota unit at submission (POLICY §9)
    to_bureau: bool  # forwarded by the window to the district bureau, which approves it
    on_permit: bool  # acts on the applicant's existing permit (its P- rules apply)
    time_limit: int  # working days (POLICY §3)
    title: tuple[str, str]  # (zh, en) as the guide names the item, with the kind of change
    answers: tuple[AnswerField, ...]
    effect: Effect
    decision: Promise  # what the approval decides, for the decision letter and the pages

    @property
    def answer_names(self) -> frozenset[str]:
        return frozenset(field.name for field in self.answers)

    @property
    def fact_names(self) -> tuple[str, ...]:
        """The applicant facts the case carries in its answers (they override the profile)."""
        return tuple(field.name for field in self.answers if field.fact)

    def apply(self, case: Any, *, actor: Any, on: date) -> None:
        """The effect of approval, in the approving transaction."""
        self.effect(case, actor=actor, on=on)


KINDS: dict[str, KindSpec] = {}


def kind_key(kind: str, subtype: str | None = None) -> str:
    return f"{kind}:{subtype}" if kind == Service.INFO_CHANGE and subtype else str(kind)


def register(
    service: Service, subtype: ChangeSubtype | None = None, *, answers: tuple[AnswerField, ...] = (),
    effect: Effect, decision: Promise,
) -> KindSpec:
    """Describe a kind, its flags read from the policy's item."""
    key = kind_key(service, subtype)
    if key in KINDS:
        raise ValueError(f"kind {key} registered twice")
    item = ITEMS[service]
    title_zh, title_en = item.title_zh, item.title_en
    if subtype is not None:
        sub_zh, sub_en = LABELS[subtype]
        title_zh, title_en = f"{title_zh}（{sub_zh}）", f"{title_en} ({sub_en.lower()})"
    spec = KindSpec(
        key=key, service=service, subtype=subtype,
        personal=service not in UNIT_SERVICES,
        needs_quota=item.needs_quota,
        to_bureau=Reviewer.DISTRICT_BUREAU in item.review_chain,
        on_permit=any(rule_id.startswith("P-") for rule_id, _applies in item.rules),
        time_limit=item.time_limit,
        title=(title_zh, title_en),
        answers=answers, effect=effect, decision=decision,
    )
    KINDS[key] = spec
    return spec


register(Service.UNIT_OPENING, effect=effects.unit_account_opened, decision=_("开通单位工作居住证账户"))
register(Service.UNIT_TRANSFER, effect=effects.unit_account_moved_here, decision=_("将单位工作居住证账户转入本区"))
register(Service.INITIAL, answers=(CHILDREN, HOUSING_LOAN), effect=effects.permit_issued,
         decision=_("核发工作居住证，有效期三年"))
register(Service.EMPLOYER_CHANGE, effect=effects.permit_moved_to_employer, decision=_("将工作居住证转至新聘用单位"))
register(Service.CHILDREN_CHANGE, answers=(CHANGED_CHILDREN,), effect=effects.children_changed,
         decision=_("变更工作居住证上的随往子女"))
register(Service.INFO_CHANGE, ChangeSubtype.ADDRESS, answers=(HOUSING, HOUSING_LOAN),
         effect=effects.address_recorded, decision=_("变更持证人的居住地址"))
register(Service.INFO_CHANGE, ChangeSubtype.NAME_OR_HUKOU, answers=(REAL_NAME, HUKOU),
         effect=effects.name_or_hukou_recorded, decision=_("变更持证人的姓名或户籍"))
register(Service.INFO_CHANGE, ChangeSubtype.EDUCATION, answers=(DEGREE,), effect=effects.education_recorded,
         decision=_("变更持证人的学历或学位"))
register(Service.RENEWAL, effect=effects.permit_extended, decision=_("工作居住证有效期延长三年"))


def kind_spec(kind: str, subtype: str | None = None) -> KindSpec:
    """The description of a kind (with its subtype for info_change); KeyError for anything else."""
    return KINDS[kind_key(kind, subtype)]


def kind_of(case: Any) -> KindSpec:
    return kind_spec(case.kind, case.subtype or None)


def _services(flag: Callable[[KindSpec], bool]) -> frozenset[str]:
    return frozenset(spec.service.value for spec in KINDS.values() if flag(spec))


PERSONAL_KINDS = _services(lambda spec: spec.personal)
UNIT_KINDS = _services(lambda spec: not spec.personal)
QUOTA_KINDS = _services(lambda spec: spec.needs_quota)
BUREAU_KINDS = _services(lambda spec: spec.to_bureau)
WINDOW_KINDS = _services(lambda spec: not spec.to_bureau)  # approved at the window
