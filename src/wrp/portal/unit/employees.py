"""The unit handler's employees: association requests to accept or refuse, the employees in post and those released,
release (解除关联) with its 60-day deadline and the suspension of the permit, and a new personal case for an
employee."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import DateTimeField, ExpressionWrapper, F, JSONField, OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext, pgettext
from django.views.decorators.http import require_POST

from wrp.accounts.models import Role
from wrp.cases.kinds import KINDS
from wrp.cases.services import case_open
from wrp.cases.workflow import items_offered
from wrp.core.errors import ServiceError
from wrp.core.keyset import KeysetPage, counted_with, keyset_page, keyset_result, keyset_window
from wrp.core.language import page_language
from wrp.core.lookups import ids_in
from wrp.core.prepared import PreparedEach
from wrp.core.urls import url_for_each
from wrp.employment.selectors import RELEASE_DAYS, associations_visible_to, release_deadline, release_timing
from wrp.employment.services import (
    association_accept,
    association_record_departure,
    association_refuse,
    association_release,
)
from wrp.permits.models import Permit
from wrp.policy.labels import label
from wrp.portal.common.access import association_or_404
from wrp.portal.common.answers import AnswersForm
from wrp.portal.common.presenters import (
    PAGE_SIZE,
    escaped,
    html_of,
    keyset_listing,
    with_words,
    words_of,
)
from wrp.portal.common.refusals import form_add_refusal, refusal_text
from wrp.portal.unit.forms import DepartureForm, ReleaseForm
from wrp.portal.unit.views import handler_only
from wrp.public.templatetags.wrp_format import cn_date
from wrp.units.models import Association, AssociationState
from wrp.units.selectors import handled_unit_ids

# The personal items a unit starts for an employee; info_change is chosen with its subtype.
PERSONAL_ITEMS = tuple(key for key, spec in KINDS.items() if spec.personal)
PERMIT_WORDS = {"valid": gettext_lazy("有效"), "suspended": gettext_lazy("挂起"), "expired": gettext_lazy("已失效"),
                "revoked": gettext_lazy("已撤销")}


@handler_only
def unit_employees(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/unit/employees.html", employees_context(request))


PERMIT_SHOWN = ("number", "status", "valid_until")
# Twenty rows a list, as every list of the platform (PAGE_SIZE): fifty of each made a page of 65 KiB for a unit of 500
# employees, slow on a slow line, and its rows cost the server more than the rest of the page
EMPLOYEES_PAGE = PAGE_SIZE  # employees in post a page
REQUESTS_SHOWN = PAGE_SIZE  # the oldest open requests shown (the others once these are answered)
RELEASED_SHOWN = PAGE_SIZE  # the latest released
# Employees in post newest first by their start date (关联日期), a page at a time: the index
# association_unit_state_since serves it for a unit. `since` is the start date (an accepted association always has
# one) as a non-null figure, so the page boundary is one row comparison the index starts at.
EMPLOYEE_ORDER = ("-since", "-id")
# What a row shows of an association, its employee and unit: rows are read as flat values, not model instances.
ROW_VALUES = ("id", "applicant__real_name", "applicant__username", "applicant__id_number_masked", "unit__name")
# The rows of the three lists (EmployeeRows): the HTML portal/unit/employees.html printed a row at a time, drawn here
# with each text escaped (the template engine's lookups cost more than the rest of a row).
IN_POST_ROW = """<tr id="association-{pk}">
      <td>{name}<br><span class="mono">{id_number}</span></td>
      {unit}
      <td data-label="{since_label}">{since}{timing}</td>
      <td data-label="{permit_label}">{permit}</td>
      <td><div class="actions">
        <a class="button secondary" href="{case_start_url}">{case_start}</a>
        <a class="button secondary" href="{release_url}">{release}</a>
      </div>
      <form method="post" novalidate class="unit-departure-form" action="{departure_url}">{csrf}
        {departure_field}
        <button type="submit" class="secondary">{departure}</button>
      </form></td>
    </tr>"""
REQUESTED_ROW = """<tr id="association-{pk}">
      <td>{name}<br><span class="mono">{id_number}</span></td>
      {unit}
      <td data-label="{requested_label}">{on}</td>
      <td><div class="actions">
        <form method="post" action="{accept_url}">{csrf}<button type="submit" class="primary">{accept}</button></form>
        <form method="post" action="{refuse_url}">{csrf}<button type="submit" class="secondary">{refuse}</button></form>
      </div></td>
    </tr>"""
RELEASED_ROW = """<tr>
      <td>{name}</td>
      {unit}
      <td data-label="{left_on_label}">{left_on}</td><td data-label="{deadline_label}">{deadline}</td>""" \
    """<td data-label="{released_on_label}">{released_on}</td>
      <td>{timely}</td>
    </tr>"""
ROW_LABELS = {
    "requested_label": gettext_noop("申请日期"), "accept": gettext_noop("接受"), "refuse": gettext_noop("拒绝"),
    "left_on_label": gettext_noop("离职日期"), "deadline_label": gettext_noop("解除期限"),
    "released_on_label": gettext_noop("解除日期"), "in_time": gettext_noop("按时解除"),
    "unit_label": gettext_noop("单位"), "since_label": gettext_noop("关联日期"), "permit_label": gettext_noop("工作居住证"),
    "valid_until": gettext_noop("有效期至"), "none": gettext_noop("无"), "case_start": gettext_noop("办理业务"),
    "release": gettext_noop("解除关联"), "departure": gettext_noop("登记离职日期"),
}
FIELD_SLOT = "__row__"  # the row's number in the 离职日期 field drawn once a page (`departure_fields`)


def employees_context(request: HttpRequest, refused: Any = None) -> dict[str, Any]:
    """The page's rows; `refused` is a departure form that came back with errors (shown on its row and on top).
    Three queries however many employees (issue 14): the handler's units (named in the other two, so that a unit's
    index orders its page); a keyset page of `EMPLOYEES_PAGE` employees in post with their permit's number, status
    and validity (annotated) and their number counted up to `COUNT_CAP`; the oldest open requests and the latest
    released. Each statement is compiled once per process (wrp.core.prepared), a deeper page's each time."""
    user = request.user
    handled = handled_unit_ids(user)
    in_post = _in_post(handled, user.pk)

    def fetch(cursor: str | None) -> KeysetPage:
        if cursor is None:  # the first page, most asked
            return keyset_result(FIRST_PAGE.rows(handled, user=user.pk), order=EMPLOYEE_ORDER, size=EMPLOYEES_PAGE)
        return keyset_page(_counted_rows(in_post), order=EMPLOYEE_ORDER, after=cursor, size=EMPLOYEES_PAGE)

    listing = keyset_listing(request, in_post, order=EMPLOYEE_ORDER, size=EMPLOYEES_PAGE, fetch=fetch)
    others = SHORT_LISTS.rows(handled, user=user.pk)
    requested = sorted((row for row in others if row["state"] == AssociationState.REQUESTED),
                       key=lambda row: (row["requested_at"], row["id"]))
    released = sorted((row for row in others if row["state"] == AssociationState.RELEASED),
                      key=lambda row: (row["released_at"] is not None, row["released_at"] or 0, row["id"]),
                      reverse=True)
    words = EmployeeRows(request, several_units=len(handled) > 1)
    shown = {
        "requested": [words.requested(row) for row in requested[:REQUESTS_SHOWN]],
        "active": [words.in_post(row, refused=refused) for row in listing.items],
        "released": [words.released(row) for row in released[:RELEASED_SHOWN]],
    }  # each row with its <tr> ("html"); the template prints each list's rows joined ("<list>_html")
    return {
        **shown, **{f"{name}_html": SafeString("".join(row["html"] for row in rows)) for name, rows in shown.items()},
        "more_requested": len(requested) > REQUESTS_SHOWN, "requests_shown": REQUESTS_SHOWN,
        "listing": listing,
        "more_released": len(released) > RELEASED_SHOWN, "released_shown": RELEASED_SHOWN,
        "several_units": len(handled) > 1, "release_days": RELEASE_DAYS, "departure_refused": refused,
    }


