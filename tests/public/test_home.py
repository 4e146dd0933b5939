"""The home page is where a newcomer starts: the seven items, each with its guide page and self-check; how applicants
and unit handlers get an account; the case tracker, document verification and the self-check."""

from __future__ import annotations

import html as htmllib

import pytest
from django.test import Client
from django.urls import reverse

from wrp.policy.codes import Service
from wrp.policy.items import ITEMS
from wrp.policy.labels import label
from wrp.public.wording import SERVICE_SUMMARIES

pytestmark = pytest.mark.django_db


def home(client: Client | None = None, **headers: str) -> str:
    response = (client or Client(headers=headers)).get("/")
    assert response.status_code == 200
    return htmllib.unescape(response.content.decode())


@pytest.mark.parametrize("service", list(Service), ids=str)
def test_the_home_page_lists_each_of_the_seven_items_with_its_guide_and_self_check(service):
    page = home()
    assert f'href="{reverse("public:guide", args=[service])}"' in page
    assert f'href="{reverse("public:check")}?service={service}"' in page
    assert label(service, "zh") in page
    assert SERVICE_SUMMARIES[service][0] in page
    assert f"办理时限 {ITEMS[service].time_limit} 个工作日" in page


def test_the_home_page_has_exactly_the_seven_items():
    page = home()
    assert len(ITEMS) == 7
    assert page.count('<p class="home-item-links">') == 7


def test_the_unit_items_and_the_personal_items_are_told_apart():
    page = home()
    unit_part, personal_part = page.split("单位事项：由单位经办人办理")[1].split("个人事项：")
    assert label(Service.UNIT_OPENING, "zh") in unit_part
    assert label(Service.UNIT_TRANSFER, "zh") in unit_part
    assert label(Service.INITIAL, "zh") not in unit_part
    assert label(Service.INITIAL, "zh") in personal_part
    assert label(Service.RENEWAL, "zh") in personal_part


def test_the_home_page_says_how_to_get_an_account():
    page = home()
    assert "如何获得账户" in page
    assert "关联码" in page  # applicants join their unit with its association code
    assert "为单位办理开户" in page  # handlers open the unit's account …
    assert "跨区信息变更" in page  # … or move it here from another district
    assert f'href="{reverse("accounts:login")}"' in page
    assert f'href="{reverse("accounts:register")}"' in page


def test_a_signed_in_visitor_is_sent_to_their_own_home_instead(applicant):
    client = Client()
    client.force_login(applicant)
    page = home(client)
    assert f'href="{reverse("accounts:landing")}"' in page
    assert "已有账户？" not in page


def test_the_home_page_links_the_tracker_verification_self_check_and_guides():
    page = home()
    for name in ("public:track", "public:verify_document", "public:check", "public:guide_index"):
        assert f'href="{reverse(name)}"' in page


def test_the_home_page_speaks_english():
    page = home(**{"accept-language": "en"})
    assert 'lang="en"' in page
    for service in Service:
        assert label(service, "en") in page
        assert SERVICE_SUMMARIES[service][1] in page
