"""The case page's lists drawn in Python (wrp.portal.common.case_items, wrp.portal.clerk.file_items): every text
escaped once, the words in the page's language, the forms' values and errors where the template had them."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import translation

from wrp.portal.clerk.file_items import fact_items, material_items
from wrp.portal.common.case_items import checklist_items, timeline_items

HOSTILE = '<script>alert("x")</script> & co'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"


def _material(**changes):
    return {"code": "labour_contract", "required": True, "status": "rejected", "reason": HOSTILE,
            "file": SimpleNamespace(pages=3, warnings=[]), "viewing": False, "view_url": "/v", "download_url": "/v?d=1",
            "show_url": "/c/?view=labour_contract#clerk-viewer", "verdict": "", "verdict_reason": "",
            "verdict_error": None, "verdict_reason_error": None, **changes}


def test_the_checklist_escapes_the_reason_and_counts_pages_in_the_page_language():
    with translation.override("en"):
        html = checklist_items([_material(), _material(code="other", required=False, file=None, reason="")])
    assert html.count('<li class="material"') == 2
    assert ESCAPED in html
    assert "<script>" not in html
    assert "3 pages" in html
    assert "(optional)" in html


@pytest.mark.parametrize(("lang", "none"), [("zh-hans", "没有需要上传的材料"), ("en", "No materials to upload")])
def test_an_empty_checklist_says_so(lang, none):
    with translation.override(lang):
        assert none in checklist_items([])


def test_the_verdict_form_keeps_what_the_clerk_typed_and_names_the_error():
    material = _material(verdict="rejected", verdict_reason=HOSTILE, verdict_reason_error="写明原因")
    with translation.override("zh-hans"):
        html = material_items([material], judging=True, public_id="C1", csrf_token="tok")
    assert 'value="rejected" checked' in html
    assert f">{ESCAPED}</textarea>" in html
    assert 'aria-describedby="clerk-verdict_reason_labour_contract-error"' in html
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="tok">' in html
    assert 'action="/clerk/cases/C1/materials/labour_contract/verdict"' in html


def test_without_judging_there_is_no_form_and_a_missing_file_says_so():
    with translation.override("zh-hans"):
        html = material_items([_material(file=None)], judging=False, public_id="C1", csrf_token="tok")
    assert "<form" not in html
    assert "未上传" in html


def test_the_timeline_shows_each_event_in_local_time_and_the_state_it_led_to():
    event = SimpleNamespace(at=datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC), actor_role="window_clerk",
                            action="submit", detail={}, to_state="in_review")
    with translation.override("zh-hans"):
        html = timeline_items([event])
    assert '<time datetime="2026-03-02T07:30:00+08:00">' in html  # Asia/Shanghai
    assert "2026年3月2日 7:30</time> · 窗口工作人员 · 单位提交 → 审核中</li>" in html
    with translation.override("en"):
        english = timeline_items([event, SimpleNamespace(**{**vars(event), "actor_role": "robot", "action": "beam",
                                                             "to_state": "elsewhere"})])
    with translation.override("zh-hans"):
        assert timeline_items([event]) == html  # each language's words kept apart
    assert "· Window clerk · " in english
    assert "· robot · beam → elsewhere</li>" in english  # unknown codes as they are


def test_a_choice_is_named_in_the_active_language_and_anything_else_as_it_is():
    from wrp.accounts.models import Role
    from wrp.cases.models import CaseState
    from wrp.core.language import choice_label

    for language in ("en", "zh-hans", "en"):
        with translation.override(language):
            assert choice_label(CaseState, "in_review") == str(CaseState.IN_REVIEW.label)
            assert choice_label(CaseState, CaseState.DRAFT) == str(CaseState.DRAFT.label)
            assert choice_label(Role, "window_clerk") == str(Role.WINDOW_CLERK.label)
    assert choice_label(CaseState, "no_such_state") == "no_such_state"
    assert choice_label(CaseState, None) is None


def test_a_changed_fact_is_marked():
    with translation.override("en"):
        html = fact_items([{"label": HOSTILE, "value": "1", "changed": True}, {"label": "b", "value": "2",
                                                                               "changed": False}])
    assert html.count("clerk-changed") == 1
    assert ESCAPED in html


@pytest.mark.parametrize(("lang", "optional", "pages", "blank"), [
    ("zh-hans", "（非必需）", "1 页", "第 2 页"), ("en", "(optional)", "1 page", "Page 2")])
def test_the_checklist_and_the_case_file_write_a_materials_words_alike(lang, optional, pages, blank):
    """The optional mark, the page count and each scan warning (wrp.portal.common.file_words) — in a `<span>` on the
    checklist, a `<p>` in the case file."""
    stored = SimpleNamespace(pages=1, warnings=[{"code": "blank_page", "pages": [2]}])
    material = _material(required=False, reason="", file=stored)
    with translation.override(lang):
        checklist = checklist_items([material])
        case_file = material_items([material], judging=False, public_id="C1", csrf_token="")
    for html, tag in ((checklist, "span"), (case_file, "p")):
        assert f' <span class="muted">{optional}</span>' in html
        assert f"{pages}</span>" in html
        assert html.count(f'<{tag} class="attention">{blank}') == 1
