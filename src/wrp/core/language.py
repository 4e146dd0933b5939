"""The language a page speaks: Chinese by default, English when Django's active language is English.

Pages (and anything rendered for them) ask `page_language()` for the short code `wrp.policy` uses for its own
`(zh, en)` labels. `policy_text` wraps such a pair, which the pure policy keeps itself, as a lazy message that renders
in the language active where it is shown, like any `gettext_lazy` message. `label_of` and `choice_label` say a
label of a table (an action, a state, a role) in the active language, translated once per language.
"""

from __future__ import annotations

from collections.abc import Mapping
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


_SAID: dict[tuple[int, Any, str | None], str] = {}  # (the table's id, value, language): the label as said


def label_of(labels: Mapping[Any, Any], value: Any) -> Any:
    """`str(labels[value])` in the active language, translated once per language, for a table of lazy labels that
    lives as long as the process (a module's constant; a TextChoices' members by value, each read as its `label`);
    any other value as it is. The catalogues do not change while the process runs, and a list shows a label or more a
    row (Django's `choices.values` and lazy label would be built and translated again each time)."""
    key = (id(labels), value, get_language())
    said = _SAID.get(key)
    if said is None:
        found = labels.get(value)
        if found is None:
            return value
        said = _SAID[key] = str(found.label if isinstance(found, Choices) else found)
    return said


def choice_label(choices: type[Choices], value: Any) -> str:
    """`str(choices(value).label)` in the active language (`label_of`), for a value of the choices; any other value
    as it is."""
    return label_of(choices._value2member_map_, value)  # type: ignore[no-any-return]
