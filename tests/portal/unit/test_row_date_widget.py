"""The employees list's 登记离职日期 field is drawn without the template engine (wrp.portal.unit.forms.RowDateInput,
for speed: fifty a page); its HTML must be exactly what Django's own date widget template draws."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.utils.safestring import mark_safe

from wrp.portal.unit.forms import DATE_WIDGET, DepartureForm


class TemplateDrawn(forms.Form):
    left_on = forms.DateField(label="离职日期", widget=DATE_WIDGET)


@pytest.mark.parametrize(
    ("data", "initial", "attrs"),
    [
        (None, None, None),  # unbound, no date yet
        (None, date(2026, 3, 4), None),  # the recorded leaving date
        ({"left_on": 'x"<y>&'}, None, None),  # refused input: escaped, aria-invalid and the error's id
        (
            {"left_on": ""},
            None,
            {"aria-describedby": mark_safe("a&b"), "data-x": "c&d", "disabled": True, "off": False},
        ),
    ],
)
def test_the_row_date_field_draws_what_the_template_draws(data, initial, attrs):
    fast = DepartureForm(data, auto_id="id_departure_7_%s", initial={"left_on": initial})
    drawn = TemplateDrawn(data, auto_id="id_departure_7_%s", initial={"left_on": initial})
    if data is not None:  # bound: the errors decide aria-invalid and the described-by id
        assert fast.is_valid() == drawn.is_valid()
    assert fast["left_on"].as_widget(attrs=attrs) == drawn["left_on"].as_widget(attrs=attrs)
    assert str(fast["left_on"]) == str(drawn["left_on"])
    assert 'type="date"' in str(fast["left_on"])
    assert 'id="id_departure_7_left_on"' in str(fast["left_on"])


def test_the_row_date_field_does_not_go_through_the_template_renderer(monkeypatch):
    """The point of the widget: no template is rendered for it (Django's DateInput names date.html, which includes
    input.html; both are drawn directly)."""
    from django.forms.renderers import DjangoTemplates

    def refused(*args, **kwargs):
        raise AssertionError("the row date field went through the template renderer")

    monkeypatch.setattr(DjangoTemplates, "render", refused)
    form = DepartureForm(auto_id="id_departure_7_%s", initial={"left_on": date(2026, 3, 4)})
    assert 'value="2026-03-04"' in str(form["left_on"])