def _associations(handled: list[int], user: int) -> QuerySet[Association]:
    """The handler's associations: those of their units, `handled` (`units_handled_by`'s ids)."""
    return associations_visible_to(get_user_model().stand_in(user, Role.UNIT_HANDLER), handled=handled)


def _in_post(handled: list[int], user: int) -> QuerySet[Association]:
    return _associations(handled, user).filter(state=AssociationState.ACTIVE)


def _counted_rows(in_post: QuerySet[Association]) -> QuerySet[Association]:
    """The rows of employees in post as the page shows them, each carrying their number (counted without the joins of
    the rows' values: 500 employees, 5.3 -> 0.1 ms of the database). An employee's permit with the unit is one the
    handler may see (permits_visible_to: their units' permits of holders not released), so the row's unit and holder
    find it without that selector's subqueries."""
    permit = Permit.objects.filter(holder_id=OuterRef("applicant_id"), unit_id=OuterRef("unit_id")).order_by(
        "-issued_on", "-id")
    rows = in_post.annotate(
        since=ExpressionWrapper(F("decided_at"), output_field=DateTimeField()),
        # the permit's shown fields in one correlated subquery (one lookup of the permit a row, not one a field)
        permit_shown=Subquery(permit.values(shown=JSONObject(**{name: name for name in PERMIT_SHOWN}))[:1],
                              output_field=JSONField()),
    ).values(*ROW_VALUES, "left_on", "since", "permit_shown")
    return counted_with(rows, in_post)


