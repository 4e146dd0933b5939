"""The applicant's profile as the self-check's questions: facts ⇄ form answers.

The profile and the prefilled self-check reuse the public self-check's questions and form (`wrp.public.questions`,
`wrp.public.forms.CheckForm`): the same labels, help, choices and shape checks; the profile asks every applicant fact
(each optional, so it can be filled in over time) and, of the talent-condition details, those of the condition
claimed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import QueryDict

from wrp.cases.facts import profile_facts
from wrp.policy.codes import Service
from wrp.policy.rules.conditions import CONDITION_READS
from wrp.public.forms import CheckForm, answered, assessment_request
from wrp.public.questions import FACTS, FLAG, MONEY, MULTI, NONE, NONE_CHOICE, YES_NO, Question, Questionnaire, Raw, ask

# The profile: every applicant fact of the self-check but `permit` (the system keeps it). The details of one talent
# condition only (IP, startup, tax paid, income by year, recommendation, overseas qualification) are asked when that
# condition is claimed; education, title and award describe the person and are always asked.
PROFILE_PATHS = tuple(p for p in FACTS if p.startswith("applicant.") and p != "applicant.permit")
CONDITION_DETAILS = frozenset(
    {"applicant.ip", "applicant.startup", "applicant.annual_tax_paid", "applicant.taxable_income_by_year",
     "applicant.recommended_and_approved", "applicant.overseas_qualification"}
)  # fmt: skip
CHILDREN, FIRST_CHILD = "applicant.children", "applicant.children.0.case"
_MISSING = object()


# --- facts ⇄ the self-check's form answers --------------------------------------------------------------------------


def _flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths of a facts tree (`applicant.children.0.case`); a null object stays one null entry."""
    if isinstance(tree, dict):
        flat: dict[str, Any] = {}
        for key, value in tree.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(tree, list) and any(isinstance(item, dict) for item in tree):
        flat = {}
        for index, value in enumerate(tree):
            flat.update(_flatten(value, f"{prefix}.{index}"))
        return flat
    return {prefix: tree}


def _raw_text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return [str(item) for item in value]
    return str(value)


def _answer(question: Question, flat: Mapping[str, Any]) -> Any:
    """What the form field of `question` holds for the stored facts (None: unanswered)."""
    if question.kind == FLAG:  # the open-ended box: contract_end stated, and null
        parent = question.path.rpartition(".")[0]
        return "on" if flat.get(parent, _MISSING) is None else None
    if question.kind == NONE_CHOICE and flat.get(question.null_path or question.path, _MISSING) is None:
        return NONE
    if question.path == FIRST_CHILD and flat.get(CHILDREN) == []:  # stated: no child accompanies
        return NONE
    value = flat.get(question.path)
    if value is None:
        return None
    if question.kind == MONEY:
        return format(Decimal(str(value)).normalize(), ",f")
    if question.kind == MULTI:
        return [str(item) for item in value]
    if question.kind == YES_NO:
        return "yes" if value else "no"
    return _raw_text(value)


def bound_answers(tree: dict[str, Any], build: Callable[[Mapping[str, Any]], Questionnaire]) -> tuple[
    Questionnaire, QueryDict
]:
    """The questionnaire for stored facts and the form data that answers it, as if the person had typed them."""
    flat = _flatten(tree)
    raw = {name.replace(".", "__"): text for name, value in flat.items() if (text := _raw_text(value)) is not None}
    if flat.get("applicant.contract_end", _MISSING) is None:
        raw["applicant__contract_end__open"] = "on"
    asked = build(raw)
    data = QueryDict(mutable=True)
    for question in asked.questions:
        answer = _answer(question, flat)
        if isinstance(answer, list):
            data.setlist(question.name, answer)
        elif answer is not None:
            data[question.name] = answer
    return asked, data


