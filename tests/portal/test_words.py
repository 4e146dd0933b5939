"""Words, not codes (issue 13 §4): a fact's dotted path by its question and its value in words
(wrp.portal.common.factwords), the resubmission's changes and the facts a case lacks on the case page, English
plurals, and a guard over the demo data: the main pages of every role, in both languages, show no snake_case code
and no dotted key."""

from __future__ import annotations

import re
import types
from datetime import date
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pydantic import BaseModel

from tests.cases import conftest as case_fixtures
from tests.factories import case_in_state
from wrp.accounts.models import ApplicantProfile
from wrp.accounts.services import profile_save
from wrp.cases.clock import ClockView
from wrp.cases.facts import case_evaluate
from wrp.cases.services import case_open, case_resubmit
from wrp.core.errors import Invalid
from wrp.documents.scanwords import warning_sentence
from wrp.policy.codes import ChildCase, HousingKind
from wrp.policy.labels import label
from wrp.policy.models import AssessmentRequest
from wrp.portal.common.factwords import fact_changes, fact_label, fact_value
from wrp.portal.common.refusals import refusal_text

people = case_fixtures.people  # the personas of tests/cases (profiles, association, quota), on the frozen day
CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # applicant_id, awaiting_unit
KEY = re.compile(r"\b[a-z]+(?:\.[a-z_0-9]+)+\b")  # applicant.employment_start
ALLOWED = re.compile(r"\S+\.pdf\b|\S+@\S+|\be\.g\.")  # a file's own name, an address, "e.g."


def visible(html: str) -> str:
    """The text of the page's main content and header a person reads (no tags, scripts or attribute values)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def codes_in(html: str) -> set[str]:
    text = ALLOWED.sub(" ", visible(html))
    return set(CODE.findall(text)) | set(KEY.findall(text))


# --- every fact path has a name ---------------------------------------------------------------------------------------


def _model(annotation: Any) -> Any:
    """The annotation without Optional and Annotated."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        inner = [arg for arg in get_args(annotation) if arg is not type(None)]
        return _model(inner[0]) if len(inner) == 1 else annotation
    return annotation


def request_paths(model: type[BaseModel] = AssessmentRequest, prefix: str = "") -> list[str]:
    """Every dotted path an assessment request may carry, with a year key and a list index where it has them."""
    paths = []
    for name, field in model.model_fields.items():
        path, annotation = f"{prefix}{name}", _model(field.annotation)
        origin = get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            paths += [path, *request_paths(annotation, f"{path}.")]
        elif origin is dict:
            paths += [path, f"{path}.2024"]
        elif origin is list and isinstance(_model(get_args(annotation)[0]), type) and issubclass(
                _model(get_args(annotation)[0]), BaseModel):
            paths += [path, *request_paths(_model(get_args(annotation)[0]), f"{path}.0.")]
        else:
            paths.append(path)
    return paths


@pytest.mark.parametrize("path", request_paths())
def test_every_fact_of_a_request_has_a_name_in_both_languages(path):
    chinese, english = fact_label(path, "zh"), fact_label(path, "en")
    assert chinese != path
    assert english != path
    assert not CODE.search(english)
    assert re.search(r"[\u4e00-\u9fff]", chinese)


@pytest.mark.parametrize(
    ("path", "chinese", "english"),
    [
        ("applicant.employment_start", "入职本单位的日期", "Started at the unit on"),
        ("unit.annual_tax.2024", "2024年单位纳税额", "Tax the unit paid in 2024"),
        ("applicant.children.0.case", "随往子女 1", "Accompanying child 1"),
        ("applicant.children.1", "随往子女 2", "Accompanying child 2"),
    ],
)
def test_a_path_is_named_by_its_question(path, chinese, english):
    assert fact_label(path, "zh") == chinese
    assert fact_label(path, "en") == english