def _short_lists(handled: list[int], user: int) -> QuerySet[Association]:
    """The oldest open requests and the latest released, in one query: the rows of each, LIMITed in its order, in one
    UNION ALL, so that each part walks its unit's index and joins the applicant and unit of its own rows alone (the
    rows of the ids of both, `id IN (… UNION ALL …)`, read every association of the units: 0.55 -> 0.25 ms of the
    database for a unit of 566)."""
    rows = _associations(handled, user).values(*ROW_VALUES, "state", "requested_at", "released_at", "left_on", "late")
    oldest_requests = rows.filter(state=AssociationState.REQUESTED).order_by("requested_at", "pk")
    latest_released = rows.filter(state=AssociationState.RELEASED).order_by("-released_at", "-pk")
    if connection.features.supports_slicing_ordering_in_compound:
        return oldest_requests[:REQUESTS_SHOWN + 1].union(latest_released[:RELEASED_SHOWN + 1], all=True)
    # SQLite takes no LIMIT in a part of a UNION: the rows of the parts' ids (wrp.core.lookups)
    shown = ids_in(oldest_requests, REQUESTS_SHOWN + 1).union(ids_in(latest_released, RELEASED_SHOWN + 1), all=True)
    return rows.filter(pk__in=shown).order_by()


# The page's statements, compiled once per process (a handler's units' ids bound in them; the user's id is not in them)
FIRST_PAGE = PreparedEach(lambda handled, user: keyset_window(
    _counted_rows(_in_post(handled, user)), order=EMPLOYEE_ORDER, after=None, size=EMPLOYEES_PAGE),
    unused=("user",), user=int)
SHORT_LISTS = PreparedEach(_short_lists, unused=("user",), user=int)


