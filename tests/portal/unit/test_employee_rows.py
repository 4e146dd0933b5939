"""The employees page draws each row's 离职日期 field through the one field component, once for each leaving date
shown with the row's ids put in (wrp.portal.unit.employees.EmployeeRows): every row has its own ids and its recorded
date, exactly as the component draws the field of that row's own form."""

from __future__ import annotations

from datetime import date

from django.template.loader import render_to_string

from tests.factories import make_association, make_user
from wrp.accounts.models import Role
from wrp.portal.unit.employees import departure_form

EMPLOYEES = "/unit/employees/"


def test_each_row_has_the_field_its_own_form_draws(people, client):
    rows = [make_association(make_user(Role.APPLICANT), people.unit) for _ in range(2)]
    rows.append(make_association(make_user(Role.APPLICANT), people.unit, left_on=date(2026, 11, 20)))
    client.force_login(people.handler)
    html = client.get(EMPLOYEES).content.decode()
    for association in rows:
        drawn = render_to_string("components/field.html", {"field": departure_form(association)["left_on"]})
        assert f'id="id_departure_{association.pk}_left_on"' in drawn
        assert drawn in html
    assert html.count('value="2026-11-20"') == 1
