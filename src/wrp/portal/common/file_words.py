"""Words about a case's materials that both drawings of them write: every role's checklist
(`wrp.portal.common.case_items`) and the case file the clerk and the bureau read (`wrp.portal.clerk.file_items`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_noop, ngettext

from wrp.portal.common.presenters import escaped
from wrp.portal.templatetags.portal import warning_sentence

OPTIONAL = gettext_noop("（非必需）")


def optional_mark() -> SafeString:
    """The muted "（非必需）" after the title of a material the case does not require."""
    return SafeString(f' <span class="muted">{escaped(gettext(OPTIONAL))}</span>')


def pages_words(pages: int) -> str:
    """A stored file's page count in words ("3 页", "3 pages"), not yet escaped."""
    return ngettext("%(pages)s 页", "%(pages)s 页", pages) % {"pages": pages}


def warning_lines(warnings: Iterable[str] | None, tag: str) -> str:
    """The scan's warnings about a stored file, each a `<tag class="attention">` sentence."""
    return "".join(f'<{tag} class="attention">{escaped(warning_sentence(warning))}</{tag}>'
                   for warning in warnings or ())