def profile_questionnaire(as_of: date, answers: Mapping[str, Any]) -> Questionnaire:
    """The profile's questions, shaped by the structural answers (talent condition, housing, children, …)."""
    raw = Raw(answers, as_of)
    claimed = CONDITION_READS.get(raw.condition() or 0, ())
    paths = [p for p in PROFILE_PATHS if p not in CONDITION_DETAILS or p in claimed]
    asked = []
    for fact in paths:
        spec = FACTS[fact]
        asked.extend(spec(raw) if callable(spec) else [ask(fact, *spec)])
    return Questionnaire(Service.INITIAL, as_of, tuple(paths), tuple(asked))


def profile_form(as_of: date, lang: str, data: Any) -> tuple[CheckForm, int]:
    """The profile form — the self-check's fields, every one optional (the profile is filled in over time) — and how
    many of the questions the self-check requires are still unanswered."""
    asked = profile_questionnaire(as_of, data)
    optional = tuple(dataclasses.replace(question, required=False) for question in asked.questions)
    form = CheckForm(dataclasses.replace(asked, questions=optional), lang, data)
    return form, unanswered_count(asked, data)


def unanswered_count(asked: Questionnaire, data: Any) -> int:
    """How many of the questions the self-check requires have no answer in `data` (the form's own test)."""
    return sum(1 for question in asked.questions if question.required and not answered(data, question.name))


def posted_profile_form(user: Any, as_of: date, lang: str, posted: QueryDict) -> tuple[CheckForm, int]:
    """The profile form for the posted answers. A question the page did not show when it posted — one an answer just
    given calls for, such as the yearly income when condition 4 is chosen again — starts from the stored answer, so
    a saved value is never shown empty and then saved empty. (An unticked box is never filled in: not posting it is
    the answer.)"""
    flat = _flatten({"applicant": profile_facts(user)})
    data = posted.copy()
    for question in profile_questionnaire(as_of, posted).questions:
        answer = None if question.kind == FLAG or question.name in posted else _answer(question, flat)
        if isinstance(answer, list):
            data.setlist(question.name, answer)
        elif answer is not None:
            data[question.name] = answer
    return profile_form(as_of, lang, data)


def profile_answers(form: CheckForm, posted: QueryDict) -> tuple[dict[str, Any], set[tuple[str, ...]]]:
    """The facts a valid profile form gives and the parts of the profile it replaces (`profile_save(replacing=…)`).

    A part is replaced only when its field was posted: a fact the page did not ask (the details of another talent
    condition, a year no longer asked) or a post without that field keeps what is stored; a field posted empty clears
    its fact. The first child's select tells 「无」 (no child accompanies: `children` is []) from no answer (`children`
    left out).
    """
    facts = assessment_request(form.questionnaire, form.cleaned_data).get("applicant", {})
    if not form.answered(FIRST_CHILD.replace(".", "__")):
        facts.pop("children", None)
    replacing = {_profile_part(question.path) for question in form.questionnaire.questions if question.name in posted}
    return facts, replacing


def _profile_part(path: str) -> tuple[str, ...]:
    """The part of the profile a question answers: its fact, or one year of a yearly fact (`income.2024`)."""
    parts = path.split(".")[1:]
    return tuple(parts) if len(parts) == 2 and parts[1].isdigit() else tuple(parts[:1])


def stored_profile_form(user: Any, as_of: date, lang: str) -> tuple[CheckForm, int]:
    return profile_form(as_of, lang, _stored_answers(user, as_of))


def stored_profile_unanswered(user: Any, as_of: date) -> int:
    """`stored_profile_form`'s count alone, without building the form (the home page shows only the count)."""
    data = _stored_answers(user, as_of)
    return unanswered_count(profile_questionnaire(as_of, data), data)


def _stored_answers(user: Any, as_of: date) -> QueryDict:
    _asked, data = bound_answers({"applicant": profile_facts(user)}, lambda raw: profile_questionnaire(as_of, raw))
    return data


def error_summary(fieldsets: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {"anchor": row["anchor"], "label": row["field"].label, "message": row["errors"][0]}
        for fieldset in fieldsets
        for row in fieldset["rows"]
        if row["errors"]
    ]