class EmployeeRows:
    """The rows of one page as the template prints them: flat values (names, days in words, addresses, the 离职日期
    field drawn), so that a page of rows costs the template engine no lookups through models, no `{% url %}` and no
    include each. Each day shown is worded once and each address reversed once a page (one language a page)."""

    def __init__(self, request: HttpRequest, *, several_units: bool) -> None:
        self.today, self.zone = timezone.localdate(), timezone.get_current_timezone()
        self.several_units = several_units
        self.csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
        self.labels = {**words_of(ROW_LABELS), "late": escaped(pgettext("one release", "逾期解除"))}
        # the rows' patterns with the page's words in them: a row escapes and formats only its own values
        self.rows = {name: with_words(pattern, {**self.labels, "csrf": self.csrf}) for name, pattern in
                     (("requested", REQUESTED_ROW), ("in_post", IN_POST_ROW), ("released", RELEASED_ROW))}
        self.day = cache(lambda day: escaped(cn_date(day)))
        self.permit_words = {status: escaped(words) for status, words in PERMIT_WORDS.items()}
        self.accept_url = url_for_each("portal:unit_association_accept")
        self.refuse_url = url_for_each("portal:unit_association_refuse")
        self.case_start_url = url_for_each("portal:unit_case_start")
        self.release_url = url_for_each("portal:unit_association_release")
        self.departure_url = url_for_each("portal:unit_association_departure")
        self.fields: dict[date | None, str] = {}

    def day_of(self, moment: datetime | None) -> str:
        """A moment's local day in words."""
        return self.day(moment.astimezone(self.zone).date() if moment else None)

    def person(self, row: dict[str, Any]) -> dict[str, Any]:
        return {"pk": row["id"], "name": row["applicant__real_name"] or row["applicant__username"],
                "id_number": row["applicant__id_number_masked"], "unit": row["unit__name"]}

    def requested(self, row: dict[str, Any]) -> dict[str, Any]:
        shown = {**self.person(row), "requested_at": row["requested_at"], "on": self.day_of(row["requested_at"]),
                 "accept_url": self.accept_url(row["id"]), "refuse_url": self.refuse_url(row["id"])}
        return {**shown, "html": html_of(self.rows["requested"], pk=shown["pk"], name=shown["name"],
                                         id_number=shown["id_number"], unit=self.unit_cell(shown), on=shown["on"],
                                         accept_url=shown["accept_url"], refuse_url=shown["refuse_url"])}

    def unit_cell(self, row: dict[str, Any]) -> SafeString | str:
        """The row's unit, for a handler of several units."""
        if not self.several_units:
            return ""
        return html_of('<td data-label="{label}">{unit}</td>', label=self.labels["unit_label"], unit=row["unit"])

    def in_post(self, row: dict[str, Any], *, refused: Any = None) -> dict[str, Any]:
        """An employee in post; with the leaving date once recorded, its 60-day deadline and the days left
        (POLICY §9)."""
        timing = None
        if row["left_on"]:
            timing = release_timing(row["left_on"], on=self.today)
            timing["days_left"] = -timing["days_late"]
        permit = _permit_of(row)
        own = refused if refused is not None and refused.association_pk == row["id"] else None
        shown = {**self.person(row), "since": self.day_of(row["since"]), "timing": timing,
                 "permit": permit and {"number": permit["number"], "valid_until": self.day(permit["valid_until"])},
                 "permit_status": self.permit_words.get(permit["status"], "") if permit else "",
                 "case_start_url": self.case_start_url(row["id"]), "release_url": self.release_url(row["id"]),
                 "departure_url": self.departure_url(row["id"]),
                 "departure_field": self.departure_field(row["id"], row["left_on"], own)}
        return {**shown, "html": self.in_post_html(shown)}

    def in_post_html(self, row: dict[str, Any]) -> SafeString:
        """The row's <tr> (twenty a page: drawn here, each text escaped, rather than by the template engine a lookup
        at a time): the employee, their unit when the handler has several, the start date with the leaving date's
        deadline once recorded, the permit, and the row's actions with the 离职日期 form."""
        labels = self.labels
        unit = self.unit_cell(row)
        permit = row["permit"]
        return html_of(
            self.rows["in_post"], pk=row["pk"], name=row["name"], id_number=row["id_number"], unit=unit,
            since=row["since"], timing=self.timing_html(row["timing"]),
            permit=html_of('<span class="mono">{number}</span><br>{status} · {valid_until} {day}', number=permit["number"],
                           status=row["permit_status"], valid_until=labels["valid_until"], day=permit["valid_until"])
            if permit else html_of('<span class="muted">{none}</span>', none=labels["none"]),
            case_start_url=row["case_start_url"], release_url=row["release_url"], departure_url=row["departure_url"],
            departure_field=row["departure_field"])

    def timing_html(self, timing: dict[str, Any] | None) -> SafeString | str:
        """After the start date: the leaving date and its release deadline, late (and by how many days) or not."""
        if not timing:
            return ""
        left, deadline = self.day(timing["left_on"]), self.day(timing["deadline"])
        if timing["late"]:
            words = ngettext("已离职 %(left)s · 解除期限 %(deadline)s 已过（逾期 %(n)s 天）",
                             "已离职 %(left)s · 解除期限 %(deadline)s 已过（逾期 %(n)s 天）", timing["days_late"])
            return format_html('<br><span class="unit-late unit-departure">{}</span>', mark_safe(words % {
                "left": conditional_escape(left), "deadline": conditional_escape(deadline), "n": timing["days_late"]}))
        words = ngettext("已离职 %(left)s · 须在 %(deadline)s 前解除关联（剩余 %(n)s 天）",
                         "已离职 %(left)s · 须在 %(deadline)s 前解除关联（剩余 %(n)s 天）", timing["days_left"])
        return format_html('<br><span class="help unit-departure">{}</span>', mark_safe(words % {
            "left": conditional_escape(left), "deadline": conditional_escape(deadline), "n": timing["days_left"]}))

    def released(self, row: dict[str, Any]) -> dict[str, Any]:
        left_on = row["left_on"]
        shown = {**self.person(row), "released_at": row["released_at"], "left_on": self.day(left_on),
                 "deadline": self.day(release_deadline(left_on) if left_on else None),
                 "released_on": self.day_of(row["released_at"]), "late": row["late"]}
        labels = self.labels
        late = html_of('<span class="badge fail">✗ {late}</span>', late=labels["late"]) if shown["late"] else html_of(
            '<span class="badge pass">✓ {in_time}</span>', in_time=labels["in_time"])
        return {**shown, "html": html_of(self.rows["released"], name=shown["name"], unit=self.unit_cell(shown),
                                         left_on=shown["left_on"], deadline=shown["deadline"],
                                         released_on=shown["released_on"], timely=late)}

    def departure_field(self, pk: int, left_on: date | None, refused: DepartureForm | None) -> str:
        """The row's 离职日期 field (components/field.html): drawn once for each leaving date shown (most rows have
        none), the row's number put in its ids; a form that came back with errors is drawn as it is."""
        if refused is not None:
            return render_to_string("components/field.html", {"field": refused["left_on"]})
        if left_on not in self.fields:
            form = DepartureForm(auto_id=f"id_departure_{FIELD_SLOT}_%s", initial={"left_on": left_on})
            self.fields[left_on] = render_to_string("components/field.html", {"field": form["left_on"]})
        return mark_safe(self.fields[left_on].replace(FIELD_SLOT, str(pk)))  # the field's own HTML and a number


