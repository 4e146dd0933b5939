"""The notification centre's list (issue 14): at most six queries, the frame's included, the same at 1 and 30
notices; keyset pages newest first showing every notice once, the unread filter kept."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.portal.list_queries import MAX_QUERIES, next_link, queries_of
from wrp.notifications.models import Notification

LIST = "/notifications/"


@pytest.fixture
def applicant_client(client, people):
    client.force_login(people.applicant)
    return client


def notices(person, n: int, start: int = 0, **fields) -> list[Notification]:
    now = timezone.now()
    return [Notification.objects.create(recipient=person, event="case.submitted", key=f"k{start + index}",
                                        subject=f"通知 {start + index}", body="内容", link="/me/cases/",
                                        created_at=now - timedelta(minutes=1000 - start - index), **fields)
            for index in range(n)]


def shown(html: str) -> list[str]:
    return re.findall(r'id="notice-(\d+)"', html)


def test_the_list_runs_at_most_six_queries_the_same_at_1_and_30_notices(people, applicant_client, today):
    notices(people.applicant, 1)
    applicant_client.get(LIST)
    one, _response = queries_of(applicant_client, LIST)
    notices(people.applicant, 29, start=1)
    notices(people.other_applicant, 5, start=100)
    thirty, response = queries_of(applicant_client, LIST)
    assert len(shown(response.content.decode())) == 20
    assert one == thirty <= MAX_QUERIES
    deep, _response = queries_of(applicant_client, LIST + next_link(response.content.decode()))
    assert deep <= MAX_QUERIES
    print(f"{LIST}: 1 notice {one}, 30 notices {thirty}, next page {deep} queries")


def test_pages_show_every_notice_once_newest_first_and_keep_the_unread_filter(people, applicant_client, today):
    unread = notices(people.applicant, 25)
    notices(people.applicant, 20, start=25, read_at=timezone.now())
    url, seen = LIST + "?show=unread", []
    while url:
        html = applicant_client.get(url).content.decode()
        seen += shown(html)
        following = next_link(html)
        assert following is None or "show=unread" in following
        url = LIST + following if following else ""
    assert seen == [str(notice.pk) for notice in reversed(unread)]
