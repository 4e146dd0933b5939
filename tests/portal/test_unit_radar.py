"""The unit's expiry radar page (issue 10 §4): the employees' permits with days left, window state, open cases and
next step; filter and sort by a GET form; tick permits in their window, confirm in the page, drafts opened — without
JavaScript; another unit's handler never sees the unit's permits (404), other roles get 403."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.cases.conftest import PROFILE
from tests.clock import TODAY
from tests.factories import case_in_state, make_association, make_ledger, make_permit, make_user
from wrp.accounts.models import ApplicantProfile, Role
from wrp.cases.models import Case
from wrp.permits.models import Permit

URL = reverse("portal:unit_radar")


@pytest.fixture
def people(people):
    people.applicant.real_name = "张伟"
    people.applicant.save(update_fields=["real_name"])
    ApplicantProfile.objects.create(user=people.applicant, facts=dict(PROFILE))
    make_association(people.applicant, people.unit)
    make_ledger(people.unit, TODAY.year, granted=3)
    return people


@pytest.fixture
def handler(people) -> Client:
    client = Client()
    client.force_login(people.handler)
    return client


@pytest.fixture
def permit(people) -> Permit:
    """The permit of the applicant's approved initial case, 30 days from its end."""
    case_in_state(people, "approved")
    permit = Permit.objects.get(holder=people.applicant)
    Permit.objects.filter(pk=permit.pk).update(valid_until=TODAY + timedelta(days=30))
    permit.refresh_from_db()
    return permit


@pytest.fixture
def early(people) -> Permit:
    holder = make_user(Role.APPLICANT, real_name="李娜")
    make_association(holder, people.unit)
    return make_permit(holder, people.unit, valid_until=TODAY + timedelta(days=200))


def text(response: Any) -> str:
    html = response.content.decode()
    main = html.split('<main id="main" class="content">')[-1].split("</main>")[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_the_radar_shows_each_employees_permit(handler, permit, early):
    response = handler.get(URL)
    assert response.status_code == 200
    page = text(response)
    assert "到期预警" in page
    assert "张伟" in page
    assert "李娜" in page
    assert page.index("张伟") < page.index("李娜")  # fewest days first
    assert "剩余 30 天" in page
    assert "续签期内" in page
    assert "开立续签申请" in page
    assert "未到续签期" in page
    assert "2027年4月15日 起可续签" in page
    html = response.content.decode()
    assert f'value="{permit.number}"' in html
    assert f'value="{early.number}"' not in html
    nav = handler.get(reverse("portal:unit_home")).content.decode()
    assert f'href="{URL}"' in nav
    assert "到期预警" in nav


def test_filter_and_sort(handler, permit, early):
    page = text(handler.get(URL, {"window": "before"}))
    assert "李娜" in page
    assert "张伟" not in page
    page = text(handler.get(URL, {"sort": "-days"}))
    assert page.index("李娜") < page.index("张伟")
    assert "没有符合筛选条件的证件" in text(handler.get(URL, {"window": "expired"}))


def test_ticked_permits_are_confirmed_then_opened(handler, people, permit):
    before = Case.objects.count()
    confirm = handler.post(URL, {"permits": [permit.number]})
    assert confirm.status_code == 200
    assert "请确认开立续签申请" in text(confirm)
    assert "共 1 人" in text(confirm)
    assert Case.objects.count() == before  # nothing yet
    done = handler.post(URL, {"permits": [permit.number], "confirm": "yes"})
    assert done.status_code == 200
    page = text(done)
    case = Case.objects.get(kind="renewal")
    assert "已开立续签申请草稿 1 份" in page
    assert case.public_id in page
    assert "需重新上传" in page
    assert "近12个月社会保险个人权益记录" in page
    assert "劳动合同" in page
    assert case.applicant == people.applicant
    assert case.state == "draft"
    assert "补齐材料并提交续签申请" in page  # the radar row's next step
    again = handler.post(URL, {"permits": [permit.number], "confirm": "yes"})
    assert again.status_code == 422
    assert Case.objects.count() == before + 1


def test_refusals_change_nothing(handler, permit, early):
    before = Case.objects.count()
    response = handler.post(URL, {"permits": [permit.number, early.number], "confirm": "yes"})
    assert response.status_code == 422
    assert "未能办理" in text(response)
    assert handler.post(URL, {"confirm": "yes"}).status_code == 422
    assert Case.objects.count() == before


def test_another_units_handler_never_sees_the_permits(people, permit):
    client = Client()
    client.force_login(people.other_handler)
    page = client.get(URL)
    assert page.status_code == 200
    assert "张伟" not in text(page)
    assert client.get(URL, {"unit": people.unit.credit_code}).status_code == 404
    assert client.post(URL, {"unit": people.unit.credit_code, "permits": [permit.number],
                             "confirm": "yes"}).status_code == 404
    assert not Case.objects.filter(kind="renewal").exists()


@pytest.mark.parametrize("persona", ["applicant", "clerk", "approver", "admin"])
def test_other_roles_are_refused(people, client, persona):
    client.force_login(getattr(people, persona))
    assert client.get(URL).status_code == 403


def test_the_page_in_english(handler, permit):
    with translation.override("en"):
        response = handler.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200


def test_each_window_state_has_its_own_badge_colour():
    import wrp

    css = (Path(wrp.__file__).parent / "static" / "wrp" / "site.css").read_text(encoding="utf-8")
    colours = {}
    for window in ("before", "open", "closing", "expired"):
        rule = re.search(r"([^{}]*\.badge\.window-" + window + r"\b[^{}]*)\{([^}]*)\}", css)
        assert rule is not None, window
        colours[window] = re.sub(r"\s+", "", rule.group(2))
    assert len(set(colours.values())) == 4  # grey, blue, amber, red: four looks (the words are shown too)
    assert "var(--red)" in colours["expired"]
    assert "var(--amber)" in colours["closing"]

