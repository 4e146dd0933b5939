"""The portal's shared parts: the one refusal-to-message path and the one answers form built from the kinds' schema."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.utils import translation

from wrp.cases.kinds import kind_spec
from wrp.core.errors import Forbidden, Invalid, InvalidState, MaterialsMissing
from wrp.portal.common.answers import AnswersForm
from wrp.portal.common.refusals import form_add_refusal, refusal_text


def test_a_refusal_is_its_message_in_the_page_language():
    refused = Forbidden(code="clerks_only")
    assert refusal_text(refused) == "您无权进行此操作。"
    with translation.override("en"):
        assert not re.search("[\u4e00-\u9fff]", refusal_text(refused))


def test_a_bare_state_refusal_names_the_state_the_case_is_in():
    assert refusal_text(InvalidState("approved")) == "当前状态不允许此操作（已批准）。"


def test_missing_materials_are_named_by_their_titles():
    text = refusal_text(MaterialsMissing(["business_license"]))
    assert text.startswith("以下材料尚未上传：")
    assert "business_license" not in text


class _Form(forms.Form):
    reason = forms.CharField()
    annual_tax_2024 = forms.CharField(required=False)


def test_field_refusals_go_next_to_their_fields_and_the_rest_on_top():
    form = _Form({"reason": "x"})
    assert form.is_valid()
    form_add_refusal(form, Invalid({"reason.text": "请写明理由。", "annual_tax.2024": "金额有误。", "slot": "无此时段。"}))
    assert form.errors["reason"] == ["请写明理由。"]
    assert form.errors["annual_tax_2024"] == ["金额有误。"]
    assert form.non_field_errors() == ["无此时段。"]


@pytest.mark.parametrize(
    ("kind", "subtype", "fields"),
    [
        ("initial", None, {"child_0_name", "child_0_case", "child_2_case"}),
        ("info_change", "address", {"housing_kind", "lease_end"}),
        ("info_change", "name_or_hukou", {"real_name", "hukou"}),
        ("info_change", "education", {"degree"}),
        ("renewal", None, set()),
    ],
    ids=["initial", "address", "name_or_hukou", "education", "renewal"],
)
def test_the_answers_form_asks_what_the_kind_carries(kind, subtype, fields):
    form = AnswersForm(kind=kind_spec(kind, subtype))
    assert fields <= set(form.fields)
    assert bool(form.fields) == bool(fields)


def test_a_children_change_must_name_a_child():
    form = AnswersForm({}, kind=kind_spec("children_change"))
    assert not form.is_valid()
    assert "child_0_name" in form.errors


HOME = "朝阳区将台路5号院15号楼1201室"


def test_a_rented_home_needs_the_lease_end_and_an_owned_one_drops_it():
    kind = kind_spec("info_change", "address")
    assert "lease_end" in AnswersForm({"housing_kind": "rented_residential"}, kind=kind).errors
    owned = AnswersForm({"housing_kind": "owned", "lease_end": "2028-01-31", "housing_address": HOME}, kind=kind)
    assert owned.is_valid()
    assert owned.answers() == {"housing": {"kind": "owned", "lease_end": None, "address": HOME}}


def test_a_rows_pattern_takes_the_pages_words_once_and_escapes_only_the_rows_values():
    from django.utils.safestring import SafeString

    from wrp.portal.common.presenters import html_of, with_words

    words = {"label": SafeString("日期 {当天}"), "button": SafeString("解除 &amp; 挂起")}
    row = with_words('<td data-label="{label}">{day}</td><button>{button}</button>', words)
    assert row == '<td data-label="日期 {{当天}}">{day}</td><button>解除 &amp; 挂起</button>'
    assert html_of(row, day="<b>1日</b>") == (
        '<td data-label="日期 {当天}">&lt;b&gt;1日&lt;/b&gt;</td><button>解除 &amp; 挂起</button>')
