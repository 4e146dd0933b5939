"""The appointment slip (issue 13 §5): for a case the unit submitted with a booking, the applicant and the unit's
handler get a printable slip with the day, its weekday, the hours, the hall's address, the case number and the
originals to bring; whoever may not see the case gets the 404 of a case that does not exist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from tests.cases import conftest as case_fixtures
from tests.factories import case_in_state
from wrp.cases.materials import case_checklist
from wrp.policy.materials import MATERIALS
from wrp.policy.office import OFFICE

people = case_fixtures.people  # the personas of tests/cases (profiles, association, quota), on the frozen day
pytestmark = pytest.mark.django_db

FIRST_FREE_SLOT = "2026年11月30日（星期一）9:00–10:00"  # tests/cases/conftest.py::free_slot, next Monday, 60 minutes


def slip_url(case: Any) -> str:
    return reverse("portal:appointment_slip", args=[case.public_id])


def visible(html: str) -> str:
    main = html.split('<main id="main" class="content">')[-1].split("</main>")[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def element(html: str, element_id: str) -> str:
    """The visible text of the element with that id, up to its first closing tag."""
    start = html.index(">", html.index(f'id="{element_id}"')) + 1
    return visible(html[start:html.index("</", start)]).strip()


@pytest.fixture
def submitted(people, today, private_media):
    return case_in_state(people, "submitted")


def test_the_applicant_gets_a_slip_with_the_day_weekday_hours_hall_and_case_number(people, client, submitted):
    client.force_login(people.applicant)
    response = client.get(slip_url(submitted))
    assert response.status_code == 200
    html = response.content.decode()
    assert element(html, "slip-when") == FIRST_FREE_SLOT
    assert OFFICE.address[0] in element(html, "slip-hall")
    assert OFFICE.institution[0] in element(html, "slip-hall")
    assert submitted.public_id in element(html, "slip-case")
    page = visible(html)
    assert "预约单" in page
    assert OFFICE.phone in page
    assert OFFICE.hours[0] in page


def test_the_slip_lists_the_originals_of_the_checklist_in_words(people, client, submitted):
    client.force_login(people.applicant)
    html = client.get(slip_url(submitted)).content.decode()
    listed = re.findall(r"<li>([^<]+)</li>", html[html.index('id="slip-materials"'):])
    codes = case_checklist(submitted)
    assert listed[:len(codes)] == [MATERIALS[code].title_zh for code in codes]
    assert not any(code in visible(html) for code in codes)


def test_the_unit_handler_gets_the_same_slip(people, client, submitted):
    client.force_login(people.handler)
    response = client.get(slip_url(submitted))
    assert response.status_code == 200
    assert FIRST_FREE_SLOT in visible(response.content.decode())


@pytest.mark.parametrize("persona", ["applicant", "handler"])
def test_the_case_page_links_to_the_slip_and_shows_the_appointment_with_its_weekday(people, client, submitted,
                                                                                     persona):
    client.force_login(getattr(people, persona))
    html = client.get(reverse("portal:case", args=[submitted.public_id])).content.decode()
    assert f'href="{slip_url(submitted)}"' in html
    assert FIRST_FREE_SLOT in visible(html)


@pytest.mark.parametrize("persona", ["other_applicant", "other_handler"])
def test_who_may_not_see_the_case_gets_not_found(people, client, submitted, persona):
    client.force_login(getattr(people, persona))
    assert client.get(slip_url(submitted)).status_code == 404


def test_the_anonymous_are_sent_to_sign_in(client, submitted):
    response = client.get(slip_url(submitted))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("state", ["draft", "withdrawn"])
def test_a_case_without_a_booking_has_no_slip(people, client, today, private_media, state):
    case = case_in_state(people, state)
    client.force_login(people.handler)
    assert client.get(slip_url(case)).status_code == 404
    assert 'appointment/"' not in client.get(reverse("portal:case", args=[case.public_id])).content.decode()


def test_the_slip_in_english_gives_the_weekday_first_and_the_english_address(people, client, submitted):
    client.force_login(people.applicant)
    html = client.get(slip_url(submitted), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert element(html, "slip-when") == "Mon 30 Nov 2026, 9:00–10:00"
    assert OFFICE.address[1] in element(html, "slip-hall")
    assert MATERIALS[case_checklist(submitted)[0]].title_en in visible(html)


def test_the_slip_prints_without_the_sites_frame(people, client, submitted):
    client.force_login(people.applicant)
    html = client.get(slip_url(submitted)).content.decode()
    assert "data-print hidden" in html
    assert "wrp/print.js" in html
    assert 'class="breadcrumb slip-screen-only"' in html
    assert 'class="slip-actions slip-screen-only"' in html
    css = (Path(__file__).parents[2] / "src/wrp/static/wrp/site.css").read_text(encoding="utf-8")
    print_rules = css[css.index("/* H6 appointment slip"):]
    assert re.search(r"@media print \{\s*\.slip-screen-only, \.site-header, \.site-footer", print_rules)
    assert "style=" not in html.split('<main id="main"')[1]
    assert "<script>" not in html