@pytest.mark.parametrize(
    ("path", "value", "chinese", "english"),
    [
        ("applicant.employment_start", "2022-03-01", "2022年3月1日", "1 Mar 2022"),
        ("applicant.taxable_income_12m", 450000, "450,000 元", "450,000 yuan"),
        ("unit.annual_tax.2024", "17641.5", "17,641.50 元", "17,641.50 yuan"),
        ("applicant.housing.kind", "owned", label(HousingKind.OWNED, "zh"), label(HousingKind.OWNED, "en")),
        ("applicant.dispatched", False, "否", "No"),
        ("applicant.contract_end", None, "无固定期限", "Open-ended"),
        ("applicant.social_insurance_months_by_unit", 24, "24个月", "24 months"),
        ("applicant.children", [{"case": "in_policy"}, {"case": "out_of_wedlock"}],
         f"{label(ChildCase.IN_POLICY, 'zh')}、{label(ChildCase.OUT_OF_WEDLOCK, 'zh')}",
         f"{label(ChildCase.IN_POLICY, 'en')}, {label(ChildCase.OUT_OF_WEDLOCK, 'en')}"),
    ],
    ids=["date", "money", "money-by-year", "code", "yes-no", "open-ended", "unit", "children"],
)
def test_a_value_is_shown_in_words(path, value, chinese, english):
    with translation.override("zh-hans"):
        assert fact_value(path, value, "zh") == chinese
    with translation.override("en"):
        assert fact_value(path, value, "en") == english


# --- the resubmission's changes and the missing facts on the case page ------------------------------------------------


@pytest.fixture
def resubmitted(people, today, private_media):
    """An initial case returned for correction and resubmitted after the applicant corrected three facts."""
    case = case_in_state(people, "returned")
    changed = {"employment_start": "2022-03-01", "taxable_income_12m": "450000",
               "housing": {"kind": "rented_residential", "lease_end": "2028-06-30"}}
    profile_save(user=people.applicant, facts=changed, actor=people.applicant,
                 replacing=[(name,) for name in changed])
    for code in case_evaluate(case, as_of=today)[1].materials:  # the lease now asked for among them
        case_fixtures.attach(case, code, by=people.handler)
    return case_resubmit(case=case, actor=people.handler)


def test_the_clerk_sees_what_a_resubmission_changed_in_words(people, client, resubmitted):
    client.force_login(people.clerk)
    html = client.get(reverse("portal:clerk_case", args=[resubmitted.public_id])).content.decode()
    section = visible(html[html.index('id="changes-heading"'):html.index('id="rules-heading"')])
    assert "入职本单位的日期：2023年1月10日 → 2022年3月1日" in section
    assert "近12个月应税收入：400,000 元 → 450,000 元" in section
    rented = label(HousingKind.RENTED_RESIDENTIAL, "zh")
    assert f"在京住所类型：{label(HousingKind.OWNED, 'zh')} → {rented}" in section
    assert "租期截止日：无 → 2028年6月30日" in section
    assert codes_in(section) == set()


