"""The language a page speaks: Chinese by default, English when Django's active language is English.

Pages (and anything rendered for them) ask `page_language()` for the short code `wrp.policy` uses for its own
`(zh, en)` labels. `policy_text` wraps such a pair, which the pure policy keeps itself, as a lazy message that renders
in the language active where it is shown, like any `gettext_lazy` message. `choice_label` is a choice's label (a
state, a role) in the active language, translated once per language: lists show one or more a row.
"""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import Choices
from django.utils.functional import Promise, lazy
from django.utils.translation import get_language

Language = Literal["zh", "en"]

# Django's language code for each of the two page languages.
DJANGO_LANGUAGE: dict[str, str] = {"zh": "zh-hans", "en": "en"}


def page_language() -> Language:
    """ "en" when the active language is English, else "zh"."""
    return "en" if (get_language() or "").startswith("en") else "zh"


def _pick(zh: str, en: str) -> str:
    return en if page_language() == "en" else zh


_lazy_pick = lazy(_pick, str)


def policy_text(zh: str, en: str) -> Promise:
    """A policy `(zh, en)` pair as a lazy message, rendered in the language active when it is shown."""
    return _lazy_pick(zh, en)


_LABELS: dict[tuple[type[Choices], str, str | None], str] = {}  # (choices, value, language): the label as said


def choice_label(choices: type[Choices], value: Any) -> str:
    """`str(choices(value).label)`, the label in the active language, for a value of the choices; any other value as
    it is. The catalogues do not change while the process runs: each label is translated once per language (Django's
    `choices.values` and lazy label would be built and translated again for every row of a list)."""
    key = (choices, value, get_language())
    said = _LABELS.get(key)
    if said is None:
        member = choices._value2member_map_.get(value)
        if member is None:
            return value  # type: ignore[no-any-return]
        said = _LABELS[key] = str(member.label)
    return said
