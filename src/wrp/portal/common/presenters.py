"""Presenters the role pages share: the page's language, choices in words, dates of moments, masked names, rows of
cases with their clock, pages of a list and the query that keeps a list's filters. Formatting only; the data comes
from the selectors."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils import timezone

from wrp.cases import clock
from wrp.cases.workflow import sources
from wrp.core.language import page_language
from wrp.policy.codes import PermitStatus
from wrp.policy.labels import label

PAGE_SIZE = 20


def choices(codes: Any) -> list[tuple[str, str]]:
    """A policy code enum as form choices, named in the page's language."""
    return [(code.value, label(code, page_language())) for code in codes]


def local_day(moment: Any) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def mask_name(name: str) -> str:
    """张伟 → 张*: a person's name on lists (the full name is on the case and permit pages)."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else name


def permit_status_label(status: str) -> str:
    return label(PermitStatus(status), page_language()) if status in PermitStatus._value2member_map_ else status


def case_rows(cases: Any, today: date | None = None) -> list[dict[str, Any]]:
    """Cases with their clock, for lists (arithmetic on each case's own fields: no query per row), and whether each
    is still with its filers before reaching the district (`filing`: it may still be submitted)."""
    today = today or timezone.localdate()
    filing = sources("submit")
    return [{"case": case, "clock": clock.view(case, today=today), "filing": case.state in filing} for case in cases]


def paginate(request: HttpRequest, items: Any, *, param: str = "page") -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get(param))


def query_without(request: HttpRequest, *names: str) -> str:
    """The current filters as a query string prefix for the pagination links ("kind=initial&")."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    encoded = query.urlencode()
    return f"{encoded}&" if encoded else ""
