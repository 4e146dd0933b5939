"""The applicant's new case: which kinds an applicant may open (the personal kinds, each info_change subtype on its
own) and, for the one chosen, the answers form every page shares (`wrp.portal.common.answers`)."""

from __future__ import annotations

from typing import Any

from wrp.cases.kinds import KINDS, KindSpec
from wrp.portal.common.answers import CHILD_ROWS, AnswersForm

NEW_CASES: tuple[KindSpec, ...] = tuple(spec for spec in KINDS.values() if spec.personal)


def new_case_form(kind: KindSpec, data: Any, profile_children: list[dict[str, Any]], applicant: Any = None
                  ) -> AnswersForm:
    """The answers of a new case; a first permit starts from the children in the profile (their cases; the names are
    typed on the case); a children change from those on the applicant's permit."""
    answers = {}
    if not kind.on_permit:
        answers["children"] = [{"name": "", "case": child["case"]} for child in profile_children[:CHILD_ROWS]]
    return AnswersForm(data, kind=kind, answers=answers, applicant=applicant)
