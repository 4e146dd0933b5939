"""The items of the case file's lists (on the clerk's workbench and the bureau's case page), drawn in Python:
- `material_items` for `portal/clerk/_materials.html`: each material with its status, the clerk's reason, its viewer
  and download links, its scan warnings and — while the clerk judges — the verdict form with the values and errors
  that came back;
- `fact_items` for `portal/clerk/_facts.html`: a group's frozen facts, the rows the resubmission changed marked.
A template loop over these items cost the workbench more than any other part of it; here each text is escaped once.
"""

from __future__ import annotations

from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_noop

from wrp.core.urls import url_with
from wrp.portal.common.file_words import optional_mark, pages_words, warning_lines
from wrp.portal.common.presenters import escaped, html_of, words_of
from wrp.portal.templatetags.portal import material_contains, material_status_label, material_title

WORDS = {
    "reason": gettext_noop("需重新上传的原因："),
    "shown": gettext_noop("正在页面中查看"),
    "show": gettext_noop("在页面中查看"),
    "new_window": gettext_noop("在新窗口打开 PDF"),
    "download": gettext_noop("下载 PDF"),
    "verdict": gettext_noop("审核意见"),
    "accepted": gettext_noop("通过"),
    "rejected": gettext_noop("需重新上传"),
    "reason_label": gettext_noop("需重新上传的原因"),
    "reason_hint": gettext_noop("（选“需重新上传”时必填，将写入补正告知）"),
    "save": gettext_noop("保存审核意见"),
    "missing": gettext_noop("未上传"),
    "none": gettext_noop("没有需要审核的材料"),
    "changed": gettext_noop("本次有变化"),
}
FACT = '<div class="clerk-fact{changed}"><dt>{label}</dt><dd>{value}{badge}</dd></div>'


HEAD = """
    <li id="clerk-material-{code}" class="clerk-material{viewing}">
      <div class="clerk-material-head">
        <strong>{title}</strong>{optional}
        <span class="badge material-{status}">{status_label}</span>
      </div>
      <span class="help">{contains}</span>"""
OPEN = """
      <p class="clerk-open">
        {show}
        · <a href="{view_url}" target="_blank" rel="noopener">{new_window}</a>
        · <a href="{download_url}" download>{download}</a>
        <span class="muted">· {pages}</span>
      </p>"""
FORM = """
      <form class="clerk-verdict" method="post" action="{action}">{csrf}
        <fieldset class="clerk-choice{choice_error}" id="clerk-verdict_{code}">
          <legend>{verdict}</legend>{verdict_error}
          <label><input type="radio" name="verdict" value="accepted"{accepted_checked}> {accepted}</label>
          <label><input type="radio" name="verdict" value="rejected"{rejected_checked}> {rejected}</label>
        </fieldset>
        <div class="field{reason_has_error}">
          <label for="clerk-verdict_reason_{code}">{reason_label} <span class="clerk-hint">{reason_hint}</span></label>{reason_error}
          <textarea id="clerk-verdict_reason_{code}" name="reason" rows="2"{described}>{reason_value}</textarea>
        </div>
        <button type="submit" class="button secondary">{save}</button>
      </form>"""


def material_items(materials: list[dict[str, Any]], *, judging: bool, public_id: str, csrf_token: Any) -> SafeString:
    """The `<li>` of each material (`casefile.file_materials` rows, with the workbench's verdict values and errors
    when `judging`), or the list's one line saying there is none."""
    words = words_of(WORDS)
    if not materials:
        return SafeString(f'\n    <li class="muted">{words["none"]}</li>\n')
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escaped(csrf_token)}">' if csrf_token else ""
    optional, parts = optional_mark(), []
    for m in materials:
        parts.append(html_of(HEAD, code=m["code"], viewing=SafeString(" clerk-viewing" if m["viewing"] else ""),
                             title=material_title(m["code"]),
                             optional=optional if not m["required"] else "",
                             status=m["status"], status_label=material_status_label(m["status"]),
                             contains=material_contains(m["code"])))
        if m["reason"]:
            parts.append(f'\n      <p class="clerk-reason">{words["reason"]}{escaped(m["reason"])}</p>')
        stored = m["file"]
        if not stored:
            parts.append(f'\n      <p class="muted">{words["missing"]}</p>\n    </li>')
            continue
        show = (f'<a class="clerk-shown" href="#clerk-viewer" aria-current="true">{words["shown"]}</a>' if m["viewing"]
                else f'<a href="{escaped(m["show_url"])}">{words["show"]}</a>')
        parts.append(html_of(OPEN, show=SafeString(show), view_url=m["view_url"], new_window=words["new_window"],
                             download_url=m["download_url"], download=words["download"],
                             pages=pages_words(stored.pages)))
        warnings = warning_lines(stored.warnings, "p")
        if warnings:
            parts.append(f"\n      {warnings}")
        if judging:
            parts.append(_verdict_form(m, words, public_id=public_id, csrf=csrf))
        parts.append("\n    </li>")
    return SafeString("".join(parts) + "\n")


def _verdict_form(m: dict[str, Any], words: dict[str, SafeString], *, public_id: str, csrf: str) -> str:
    code, verdict, status = m["code"], m["verdict"], m["status"]
    verdict_error, reason_error = m["verdict_error"], m["verdict_reason_error"]
    return html_of(
        FORM, action=url_with("portal:clerk_verdict", public_id, code), csrf=SafeString(csrf), code=code,
        choice_error=SafeString(" has-error" if verdict_error else ""), verdict=words["verdict"],
        verdict_error=SafeString(f'\n          <span class="error">{escaped(verdict_error)}</span>' if verdict_error else ""),
        accepted_checked=SafeString(" checked" if verdict == "accepted" or (not verdict and status == "accepted") else ""),
        rejected_checked=SafeString(" checked" if verdict == "rejected" or (not verdict and status == "rejected") else ""),
        accepted=words["accepted"], rejected=words["rejected"],
        reason_has_error=SafeString(" has-error" if reason_error else ""), reason_label=words["reason_label"],
        reason_hint=words["reason_hint"],
        reason_error=SafeString(f'\n          <span class="error" id="clerk-verdict_reason_{escaped(code)}-error">'
                                f'{escaped(reason_error)}</span>' if reason_error else ""),
        described=SafeString(f' aria-describedby="clerk-verdict_reason_{escaped(code)}-error"' if reason_error else ""),
        reason_value=m["verdict_reason"] if reason_error or verdict else m["reason"],
        save=words["save"],
    )


def fact_items(rows: list[dict[str, Any]]) -> SafeString:
    """The `<div>` (term and value) of each row of a group of frozen facts (`facts.fact_sections`)."""
    badge = SafeString(f' <span class="badge review">{escaped(gettext(WORDS["changed"]))}</span>')
    return SafeString("\n    ".join(
        html_of(FACT, changed=SafeString(" clerk-changed" if row["changed"] else ""), label=row["label"],
                value=row["value"], badge=badge if row["changed"] else "")
        for row in rows))
