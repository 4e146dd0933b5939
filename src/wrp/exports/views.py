"""The download of a list (`/exports/<name>.csv` and `.xlsx`): the list's exporter (`exporters.py`) for the signed-in
user's role, its rows for the query string's filters, written by `writers.py`.

Large exports: the CSV streams (`StreamingHttpResponse`, one query per `CHUNK` rows, nothing held in memory) whatever
its size. The workbook is written row by row to a temporary file (openpyxl's write-only mode), then streamed from it
(`FileResponse`); beyond `EXPORT_XLSX_MAX_ROWS` rows (settings, env WRP_EXPORT_XLSX_MAX_ROWS; 50,000 by default:
about 15 s of CPU at the ~3,300 rows/s bench/exports.py measures) it is refused with a page that offers the CSV —
which has no limit, ~9,400 rows/s — or narrower filters, rather than tying a web worker up for minutes. (No worker
job: a CSV of any size already streams from the first row, and Excel opens it.) Each download is an audit event (which list, which format,
which filters by name: never their values, which may be a person's name).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from wrp.audit.services import audit_note
from wrp.core.keyset import capped_count
from wrp.exports.exporters import EXPORTERS, rows_of
from wrp.exports.writers import CHUNK, csv_lines, xlsx_file

FORMATS = ("csv", "xlsx")
NOT_FILTERS = ("after", "back", "page")


def xlsx_max_rows() -> int:
    return int(getattr(settings, "EXPORT_XLSX_MAX_ROWS", 50_000))


def _in_language(language: str, lines: Iterator[bytes]) -> Iterator[bytes]:
    """The lines written in the request's language (the rows are written after the view has returned)."""
    with translation.override(language):
        yield from lines


@require_GET
def export_download(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    exporter = EXPORTERS.get(name)
    if exporter is None or fmt not in FORMATS:
        raise Http404("no such export")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if getattr(request.user, "role", None) not in exporter.roles:
        raise PermissionDenied
    parts = exporter.rows(request)
    columns = exporter.columns()
    filename = f"{name}-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "xlsx":
        cap = xlsx_max_rows()
        counted = [capped_count(part, cap) if hasattr(part, "values") else (len(part), False) for part in parts]
        if sum(n for n, _more in counted) > cap or any(more for _n, more in counted):
            query = request.GET.copy()
            return render(
                request,
                "exports/too_large.html",
                {
                    "cap": cap,
                    "title": exporter.title,
                    "csv_query": query.urlencode(),
                    "name": name,
                },
                status=422,
            )
    audit_note(
        actor=request.user,
        action="export.download",
        object_type="export",
        object_id=name,
        changes={"format": fmt, "filters": sorted(key for key in request.GET if key not in NOT_FILTERS)},
    )
    if fmt == "csv":
        lines = _in_language(
            translation.get_language() or settings.LANGUAGE_CODE, csv_lines(columns, rows_of(parts, CHUNK))
        )
        response: HttpResponse = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        handle = xlsx_file(columns, rows_of(parts, CHUNK), title=str(exporter.title))
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=filename,
            content_type=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    response["Cache-Control"] = "no-store, private"
    return response