def test_the_changes_in_english_are_named_by_their_english_questions(people, client, resubmitted):
    client.force_login(people.clerk)
    html = client.get(reverse("portal:case", args=[resubmitted.public_id]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    section = visible(html[html.index('id="changes-heading"'):html.index('id="rules-heading"')])
    assert "Started at the unit on" in section
    assert "10 Jan 2023 → 1 Mar 2022" in section
    assert "400,000 yuan → 450,000 yuan" in section
    assert codes_in(section) == set()


def test_fact_changes_give_label_before_and_after():
    rows = fact_changes({"applicant.employment_start": ["2023-01-10", "2022-03-01"]}, "zh")
    assert rows == [{"path": "applicant.employment_start", "label": "入职本单位的日期", "before": "2023年1月10日",
                     "after": "2022年3月1日"}]


def test_the_facts_a_draft_lacks_are_named_by_their_questions(people, client, today, private_media):
    ApplicantProfile.objects.filter(user=people.applicant).update(facts={"nationality": "CN"})
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    client.force_login(people.handler)
    html = client.get(reverse("portal:case", args=[case.public_id])).content.decode()
    section = visible(html[html.index('id="rules-heading"'):html.index('id="materials-heading"')])
    assert "入职本单位的日期：" in section
    assert "applicant." not in section
    assert codes_in(section) == set()


# --- plurals (the English assertions read the catalogue: they pass once its plural entries are merged) ---------------


def render(source: str, **context: Any) -> str:
    return re.sub(r"\s+", " ", Template("{% load i18n %}" + source).render(Context(context))).strip()


CLOCK = "{% load portal %}{{ clock|clock_badge }}"


@pytest.mark.parametrize(("n", "english"), [(1, "1 working day left"), (2, "2 working days left")])
def test_the_clock_says_one_working_day_and_two_working_days(n, english):
    clock = ClockView(time_limit_working_days=20, accepted_on=None, due=date(2026, 12, 24), paused=False,
                      working_days_left=n, provisional=False)
    with translation.override("zh-hans"):
        assert f"剩余 {n} 个工作日 · 截止 2026年12月24日" in render(CLOCK, clock=clock)
    with translation.override("en"):
        assert f"{english} · due 24 Dec 2026" in render(CLOCK, clock=clock)


@pytest.mark.parametrize(
    ("pages", "english"),
    [([2], "Page 2 is not a colour scan"), ([2, 3], "Pages 2–3 are not colour scans")],
)
def test_a_scan_warning_agrees_with_its_number_of_pages(pages, english):
    with translation.override("en"):
        assert warning_sentence({"code": "not_colour", "pages": pages}).startswith(english)


def test_a_refusal_names_the_facts_it_lacks_by_their_questions():
    refusal = Invalid({"applicant.employment_start": "必填", "slot": "请预约办理时段"})
    with translation.override("zh-hans"):
        assert refusal_text(refusal) == "入职本单位的日期：必填；请预约办理时段"


# --- the guard: no code on the main pages of any role -----------------------------------------------------------------


MAIN_PAGES = {
    "applicant": ["portal:applicant_home", "portal:applicant_cases", "portal:applicant_profile",
                  "portal:applicant_association", "portal:applicant_permit", "portal:notifications"],
    "hr": ["portal:unit_home", "portal:unit_cases", "portal:unit_employees", "portal:unit_quota",
           "portal:unit_documents"],
    "clerk": ["portal:clerk_queue", "portal:clerk_cases"],
    "approver": ["portal:bureau_queue", "portal:bureau_quotas", "portal:bureau_late_releases",
                 "portal:bureau_penalties", "portal:bureau_audits", "portal:bureau_rating_follow_ups"],
}
CASE_LINK = re.compile(r'href="(/(?:clerk/)?cases/[A-Z0-9]+/)"')


def pages_of(client: Client, names: list[str], language: str) -> dict[str, str]:
    """The role's main pages and the case pages they link to (a few of each list), by address."""
    pages: dict[str, str] = {}
    for name in names:
        url = reverse(name)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
        for case_url in list(dict.fromkeys(CASE_LINK.findall(pages[url])))[:4]:
            if case_url not in pages:
                pages[case_url] = client.get(case_url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    return pages


def test_the_guard_sees_codes_and_keys_in_the_text_but_not_in_attributes_or_file_names():
    html = ('<p class="state-awaiting_unit">待单位审核</p><p>applicant.employment_start：必填</p><p>awaiting_unit</p>'
            '<p>personal_integrity_declaration.pdf · ap***@demo.example.com</p><script>var a_b = 1;</script>')
    assert codes_in(html) == {"applicant.employment_start", "awaiting_unit", "employment_start"}


@pytest.mark.django_db
def test_no_page_of_the_demo_shows_a_code_or_a_key(today, private_media):
    call_command("demo")
    from django.contrib.auth import get_user_model

    found: dict[str, set[str]] = {}
    for username, names in MAIN_PAGES.items():
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        for language in ("zh-hans", "en"):
            for url, html in pages_of(client, names, language).items():
                codes = codes_in(html)
                if codes:
                    found[f"{username} {language} {url}"] = codes
    assert found == {}
