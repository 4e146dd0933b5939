"""The self-check's questions: which facts a service needs, asked in plain words, in Chinese and English.

Nothing here lists questions per service. A service asks what the rules that apply to it read (the policy's
`service_reads`: `ITEMS[service].rules` → `RULES[id].reads`, plus the unit's districts its checklist reads), the
claimed talent condition's facts (`CONDITION_READS`), the children of the checklist and the change subtype of
`info_change`. Each fact path becomes one or a few form fields, named after the path with "." → "__"
(`applicant__housing__kind`, `unit__annual_tax__2023`).

Some answers are structural: the change subtype, the unit's kind and legal personality, the talent condition, the
housing kind, the permit status, an open-ended contract, the account status, the award level and the tax district
decide which other questions appear. The server decides from the posted answers, so the page behaves alike with
JavaScript on or off. This module is pure (no Django): the caller passes the raw answers and the language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from wrp.policy.codes import (
    HOME_DISTRICT,
    INNOVATION_ENTITIES,
    INNOVATION_SERVICE_ENTITIES,
    RENTED_HOUSING,
    AccountStatus,
    AwardLevel,
    ChangeSubtype,
    ChildCase,
    Degree,
    District,
    HousingKind,
    Hukou,
    Penalty,
    PermitStatus,
    ProfessionalTitle,
    Qualification,
    Service,
    UnitKind,
)
from wrp.policy.facts import service_reads
from wrp.policy.materials import WITH_CHILDREN
from wrp.policy.models import Applicant, AssessmentRequest, Change, Unit
from wrp.policy.rules.base import income_years
from wrp.policy.rules.conditions import CONDITION_READS
from wrp.public.wording import (  # the portal also reads the wording from here
    AWARD_GRADE_CHOICES,
    GROUPS,
    NONE,
    OTHER_NATIONALITY,
    PROMPTS,
    SERVICE_SUMMARIES,  # noqa: F401
    TALENT_CONDITIONS,
    TEXTS,
    YES_NO_CHOICES,
    Choices,
    Prompt,
    code_choices,
    pick,
    with_none,
)

# Kinds of question (how a field is asked and how its answer enters the request).
CHOICE = "choice"  # one code from a list
NUMBER_CHOICE = "number_choice"  # one whole number from a list (talent condition, award grade)
NONE_CHOICE = "none_choice"  # a list with 「无」 first: "none" makes the fact (or its object) null
YES_NO = "yes_no"
DATE = "date"
MONEY = "money"  # yuan
DECIMAL = "decimal"  # years, percent
COUNT = "count"  # whole number ≥ 0
MULTI = "multi"  # several codes (checkboxes), none allowed
FLAG = "flag"  # one checkbox (open-ended contract)

MAX_CHILDREN = 3



@dataclass(frozen=True)
class Question:
    """One form field: the fact path it answers, how it is asked, and which fieldset it sits in."""

    path: str  # "applicant.housing.kind", "unit.annual_tax.2023", "applicant.children.0.case"
    kind: str
    group: str
    prompt: Prompt
    choices: Choices = ()
    required: bool = True
    null_path: str | None = None  # NONE_CHOICE: the path that becomes null when "none" is chosen
    values: Mapping[str, Any] | None = None  # format arguments of the label ({year}, {number})

    @property
    def name(self) -> str:
        return self.path.replace(".", "__")

    def label(self, lang: str) -> str:
        return pick(self.prompt.label, lang).format(**(self.values or {}))

    def help(self, lang: str) -> str:
        return pick(self.prompt.help, lang)

    def suffix(self, lang: str) -> str:
        return pick(self.prompt.suffix, lang)

    def choice_labels(self, lang: str) -> list[tuple[str, str]]:
        return [(value, pick(text, lang)) for value, text in self.choices]


@dataclass(frozen=True)
class Raw:
    """The posted answers, read by fact path: what decides the structural questions."""

    answers: Mapping[str, Any]
    as_of: date

    def get(self, path: str) -> str:
        value = self.answers.get(path.replace(".", "__"))
        return value.strip() if isinstance(value, str) else ""

    def condition(self) -> int | None:
        value = self.get("applicant.talent_condition")
        return int(value) if value.isdigit() and int(value) in CONDITION_READS else None


def _group(path: str) -> str:
    if path.startswith("change."):
        return "change"
    if path == "unit.qualifications" or path.startswith(TALENT_PREFIXES):
        return "talent"
    if path.startswith("unit."):
        return "unit"
    if path.startswith("applicant.permit"):
        return "permit"
    if path in INCOME_PATHS:
        return "income"
    return "applicant"


_CONDITION_FACTS = {path for reads in CONDITION_READS.values() for path in reads} - {"unit.qualifications"}
TALENT_PREFIXES = ("applicant.talent_condition", *sorted(_CONDITION_FACTS))
INCOME_PATHS = frozenset(
    {"applicant.taxable_income_12m", "applicant.income_paid_by_unit", "applicant.social_insurance_months_by_unit",
     "applicant.social_insurance_unit_matches"}
)  # fmt: skip


def ask(path: str, kind: str, choices: Choices = (), *, prompt: str | None = None, **extra: Any) -> Question:
    """One question about `path`, worded by `PROMPTS[prompt or path]`."""
    return Question(path, kind, _group(path), PROMPTS[prompt or path], choices, **extra)


Expand = Callable[[Raw], list[Question]]


def _yearly(path: str, *, required: bool) -> Expand:
    def expand(raw: Raw) -> list[Question]:
        return [
            ask(f"{path}.{year}", MONEY, prompt=path, required=required, values={"year": year})
            for year in income_years(raw.as_of)
        ]

    return expand


def _tax_paid_since(raw: Raw) -> list[Question]:
    """Asked only when the unit pays tax in Chaoyang (elsewhere the date means nothing: it is sent as null)."""
    return [ask("unit.tax_paid_since", DATE)] if raw.get("unit.tax_district") == HOME_DISTRICT else []


def _account(raw: Raw) -> list[Question]:
    questions = [ask("unit.account.status", CHOICE, code_choices(AccountStatus))]
    if raw.get("unit.account.status") == AccountStatus.OPEN:
        questions.append(ask("unit.account.district", CHOICE, code_choices(District)))
    return questions


def _qualifications(raw: Raw) -> list[Question]:
    relevant = {4: INNOVATION_ENTITIES, 5: INNOVATION_SERVICE_ENTITIES}.get(
        raw.condition() or 0, frozenset(Qualification)
    )
    return [ask("unit.qualifications", MULTI, code_choices(Qualification, lambda code: code in relevant), required=False)]


def _contract_end(raw: Raw) -> list[Question]:
    """A date, or the open-ended box ticked instead (then the contract end is null)."""
    flag = ask("applicant.contract_end.open", FLAG, required=False)
    if raw.get("applicant.contract_end.open"):
        return [flag]
    return [ask("applicant.contract_end", DATE), flag]


def _housing(raw: Raw) -> list[Question]:
    questions = [ask("applicant.housing.kind", CHOICE, code_choices(HousingKind))]
    if raw.get("applicant.housing.kind") in RENTED_HOUSING:
        questions.append(ask("applicant.housing.lease_end", DATE))
    return questions


def _children(raw: Raw) -> list[Question]:
    """Up to three children; the next select appears once the one before is answered."""
    choices = with_none("no_child", code_choices(ChildCase))
    questions = []
    for index in range(MAX_CHILDREN):
        path = f"applicant.children.{index}.case"
        questions.append(
            ask(path, CHOICE, choices, prompt="applicant.children", required=False, values={"number": index + 1})
        )
        if raw.get(path) in ("", NONE):
            break
    return questions


def _award(raw: Raw) -> list[Question]:
    level = ask(
        "applicant.award.level", NONE_CHOICE, with_none("no_award", code_choices(AwardLevel)), null_path="applicant.award"
    )
    if raw.get("applicant.award.level") in ("", NONE):
        return [level]
    return [level, ask("applicant.award.grade", NUMBER_CHOICE, AWARD_GRADE_CHOICES)]


def _permit(raw: Raw) -> list[Question]:
    status = ask(
        "applicant.permit.status",
        NONE_CHOICE,
        with_none("no_permit", code_choices(PermitStatus)),
        null_path="applicant.permit",
    )
    if raw.get("applicant.permit.status") in ("", NONE):
        return [status]
    return [status, ask("applicant.permit.valid_until", DATE)]


def _object(path: str, fields: tuple[tuple[str, str], ...]) -> Expand:
    """Every inner fact of an object the condition needs (`applicant.ip`, `applicant.startup`)."""
    return lambda _raw: [
        ask(f"{path}.{field}", kind, YES_NO_CHOICES if kind == YES_NO else ()) for field, kind in fields
    ]


_DISTRICTS = code_choices(District)
_NATIONALITIES: Choices = (("CN", TEXTS["CN"]), (OTHER_NATIONALITY, TEXTS[OTHER_NATIONALITY]))
_IP = (
    ("author_rank", COUNT),
    ("invention_patents", COUNT),
    ("other_patents", COUNT),
    ("software_copyrights", COUNT),
    ("commercialised_in_beijing", YES_NO),
)
_STARTUP = (
    ("shareholding_percent", DECIMAL),
    ("shareholder_rank", COUNT),
    ("self_investment_3y", MONEY),
    ("equity_financing", MONEY),
    ("avg_annual_tax_3y", MONEY),
)

# Every fact a rule or the checklist can read, in the order the page asks them (within each fieldset): one question
# of a kind (with its choices), or a function of the structural answers giving the questions.
FACTS: dict[str, Expand | tuple[str, Choices]] = {
    "change.subtype": (CHOICE, code_choices(ChangeSubtype)),
    "unit.kind": (CHOICE, code_choices(UnitKind)),
    "unit.legal_person": (YES_NO, YES_NO_CHOICES),
    "unit.registered_district": (CHOICE, _DISTRICTS),
    "unit.tax_district": (CHOICE, _DISTRICTS),
    "unit.tax_paid_since": _tax_paid_since,
    "unit.registered_capital": (MONEY, ()),
    "unit.annual_tax": _yearly("unit.annual_tax", required=False),
    "unit.account": _account,
    "unit.quota_remaining": (COUNT, ()),
    "unit.quota_frozen": (YES_NO, YES_NO_CHOICES),
    "unit.penalty": (NONE_CHOICE, with_none("no_penalty", code_choices(Penalty))),
    "applicant.nationality": (CHOICE, _NATIONALITIES),
    "applicant.hukou": (CHOICE, code_choices(Hukou)),
    "applicant.dispatched": (YES_NO, YES_NO_CHOICES),
    "applicant.employment_start": (DATE, ()),
    "applicant.contract_end": _contract_end,
    "applicant.housing": _housing,
    "applicant.children": _children,
    "applicant.accompanying_spouse": (YES_NO, YES_NO_CHOICES),
    "applicant.talent_condition": (NUMBER_CHOICE, TALENT_CONDITIONS),
    "unit.qualifications": _qualifications,
    "applicant.degree": (NONE_CHOICE, with_none("no_degree", code_choices(Degree))),
    "applicant.work_experience_years": (DECIMAL, ()),
    "applicant.professional_title": (NONE_CHOICE, with_none("no_title", code_choices(ProfessionalTitle))),
    "applicant.award": _award,
    "applicant.ip": _object("applicant.ip", _IP),
    "applicant.startup": _object("applicant.startup", _STARTUP),
    "applicant.annual_tax_paid": _yearly("applicant.annual_tax_paid", required=True),
    "applicant.recommended_and_approved": (YES_NO, YES_NO_CHOICES),
    "applicant.overseas_qualification": (YES_NO, YES_NO_CHOICES),
    "applicant.taxable_income_by_year": _yearly("applicant.taxable_income_by_year", required=True),
    "applicant.taxable_income_12m": (MONEY, ()),
    "applicant.income_paid_by_unit": (YES_NO, YES_NO_CHOICES),
    "applicant.social_insurance_months_by_unit": (COUNT, ()),
    "applicant.social_insurance_unit_matches": (YES_NO, YES_NO_CHOICES),
    "applicant.permit": _permit,
}  # fmt: skip
# Facts sent as null when their question is not shown (the policy wants them stated even then).
NULL_WHEN_HIDDEN = ("unit.tax_paid_since",)


def fact_paths(service: Service, raw: Raw) -> list[str]:
    """The fact paths the service's rules and checklist read, given the structural answers so far.

    The policy says which rules apply to a request and what they read (`service_reads`: a conditional rule such as
    U-CAPITAL or A-HOUSING only where its condition holds); to that come the change subtype of `info_change`, the
    children of the checklist, and the facts of the talent condition claimed.
    """
    probe = _probe(service, raw)
    paths = ["change.subtype"] if service == Service.INFO_CHANGE else []
    paths.extend(service_reads(probe))
    if service in WITH_CHILDREN:
        paths.append("applicant.children")  # one material per child
    condition = probe.applicant.talent_condition if probe.applicant else None
    if condition is not None:
        paths.extend(CONDITION_READS[condition])
    return list(dict.fromkeys(paths))


def _probe(service: Service, raw: Raw) -> AssessmentRequest:
    """The structural answers as a request, enough for the policy to decide which rules apply."""
    subtype = raw.get("change.subtype")
    kind = raw.get("unit.kind")
    return AssessmentRequest.model_construct(
        service=service,
        as_of=raw.as_of,
        change=Change.model_construct(subtype=ChangeSubtype(subtype) if subtype in _SUBTYPES else None),
        unit=Unit.model_construct(
            kind=UnitKind(kind) if kind in _UNIT_KINDS else None,
            legal_person={"yes": True, "no": False}.get(raw.get("unit.legal_person")),
        ),
        applicant=Applicant.model_construct(talent_condition=raw.condition() if service == Service.INITIAL else None),
    )


_SUBTYPES = frozenset(str(code) for code in ChangeSubtype)
_UNIT_KINDS = frozenset(str(code) for code in UnitKind)


@dataclass(frozen=True)
class Questionnaire:
    """The questions one service asks, given the structural answers posted so far."""

    service: Service
    as_of: date
    facts: tuple[str, ...]
    questions: tuple[Question, ...]

    def groups(self) -> list[tuple[str, list[Question]]]:
        """Questions by fieldset, in the order of `GROUPS`; empty fieldsets left out."""
        return [
            (group, members)
            for group in GROUPS
            if (members := [question for question in self.questions if question.group == group])
        ]

    def field_for(self, path: str) -> str | None:
        """The form field that shows an error reported at a dotted fact path (nearest question; None if none)."""
        names = {question.path: question.name for question in self.questions}
        current = path
        while current:
            if current in names:
                return names[current]
            under = next((q.name for q in self.questions if q.path.startswith(current + ".")), None)
            if under is not None:
                return under
            current = current.rpartition(".")[0]
            if "." not in current and "." in path:
                return None  # never blame the first question of a whole part for one of its inner facts
        return None


def _expand(path: str, raw: Raw) -> list[Question]:
    spec = FACTS[path]
    if callable(spec):
        return spec(raw)
    kind, choices = spec
    return [ask(path, kind, choices)]


def questionnaire(service: Service, as_of: date, answers: Mapping[str, Any]) -> Questionnaire:
    """The questions for `service` on `as_of`, shaped by the structural answers among `answers` (raw form data)."""
    raw = Raw(answers, as_of)
    facts = fact_paths(service, raw)
    unknown = [path for path in facts if path not in FACTS]
    if unknown:
        raise KeyError(f"the self-check has no question for {', '.join(unknown)}")
    questions = [question for path in FACTS if path in facts for question in _expand(path, raw)]
    return Questionnaire(service, as_of, tuple(facts), tuple(questions))