def _permit_of(association: dict[str, Any]) -> dict[str, Any] | None:
    """The employee's permit with this unit as the row shows it (annotated on the association), if any."""
    shown = association.get("permit_shown")
    if isinstance(shown, str):  # a database whose JSON comes back as text
        shown = json.loads(shown)
    if not shown or shown.get("number") is None:
        return None
    valid_until = shown.get("valid_until")
    return {**shown, "valid_until": date.fromisoformat(valid_until[:10]) if isinstance(valid_until, str) else valid_until}


def departure_form(association: Any, data: Any = None) -> DepartureForm:
    """The row's 登记离职日期 form: the field keeps its name, its id is the row's own."""
    return DepartureForm(data, auto_id=f"id_departure_{association.pk}_%s",
                         initial={"left_on": association.left_on})


def _association_action(service: Callable[..., Any], done: Any) -> Callable[..., HttpResponse]:
    @handler_only
    @require_POST
    def action(request: HttpRequest, pk: int) -> HttpResponse:
        association = association_or_404(request, pk)
        try:
            service(association=association, actor=request.user)
        except ServiceError as error:
            messages.error(request, refusal_text(error))
        else:
            name = association.applicant.real_name or association.applicant.username
            messages.success(request, str(done) % {"name": name})
        return redirect("portal:unit_employees")

    return action


association_accept_view = _association_action(association_accept, gettext_lazy("已接受 %(name)s 的关联申请。"))
association_refuse_view = _association_action(association_refuse, gettext_lazy("已拒绝 %(name)s 的关联申请。"))


