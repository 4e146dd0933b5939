"""Presenters the role pages share: the page's language, choices in words, dates of moments, masked names, rows of
cases with their clock, pages of a list and the query that keeps a list's filters. Formatting only; the data comes
from the selectors.

Lists stay flat however many rows the table holds (issue 14): a row fetches only the columns it shows
(`CASE_ROW_FIELDS`, never the wide frozen facts and assessment), its unit and applicant in the same query; a deep list
pages by keyset (`keyset_listing`: "the rows after this one", a cursor in `?after=`, through `wrp.core.keyset`) and
counts at most `COUNT_CAP` rows ("more than 10,000"); a short list may keep `?page=` with the count capped
(`CappedPaginator`). A page's several figures (capped counts, sums) are read in one round trip (`figures`).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import DEFAULT_DB_ALIAS
from django.db.models import F, QuerySet
from django.db.models.sql import Query
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wrp.cases import clock
from wrp.cases.workflow import sources
from wrp.core.errors import Invalid
from wrp.core.keyset import KeysetPage, capped_count, counted_with, keyset_page, listed_total
from wrp.core.language import page_language
from wrp.policy.codes import PermitStatus
from wrp.policy.labels import label

PAGE_SIZE = 20
COUNT_CAP = 10_000
# What a row of a case list shows (kind, state, unit, applicant, the clock and acceptance, the day it was opened):
# the wide JSON columns (answers, frozen facts, assessment) stay in the table.
CASE_ROW_FIELDS = (
    "id", "public_id", "kind", "subtype", "state", "created_at", "version",
    "time_limit", "accepted_on", "due_on", "paused_on", "days_left_at_pause", "clock_provisional", "decided_at",
    "received_at", "acceptance_due", "accepted_at", "acceptance",
    "unit__id", "unit__name", "unit__credit_code",
    "applicant__id", "applicant__username", "applicant__real_name", "applicant__id_number_masked",
)


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


# A list row's unit and applicant as values of the row's own query (`.annotate(**PARTY_COLUMNS)`): no unit or user
# instance built for a row.
PARTY_COLUMNS = {
    "unit_name": F("unit__name"),
    "unit_credit_code": F("unit__credit_code"),
    "applicant_real_name": F("applicant__real_name"),
    "applicant_username": F("applicant__username"),
    "applicant_id_number": F("applicant__id_number_masked"),
}


def escaped(text: Any) -> SafeString:
    """`text` as a template's autoescape prints it (safe text as it is), for a presenter that escapes its rows' texts
    once: Django's `escape` without its lazy-text wrapper, which costs more than the escaping on a page of many cells."""
    return text if isinstance(text, SafeString) else SafeString(html.escape(str(text)))


def html_of(pattern: str, **values: Any) -> SafeString:
    """`format_html` for a presenter's many rows: the pattern (HTML, `{name}` slots) with each value `escaped`."""
    return SafeString(pattern.format_map({name: escaped(value) for name, value in values.items()}))


def words_of(labels: dict[str, str]) -> dict[str, SafeString]:
    """A presenter's words (`gettext_noop` texts by key) in the page's language, escaped for its rows' HTML."""
    return {key: escaped(gettext(words)) for key, words in labels.items()}


class _RowSlots(dict[str, str]):
    """A row's own slots, kept as they are while the page's words are put in (`with_words`)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def with_words(pattern: str, words: dict[str, SafeString]) -> str:
    """A row's pattern with the page's words (`words_of`) put in their slots once a page; the row's own slots stay
    for `html_of`, which then escapes only the row's values."""
    return pattern.format_map(_RowSlots({key: value.replace("{", "{{").replace("}", "}}") for key, value in
                                         words.items()}))


def person_cell(name: str | None, id_number: str, without: str) -> str:
    """A row's person (escaped): the name with the masked ID number under it, or `without` for a unit's item."""
    if name is None:
        return without
    return f'{name}<br><span class="mono">{id_number}</span>' if id_number else name


class Shared:
    """What many rows of one page print alike (a kind's name, a state's badge, a clock), made once a page:
    `shared(function, *args)` is `escaped(function(*args))`, computed the first time it is asked."""

    def __init__(self) -> None:
        self._made: dict[tuple[Any, ...], SafeString] = {}

    def __call__(self, function: Callable[..., Any], *args: Any) -> SafeString:
        key = (function, *args)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = escaped(function(*args))
        return made


def paginate(request: HttpRequest, items: Any, *, param: str = "page", counted: int | None = None) -> Page[Any]:
    """A `?page=` page of a short list, its count capped at `COUNT_CAP` (or `counted` already)."""
    return CappedPaginator(items, PAGE_SIZE, counted=counted).get_page(request.GET.get(param))


