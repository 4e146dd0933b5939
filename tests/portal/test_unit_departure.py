"""登记离职日期 on the unit's employees page: the leaving date of an employee in post, then the 60-day release deadline
and the days left on the employee's row (POLICY §9); the association stays active until released."""

# ruff: noqa: F811  (the fixtures of test_unit_portal are imported, then asked for by name)
from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse

from tests.clock import TODAY
from tests.portal.test_unit_portal import active_association, handler, people, text  # noqa: F401  (fixtures)
from wrp.audit.models import AuditEvent
from wrp.units.models import AssociationState


def departure_url(association) -> str:
    return reverse("portal:unit_association_departure", args=[association.pk])


def test_the_form_is_on_each_employee_in_post(handler, people):
    association = active_association(people)
    html = handler.get(reverse("portal:unit_employees")).content.decode()
    assert f'action="{departure_url(association)}"' in html
    assert f'id="id_departure_{association.pk}_left_on"' in html
    assert "登记离职日期" in html


def test_a_recorded_departure_shows_the_deadline_and_the_days_left(handler, people):
    association = active_association(people)
    response = handler.post(departure_url(association), {"left_on": (TODAY - timedelta(days=50)).isoformat()})
    assert response.status_code == 302
    association.refresh_from_db()
    assert association.left_on == TODAY - timedelta(days=50)
    assert association.state == AssociationState.ACTIVE
    assert AuditEvent.objects.filter(action="association.record_departure").count() == 1
    page = text(handler.get(reverse("portal:unit_employees")))
    assert "已离职 2026年10月7日 · 须在 2026年12月6日 前解除关联（剩余 10 天）" in page
    assert "已登记 张伟 的离职日期" in page
    release = handler.get(reverse("portal:unit_association_release", args=[association.pk])).content.decode()
    assert 'value="2026-10-07"' in release  # the release starts from the recorded date


def test_a_departure_past_its_deadline_shows_the_days_late(handler, people):
    association = active_association(people)
    assert handler.post(departure_url(association), {"left_on": (TODAY - timedelta(days=61)).isoformat()}).status_code == 302
    page = text(handler.get(reverse("portal:unit_employees")))
    assert "解除期限 2026年11月25日 已过（逾期 1 天）" in page


def test_a_future_date_is_refused_next_to_the_field(handler, people):
    association = active_association(people)
    response = handler.post(departure_url(association), {"left_on": "2026-12-01"})
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="id_departure_{association.pk}_left_on-error"' in html
    assert "离职日期不能晚于今天" in text(response)
    assert 'class="error-summary"' in html
    association.refresh_from_db()
    assert association.left_on is None


def test_an_empty_date_is_refused(handler, people):
    response = handler.post(departure_url(active_association(people)), {"left_on": ""})
    assert response.status_code == 422
    assert "这个字段是必填项" in text(response) or "必填" in text(response)


def test_another_units_handler_is_not_shown_the_association(people):
    association = active_association(people)
    other = Client()
    other.force_login(people.other_handler)
    assert other.post(departure_url(association), {"left_on": TODAY.isoformat()}).status_code == 404
    association.refresh_from_db()
    assert association.left_on is None


def test_the_form_is_post_only(handler, people):
    assert handler.get(departure_url(active_association(people))).status_code == 405