@handler_only
@require_POST
def association_departure_view(request: HttpRequest, pk: int) -> HttpResponse:
    """登记离职日期: the day an employee in post left, so the 60-day release deadline is shown and reminded; the
    association stays active. Refusals come back next to the row's field."""
    association = association_or_404(request, pk)
    form = departure_form(association, request.POST)
    if form.is_valid():
        try:
            association = association_record_departure(association=association, actor=request.user,
                                                       left_on=form.cleaned_data["left_on"])
        except ServiceError as error:
            form_add_refusal(form, error)
        else:
            deadline = release_deadline(association.left_on)
            messages.success(request, _("已登记 %(name)s 的离职日期，须在 %(deadline)s 前解除关联。") % {
                "name": association.applicant.real_name or association.applicant.username,
                "deadline": cn_date(deadline)})
            return redirect("portal:unit_employees")
    form.association_pk = association.pk
    return render(request, "portal/unit/employees.html", employees_context(request, refused=form), status=422)


@handler_only
def association_release_view(request: HttpRequest, pk: int) -> HttpResponse:
    """解除员工关联: the leaving date, then a confirmation with the 60-day deadline and the suspension of the permit."""
    association = association_or_404(request, pk)
    today = timezone.localdate()
    if association.state != AssociationState.ACTIVE:
        messages.error(request, _("该员工当前不是在职关联状态，不能解除。"))
        return redirect("portal:unit_employees")
    form = ReleaseForm(request.POST or None, today=today, initial={"left_on": association.left_on})
    confirm = None
    if request.method == "POST" and form.is_valid():
        left_on = form.cleaned_data["left_on"]
        if request.POST.get("confirm") == "yes":
            try:
                association = association_release(association=association, actor=request.user, left_on=left_on)
            except ServiceError as error:
                form_add_refusal(form, error)
            else:
                text = _("已解除与 %(name)s 的关联，其工作居住证已挂起。") % {
                    "name": association.applicant.real_name or association.applicant.username}
                if association.late:
                    text += _("本次解除已超过离职后60日，记为逾期解除。")
                (messages.warning if association.late else messages.success)(request, text)
                return redirect("portal:unit_employees")
        else:
            confirm = release_timing(left_on, on=today)
    return render(request, "portal/unit/release.html",
                  {"association": association, "form": form, "confirm": confirm, "today": today,
                   "release_days": RELEASE_DAYS}, status=422 if form.errors else 200)


@handler_only
def case_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a personal case for an active employee: the item (with its subtype) — only those the employee can file
    now, the others listed with the reason (`wrp.cases.workflow.items_offered`) — then what the case answers."""
    association = association_or_404(request, pk)
    if association.state != AssociationState.ACTIVE:
        messages.error(request, _("只能为在职关联的员工办理。"))
        return redirect("portal:unit_employees")
    offers = items_offered(association.applicant, association.unit, today=timezone.localdate())
    item = request.POST.get("item") or request.GET.get("item") or ""
    refused = next((offer for offer in offers if offer.spec.key == item and offer.refusal), None)
    if refused is not None:
        messages.error(request, _("不能办理“%(item)s”：%(reason)s") % {
            "item": label(refused.spec.subtype or refused.spec.service, page_language()), "reason": refused.refusal})
        return redirect("portal:unit_case_start", association.pk)
    if item not in PERSONAL_ITEMS:
        return render(request, "portal/unit/case_start.html", {
            "association": association, "items": [offer.spec.key for offer in offers if offer.refusal is None],
            "unavailable": [offer for offer in offers if offer.refusal],
        })
    form = AnswersForm(request.POST or None, kind=KINDS[item], applicant=association.applicant)
    if request.method == "POST" and form.is_valid():
        kind, _sep, subtype = item.partition(":")
        try:
            case = case_open(actor=request.user, kind=kind, unit=association.unit, applicant=association.applicant,
                             subtype=subtype or None, answers=form.answers())
        except ServiceError as error:
            form_add_refusal(form, error)
        else:
            messages.success(request, _("已开立案件。清单按评估结果生成，请逐项上传材料。"))
            return redirect("portal:case", case.public_id)
    return render(request, "portal/unit/case_start.html",
                  {"association": association, "item": item, "form": form}, status=422 if form.errors else 200)