def query_without(request: HttpRequest, *names: str) -> str:
    """The current filters as a query string prefix for the pagination links ("kind=initial&")."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    encoded = query.urlencode()
    return f"{encoded}&" if encoded else ""


def case_list_rows(cases: QuerySet[Any], *extra: str) -> QuerySet[Any]:
    """A case queryset narrowed to the columns a list row shows (and `extra` ones), its unit and applicant joined."""
    return cases.select_related("unit", "applicant").only(*CASE_ROW_FIELDS, *extra)


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator for short lists (`?page=`) whose count stops at `COUNT_CAP`: no exact COUNT(*) over a big table;
    `more` says there are more rows than counted (the pages beyond are not offered)."""

    def __init__(self, object_list: Any, per_page: int, *, counted: int | None = None, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        if counted is not None:  # counted already, with another figure of the page (one query for both)
            self.__dict__["_capped"] = (min(counted, COUNT_CAP), counted > COUNT_CAP)

    @cached_property
    def _capped(self) -> tuple[int, bool]:
        if isinstance(self.object_list, QuerySet):
            return capped_count(self.object_list, COUNT_CAP)
        return min(len(self.object_list), COUNT_CAP), len(self.object_list) > COUNT_CAP

    @cached_property
    def count(self) -> int:
        return self._capped[0]

    @property
    def more(self) -> bool:
        return self._capped[1]


# --- keyset pages -------------------------------------------------------------------------------------------------

AFTER, BACK = "after", "back"
BACK_DEPTH = 5  # how many pages 「上一页」 can go back (the trail of cursors rides in the address)
FIRST = "-"  # the trail's mark for the first page (no cursor); never a cursor itself
BAD_CURSOR = _("分页位置无效，请从第一页重新开始。")  # wrp.core.keyset's words, for a cursor a page's own runs refuse


@dataclass(frozen=True)
class Listing:
    """One page of a keyset list: its rows, the query strings of 「下一页」, 「上一页」 and 「回到第一页」 (filters
    kept, None when there is no such page), the total counted up to `COUNT_CAP` (None when not counted) and whether
    there are more, and the refusal of a bad cursor (the first page is shown instead)."""

    items: list[Any]
    next_query: str | None
    prev_query: str | None
    first_query: str | None
    total: int | None
    more: bool
    refused: str = ""

    cap: int = COUNT_CAP

    @property
    def paged(self) -> bool:
        return bool(self.next_query or self.prev_query or self.first_query)


Fetch = Callable[[str | None], KeysetPage]


def keyset_listing(request: HttpRequest, queryset: QuerySet[Any], *, order: tuple[str, ...] = (),
                   fetch: Fetch | None = None, size: int = PAGE_SIZE, counted: bool = True,
                   listed: QuerySet[Any] | None = None) -> Listing:
    """The page of `queryset` after `?after=` in `order` (or as `fetch(cursor)` pages it), with links that keep the
    page's other parameters, and the capped total (`counted`): one query for the rows and their count (a `fetch`
    reads its rows `counted_with` the list for that), the same at any size and depth. `listed`: the same rows as
    `queryset` to count, when `queryset` reads values across joins — the count would keep those joins (Django leaves
    them in a values("pk") of it) and look up each counted row's joined ones."""
    listed = queryset if listed is None else listed
    fetch = fetch or _fetch_of(counted_with(queryset, listed) if counted else queryset, order=order, size=size)
    after = request.GET.get(AFTER) or None
    refused = ""
    try:
        page = fetch(after)
    except Invalid as error:
        refused, after = error.messages().get(AFTER, ""), None
        page = fetch(None)
    total, more = listed_total(page.items, listed, COUNT_CAP) if counted else (None, False)
    trail = [part for part in request.GET.get(BACK, "").split("~") if part][-BACK_DEPTH:] if after else []
    return Listing(
        items=page.items,
        next_query=_cursor_query(request, page.next_cursor, [*trail, after or FIRST][-BACK_DEPTH:])
        if page.has_more else None,
        prev_query=_cursor_query(request, None if trail[-1] == FIRST else trail[-1], trail[:-1]) if trail else None,
        first_query=_cursor_query(request, None, []) if after else None,
        total=total, more=more, refused=refused, cap=COUNT_CAP,
    )


def _fetch_of(rows: QuerySet[Any], *, order: tuple[str, ...], size: int) -> Fetch:
    return lambda cursor: keyset_page(rows, order=order, after=cursor, size=size)


def _cursor_query(request: HttpRequest, cursor: str | None, trail: list[str]) -> str:
    query: QueryDict = request.GET.copy()
    for name in (AFTER, BACK, "page"):
        query.pop(name, None)
    if cursor:
        query[AFTER] = cursor
        if trail:
            query[BACK] = "~".join(trail)
    return query.urlencode(safe="~")


# --- a page's figures in one query --------------------------------------------------------------------------------


def figures(**expressions: Any) -> dict[str, Any]:
    """Several one-value expressions (`CappedCount`, `Subquery` of an aggregate, …) read in ONE query,
    `SELECT (…) AS a, (…) AS b` with no table of its own: a page's counts and totals cost one round trip."""
    query = Query(None)
    for name, expression in expressions.items():
        query.add_annotation(expression, name)
    compiler = query.get_compiler(DEFAULT_DB_ALIAS)
    row = next(iter(compiler.results_iter()), None) or [None] * len(expressions)
    return dict(zip(expressions, row, strict=True))
