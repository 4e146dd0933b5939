"""The unit handler's bulk pages under /unit/imports/: the template, the upload, an import's progress and errors and
its confirmation, the batch pre-check (of an import's people or of the employees in post) with its .xlsx, and the
batch drafts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wrp.core.errors import NotFound, ServiceError
from wrp.core.language import page_language
from wrp.imports.models import ImportState
from wrp.imports.precheck import (
    DECISION_WORDS,
    ITEM_WORDS,
    batch_drafts,
    employees_of,
    precheck,
    precheck_xlsx,
    subjects_of_batch,
    subjects_of_employees,
)
from wrp.imports.services import import_confirm, import_for, import_upload, imports_visible_to, skipped_words
from wrp.imports.sheet import MAX_BYTES, column, columns, template_xlsx
from wrp.portal.common.refusals import form_add_refusal, refusal_text
from wrp.portal.unit.views import handler_only
from wrp.units.selectors import units_handled_by

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT = 20


class UploadForm(forms.Form):
    unit = forms.ChoiceField(label=gettext_lazy("单位"))
    file = forms.FileField(
        label=gettext_lazy("员工表格"),
        help_text=gettext_lazy("按模板填写的 .xlsx 文件，或相同表头的 .csv 文件；最多 5000 行，不超过 10 MB。"),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {unit.credit_code: unit for unit in units}
        self.fields["unit"].choices = [(code, unit.name) for code, unit in self.units.items()]
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("文件超过 10 MB。"))
        return upload


def _words(pair: tuple[str, str]) -> str:
    return pair[1] if page_language() == "en" else pair[0]


@handler_only
def imports_home(request: HttpRequest) -> HttpResponse:
    units = list(units_handled_by(request.user).order_by("name"))
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None and len(units) == 1 and not data.get("unit"):
        data["unit"] = units[0].credit_code  # the one unit needs no choosing
    form = UploadForm(
        data, request.FILES or None, units=units, initial={"unit": units[0].credit_code if units else None}
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = import_upload(
                actor=request.user,
                unit=form.units[form.cleaned_data["unit"]],
                data=upload.read(MAX_BYTES + 1),
                original_name=upload.name or "",
            )
        except ServiceError as error:
            form_add_refusal(form, error)
        else:
            messages.success(request, _("文件已上传，正在逐行校验。"))
            return redirect("portal:imports_detail", batch.public_id)
    batches = imports_visible_to(request.user).order_by("-created_at")[:RECENT]
    return render(
        request,
        "imports/home.html",
        {
            "form": form,
            "units": units,
            "batches": batches,
            "several_units": len(units) > 1,
            "columns": [{"title": col.title(page_language()), "required": col.required} for col in columns()],
        },
        status=422 if form.errors else 200,
    )


@handler_only
def template_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(template_xlsx(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, "员工导入模板.xlsx") or ""
    return response


def _batch(request: HttpRequest, public_id: str) -> Any:
    try:
        return import_for(request.user, public_id)
    except NotFound:
        raise Http404 from None


def _error_rows(batch: Any) -> list[dict[str, Any]]:
    lang = page_language()
    rows = []
    for error in batch.errors:
        try:
            title = column(error["field"]).title(lang)
        except StopIteration:
            title = error["field"]
        rows.append(
            {
                "row": error["row"] or "",
                "column": error["column"],
                "title": title,
                "message": error["en"] if lang == "en" else error["zh"],
            }
        )
    return rows


def _detail_context(batch: Any) -> dict[str, Any]:
    return {
        "batch": batch,
        "errors": _error_rows(batch),
        "more_errors": batch.error_count - len(batch.errors),
        "notes": [{"row": note["row"], "message": skipped_words(note["code"])} for note in batch.notes],
        "skipped": [
            {"row": row["row"], "message": skipped_words(row["code"])}
            for row in (batch.result or {}).get("skipped", [])
        ],
        "invited": (batch.result or {}).get("invited", 0),
        "states": ImportState,
        "can_import_all": batch.state == ImportState.VALID,
        "can_import_valid": batch.state == ImportState.INVALID and batch.valid_rows > 0 and batch.error_rows > 0,
    }


@handler_only
def import_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    batch = _batch(request, public_id)
    return render(request, "imports/detail.html", _detail_context(batch))


@handler_only
def import_progress(request: HttpRequest, public_id: str) -> HttpResponse:
    """The progress box alone (htmx polls it every second while the worker runs; the page works without it)."""
    batch = _batch(request, public_id)
    response = render(request, "imports/_progress.html", {"batch": batch})
    if not batch.running and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # done: the whole page, with the errors or the result
    return response


@handler_only
@require_POST
def import_confirm_view(request: HttpRequest, public_id: str) -> HttpResponse:
    batch = _batch(request, public_id)
    only_valid = request.POST.get("only_valid") == "yes"
    try:
        import_confirm(batch=batch, actor=request.user, only_valid=only_valid)
    except ServiceError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("正在导入，完成后员工将收到关联邀请。"))
    return redirect("portal:imports_detail", batch.public_id)


# --- the pre-check -------------------------------------------------------------------------------------------------


def _result_rows(results: list[Any]) -> list[dict[str, Any]]:
    rows = []
    for result in results:
        for verdict in result.verdicts:
            rows.append(
                {
                    "subject": result.subject,
                    "item": _words(ITEM_WORDS[verdict.item]),
                    "decision": verdict.decision,
                    "decision_text": _words(DECISION_WORDS[verdict.decision]),
                    "failed": verdict.failed,
                    "review": verdict.review,
                    "missing": verdict.missing,
                }
            )
    return rows


def _precheck_response(
    request: HttpRequest, unit: Any, subjects: list[Any], *, context: dict[str, Any], filename: str
) -> HttpResponse:
    results, summary = precheck(unit, subjects, as_of=timezone.localdate())
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            precheck_xlsx(results, summary, lang=page_language(), unit=unit), content_type=XLSX_TYPE
        )
        response["Content-Disposition"] = content_disposition_header(True, filename) or ""
        return response
    decisions = [
        {"key": key, "text": _words(pair), "count": summary.initial[key]} for key, pair in DECISION_WORDS.items()
    ]
    return render(
        request,
        "imports/precheck.html",
        {
            **context,
            "unit": unit,
            "rows": _result_rows(results),
            "summary": summary,
            "decisions": decisions,
        },
    )


@handler_only
def batch_precheck(request: HttpRequest, public_id: str) -> HttpResponse:
    batch = _batch(request, public_id)
    return _precheck_response(
        request,
        batch.unit,
        subjects_of_batch(batch),
        context={"batch": batch},
        filename=f"预审结果-{batch.public_id}.xlsx",
    )


def _chosen_unit(request: HttpRequest) -> Any:
    units = list(units_handled_by(request.user).order_by("name"))
    if not units:
        raise Http404
    code = request.GET.get("unit") or request.POST.get("unit") or ""
    return next((unit for unit in units if unit.credit_code == code), units[0]), units


def _selected(request: HttpRequest) -> list[int] | None:
    values = request.POST.getlist("employee") if request.method == "POST" else request.GET.getlist("employee")
    picked = [int(value) for value in values if value.isdigit()]
    return picked or None


@handler_only
def employees_precheck(request: HttpRequest) -> HttpResponse:
    """The pre-check of the employees in post (all, or those ticked), with the batch drafts' form."""
    unit, units = _chosen_unit(request)
    selected = _selected(request)
    associations = employees_of(unit, selected)
    return _precheck_response(
        request,
        unit,
        subjects_of_employees(unit, associations),
        context={
            "units": units,
            "employees_mode": True,
            "selected": selected or [],
        },
        filename=f"预审结果-{unit.credit_code}.xlsx",
    )


@handler_only
@require_POST
def batch_drafts_view(request: HttpRequest) -> HttpResponse:
    unit, _units = _chosen_unit(request)
    selected = _selected(request)
    if selected is None:
        messages.error(request, _("请至少选择一名员工。"))
        return redirect(f"{request.path.rsplit('drafts/', 1)[0]}precheck/?unit={unit.credit_code}")
    outcomes = batch_drafts(actor=request.user, unit=unit, associations=employees_of(unit, selected))
    rows = []
    for outcome in outcomes:
        reason = outcome.reason
        if reason is not None and hasattr(reason, "decision"):  # the pre-check's verdict
            reason = _("预审结论：%(decision)s %(rules)s") % {
                "decision": _words(DECISION_WORDS[reason.decision]),
                "rules": " ".join(reason.failed or reason.missing),
            }
        rows.append(
            {
                "association": outcome.association,
                "kind": _words(ITEM_WORDS[outcome.kind]) if outcome.kind else "",
                "case_id": outcome.case_id,
                "reason": reason,
            }
        )
    created = sum(1 for row in rows if row["case_id"])
    return render(request, "imports/drafts.html", {"unit": unit, "rows": rows, "created": created})
