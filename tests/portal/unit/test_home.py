"""The unit home's card of each unit (issue 14: the open account case and the drafts are read with the units): a unit
without an account shows its open account case, not the link to open one; the drafts of all the handler's units are
counted, another unit's never."""

# ruff: noqa: F811  (the fixtures of test_unit_portal are imported, then asked for by name)
from __future__ import annotations

from django.urls import reverse

from tests.factories import make_unit
from tests.portal.list_queries import listed_cases
from tests.portal.test_unit_portal import handler, people, text  # noqa: F401  (fixtures)
from wrp.cases.models import CaseState
from wrp.cases.services import case_open


def test_a_units_open_account_case_and_the_drafts_are_shown(handler, people, today):
    unit = make_unit(people.handler, name="北京丁科技有限公司")
    opening = case_open(actor=people.handler, kind="unit_opening", unit=unit)
    listed_cases(2, state=CaseState.DRAFT, unit=people.unit, today=today)
    listed_cases(1, state=CaseState.DRAFT, unit=unit, today=today)
    listed_cases(4, state=CaseState.DRAFT, unit=people.other_unit, today=today)  # another handler's unit
    html = handler.get(reverse("portal:unit_home")).content.decode()
    card = html[html.index(f'id="unit-{unit.credit_code}"'):]
    card = card[:card.index("</section>")]
    assert f'href="{reverse("portal:case", args=[opening.public_id])}"' in card
    assert opening.public_id in card
    assert "state-draft" in card
    assert "办理开户" not in text_of(card)
    # the handler's drafts: two of one unit, one of the other and the opening case itself (a draft until submitted)
    assert "另有 4 件草稿尚未提交。" in text(handler.get(reverse("portal:unit_home")))


def text_of(html: str) -> str:
    return html.replace("\n", "")
