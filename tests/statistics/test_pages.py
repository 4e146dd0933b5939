"""The two pages: only the bureau sees the dashboard; the public page shows no personal data; every chart is
well-formed SVG with a title and a description and a data table beside it; both languages."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(markup) for markup in re.findall(r'<svg\b[^>]*class="chart".*?</svg>', html, flags=re.S)]


@pytest.mark.parametrize("persona", ["applicant", "handler", "clerk", "admin"])
def test_only_the_bureau_sees_the_dashboard(people, persona, snapshot):
    response = signed_in(getattr(people, persona)).get("/bureau/statistics/")
    assert response.status_code == 403


def test_a_visitor_is_asked_to_sign_in_for_the_dashboard(snapshot):
    response = Client().get("/bureau/statistics/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_dashboard_shows_every_figure_with_a_chart_and_its_table(approver, snapshot):
    html = signed_in(approver).get("/bureau/statistics/").content.decode()
    for heading in (
        "每月收件和办结",
        "受理用时（工作日）",
        "窗口审核用时（工作日）",
        "区局审批用时（工作日）",
        "在办理时限内作出决定的比例",
        "当前已超期的案件",
        "批准率和不予通过率",
        "最常见的不予通过规则",
        "指标申报、下发和使用",
        "好差评分布",
    ):
        assert heading in html
    assert "2026年11月20日 收到的案件" in html  # the window is accepting what arrived on 20 Nov
    assert "A-HOUSING" in html
    assert "75.0%" in html
    charts = svgs(html)
    assert len(charts) == 10
    for chart in charts:
        assert chart.get("role") == "img"
        assert chart.find(f"{SVG}title").text
        assert chart.find(f"{SVG}desc").text
        title_id, desc_id = chart.get("aria-labelledby").split()
        assert chart.find(f"{SVG}title").get("id") == title_id
        assert chart.find(f"{SVG}desc").get("id") == desc_id
    assert html.count('<table class="list stat-data">') == 11  # one per chart, and the units' quota table


def test_the_dashboard_without_a_snapshot_says_the_figures_are_not_computed_yet(approver, hand_built):
    html = signed_in(approver).get("/bureau/statistics/").content.decode()
    assert "统计尚未生成" in html
    assert not svgs(html)


def test_the_bureau_queue_links_to_the_dashboard(approver):
    assert 'href="/bureau/statistics/"' in signed_in(approver).get("/bureau/").content.decode()


def test_the_public_page_shows_live_figures_without_personal_data(hand_built, snapshot, people):
    html = Client().get("/statistics/").content.decode()
    assert "窗口现在受理的是 2026年11月20日 收到的案件。" in html
    assert "75.0% 在办理时限内办结" in html
    for case in hand_built.values():
        assert case.public_id not in html
    for private in (
        people.unit.name,
        people.unit.credit_code,
        people.applicant.real_name,
        people.handler.username,
        "A-HOUSING",
    ):
        assert private not in html
    charts = svgs(html)
    assert len(charts) == 1
    assert charts[0].find(f"{SVG}title").text == "最近90天办结用时（工作日）"


def test_the_public_home_links_to_the_figures():
    assert 'href="/statistics/"' in Client().get("/").content.decode()


def test_the_public_page_before_the_first_snapshot(hand_built):
    html = Client().get("/statistics/").content.decode()
    assert "窗口现在受理的是 2026年11月20日 收到的案件。" in html
    assert "尚未生成" in html


def test_both_pages_in_english(approver, snapshot):
    dashboard = signed_in(approver).get("/bureau/statistics/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    public = Client().get("/statistics/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for html in (dashboard, public):
        assert '<html lang="en"' in html
        assert "20 Nov 2026" in html
        assert "First application" in html
        assert "初次申请" not in html
        assert all(chart.find(f"{SVG}title").text for chart in svgs(html))
    assert "Nov 2026" in dashboard
    assert "Renewal" in dashboard
