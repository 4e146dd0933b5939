"""The acceptance duty and the extension in the pages (POLICY §11): the clerk's 受理 button and 不予受理 form, the
queue's acceptance deadline, the bureau's 延期 form, and what the applicant and the unit see (受理 / 视为受理 with
their dates, the extended due date)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.urls import reverse

from tests.cases import conftest as case_fixtures
from tests.clock import SHANGHAI
from tests.factories import case_in_state
from wrp.cases.models import Acceptance, Case, CaseState

people = case_fixtures.people  # the personas of tests/cases (profiles, association, quota), on the frozen day
pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return response.content.decode()


def clerk_page(case: Case) -> str:
    return reverse("portal:clerk_case", args=[case.public_id])


def case_page(case: Case) -> str:
    return reverse("portal:case", args=[case.public_id])


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_clerk_accepts_with_one_button(people, client, today, private_media):
    case = case_in_state(people, "in_review")
    clerk = signed_in(client, people.clerk)
    html = text(clerk.get(clerk_page(case)))
    assert reverse("portal:clerk_accept", args=[case.public_id]) in html
    assert "请在 2026年12月3日 前受理本案" in html
    assert "不予受理（申请事项不属于本区职权范围）" in html
    response = clerk.post(reverse("portal:clerk_accept", args=[case.public_id]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.acceptance == Acceptance.EXPLICIT
    html = text(clerk.get(clerk_page(case)))
    assert reverse("portal:clerk_accept", args=[case.public_id]) not in html
    assert "已受理" in html
    assert "受理日期 2026年11月26日" in html


def test_refusing_acceptance_needs_a_reason_and_a_tick(people, client, today, private_media):
    case = case_in_state(people, "submitted")
    clerk = signed_in(client, people.clerk)
    url = reverse("portal:clerk_refuse_acceptance", args=[case.public_id])
    response = clerk.post(url, {"reason": ""})
    assert response.status_code == 422
    html = text(response)
    assert "请写明不予受理的理由" in html
    assert "请勾选确认后再作出不予受理的决定" in html
    assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED
    response = clerk.post(url, {"reason": "单位注册地不在朝阳区", "confirm": "yes"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.acceptance) == (CaseState.REJECTED, Acceptance.NOT_ACCEPTED)
    assert "不予受理" in text(signed_in(client, people.handler).get(case_page(case)))


def test_others_may_not_accept_through_the_page(people, client, today, private_media):
    case = case_in_state(people, "submitted")
    for persona in (people.handler, people.approver):
        response = signed_in(client, persona).post(reverse("portal:clerk_accept", args=[case.public_id]))
        assert response.status_code in (302, 403, 404)
    assert Case.objects.get(pk=case.pk).accepted_at is None


def test_the_queue_shows_the_acceptance_deadline(people, client, today, private_media):
    case_in_state(people, "submitted")
    html = text(signed_in(client, people.clerk).get("/clerk/"))
    assert "受理期限 2026年12月3日" in html


def test_the_bureau_extends_from_the_case_page(people, client, today, private_media):
    case = case_in_state(people, "pending_approval")
    bureau = signed_in(client, people.approver)
    html = text(bureau.get(case_page(case)))
    url = reverse("portal:bureau_case_extend", args=[case.public_id])
    assert url in html
    assert "延长办理期限" in html
    refused = bureau.post(url, {"reason": ""})
    assert refused.status_code == 200
    assert "请写明延期的理由" in text(refused)
    response = bureau.post(url, {"reason": "需向外区核实社保缴纳记录", "confirm": "on"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.extended_at is not None
    html = text(bureau.get(case_page(case)))
    assert url not in html  # once only
    assert "由 2026年12月24日 延至 2027年1月7日" in html


def test_the_applicant_and_the_unit_see_acceptance_and_extension(people, client, today, private_media,
                                                                frozen_clock):
    case = case_in_state(people, "submitted")
    for persona in (people.applicant, people.handler):
        html = text(signed_in(client, persona).get(case_page(case)))
        assert "待受理" in html
        assert "窗口将于 2026年12月3日 前受理或一次性告知补正" in html
    frozen_clock.move_to(datetime(2026, 12, 4, 9, tzinfo=SHANGHAI))
    html = text(signed_in(client, people.applicant).get(case_page(case)))
    assert "视为受理" in html
    assert "自收到材料之日（2026年11月26日）起视为受理" in html


def test_the_unit_sees_the_extended_due_date(people, client, today, private_media):
    from wrp.cases.acceptance import case_extend

    case = case_extend(case=case_in_state(people, "pending_approval"), actor=people.approver, reason="需要核实")
    html = text(signed_in(client, people.handler).get(case_page(case)))
    assert "区人社局已将办理期限延长 10 个工作日" in html
    assert "2027年1月7日" in html
