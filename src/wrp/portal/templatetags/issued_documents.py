"""`{% case_documents_panel %}` and `{% permit_documents_panel permit %}`: the "文书 / Documents" panel of the case
and permit pages — each document's title, 文号, date and download link, drawn from the selectors of
`wrp.cases.records` for the signed-in user (the filers' draft declarations marked as drafts)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from wrp.cases import records
from wrp.core.errors import NotFound
from wrp.core.urls import url_for_each, url_with
from wrp.documents.models import IssuedDocument
from wrp.portal.common.presenters import html_of
from wrp.public.templatetags.wrp_format import cn_date

register = template.Library()


def _rows(documents: Iterable[IssuedDocument]) -> list[dict[str, Any]]:
    """The panel's rows."""
    url = url_for_each("documents:issued")
    return [
        {
            "title": document.title, "number": document.number, "issued_at": document.issued_at,
            "current": document.is_current, "draft": False,
            "version": document.case_version if not document.number else None,
            "url": url(document.pk),
        }
        for document in documents
    ]


@register.simple_tag(takes_context=True)
def case_documents_panel(context: template.Context) -> SafeString:
    user, case = context["request"].user, context["case"]
    try:
        rows = _rows(records.documents_listed_for_case(user, case))
    except NotFound:
        rows = []
    rows += [
        {"title": draft.title, "number": "", "issued_at": None, "current": True, "version": None, "draft": True,
         "url": url_with("documents:case_document", case.public_id, draft.kind)}
        for draft in records.draft_declarations_for(user, case)
    ]
    return panel_html(rows, panel_id="case-documents")


@register.simple_tag(takes_context=True)
def permit_documents_panel(context: template.Context, permit: Any) -> SafeString:
    if permit is None:
        return panel_html([], panel_id="permit-documents")
    try:
        rows = _rows(records.documents_for_permit(context["request"].user, permit))
    except NotFound:
        rows = []
    return panel_html(rows, panel_id="permit-documents")


# The panel as portal/documents/_panel.html drew it (the same HTML), drawn here: the case page's documents cost the
# template engine a context and a lookup a cell
PANEL = """
<section class="panel documents" id="{panel_id}" aria-labelledby="{panel_id}-heading">
  <h2 id="{panel_id}-heading">{documents}</h2>
  {body}
</section>
"""
TABLE = """
  <table>
    <thead><tr><th scope="col">{documents}</th><th scope="col">{number}</th><th scope="col">{issued}</th>""" \
    """<th scope="col"><span class="visually-hidden">{download}</span></th></tr></thead>
    <tbody>
    {rows}
    </tbody>
  </table>
  {drafts}
  """
ROW = """
      <tr{muted}>
        <td>{title}{marks}</td>
        <td class="mono">{number}</td>
        <td>{day}</td>
        <td><a href="{url}" download>{download_pdf}</a></td>
      </tr>
    """
EMPTY = """
  <p class="muted">{none}</p>
  """


def panel_html(rows: list[dict[str, Any]], *, panel_id: str) -> SafeString:
    """The 文书 panel: each document's title (a draft, a submission's declaration, a superseded one marked), 文号,
    date and download link; or the line saying there is none."""
    if not rows:
        body = html_of(EMPTY, none=gettext("暂无文书。"))
    else:
        drafts = any(row["draft"] for row in rows)
        body = html_of(
            TABLE, documents=gettext("文书"), number=gettext("文号"), issued=gettext("签发日期"),
            download=gettext("下载"), rows=SafeString("".join(_row_html(row) for row in rows)),
            drafts=html_of('<p class="muted">{words}</p>', words=gettext(
                "草稿按当前资料生成，供打印签字；案件提交时冻结为正式文本。")) if drafts else "")
    return html_of(PANEL, panel_id=panel_id, documents=gettext("文书"), body=body)


def _row_html(row: dict[str, Any]) -> SafeString:
    marks = []
    if row["draft"]:
        marks.append(html_of(' <span class="badge">{draft}</span>', draft=gettext("草稿")))
    if row["version"]:
        marks.append(html_of(' <span class="muted">{submission}</span>', submission=gettext(
            "第 %(version)s 次提交") % {"version": row["version"]}))
    if not row["current"]:
        marks.append(html_of(' <span class="badge">{superseded}</span>', superseded=gettext("已被取代")))
    return html_of(ROW, muted=SafeString("" if row["current"] else ' class="muted"'), title=row["title"],
                   marks=SafeString("".join(marks)), number=row["number"] or "—",
                   day=cn_date(template_localtime(row["issued_at"])) if row["issued_at"] else "—", url=row["url"],
                   download_pdf=gettext("下载 PDF"))
