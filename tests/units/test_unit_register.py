"""unit_register and unit_update_facts: who may, and what the facts must be."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from tests.factories import credit_check_character, make_credit_code
from wrp.audit.models import AuditEvent
from wrp.core.errors import Forbidden, Invalid, NotFound
from wrp.policy.identifiers import credit_code_problem
from wrp.units.models import AccountStatus, Unit
from wrp.units.services import ASSOCIATION_CODE_ALPHABET, unit_register, unit_update_facts


def facts(**overrides):
    values = {
        "credit_code": make_credit_code(),
        "name": "北京新创科技有限公司",
        "kind": "enterprise",
        "legal_person": True,
        "registered_district": "chaoyang",
        "tax_district": "chaoyang",
        "tax_paid_since": date(2019, 5, 1),
        "registered_capital": Decimal("5000000"),
        "annual_tax": {2023: Decimal("250000"), "2024": Decimal("280000.00")},
        "qualifications": ["high_tech_enterprise"],
    }
    values.update(overrides)
    return values


def test_factory_credit_codes_are_valid_and_match_the_policy_example():
    assert credit_check_character("91110000600037341") == "L"
    codes = {make_credit_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(credit_code_problem(code) is None for code in codes)


def test_handler_registers_a_unit_with_no_account_and_becomes_its_handler(people):
    unit = unit_register(actor=people.handler, **facts())
    assert unit.account_status == AccountStatus.NONE
    assert unit.account_district == ""
    assert list(unit.handlers.all()) == [people.handler]
    assert unit.annual_tax == {"2023": "250000", "2024": "280000"}
    assert unit.qualifications == ["high_tech_enterprise"]
    assert AuditEvent.objects.filter(action="unit.register", object_id=str(unit.pk)).exists()


def test_association_code_is_eight_unambiguous_characters_and_differs_per_unit(people):
    first = unit_register(actor=people.handler, **facts())
    second = unit_register(actor=people.handler, **facts())
    for code in (first.association_code, second.association_code):
        assert len(code) == 8
        assert set(code) <= set(ASSOCIATION_CODE_ALPHABET)
        assert not set(code) & set("01OIL")
    assert first.association_code != second.association_code


def test_credit_code_is_stored_normalised(people):
    code = make_credit_code()
    unit = unit_register(actor=people.handler, **facts(credit_code=" " + code.lower() + " "))
    assert unit.credit_code == code


@pytest.mark.parametrize("persona", ["applicant", "clerk", "approver", "admin"])
def test_only_a_unit_handler_registers_a_unit(people, persona):
    with pytest.raises(Forbidden):
        unit_register(actor=getattr(people, persona), **facts())
    assert not Unit.objects.filter(name="北京新创科技有限公司").exists()


def test_invalid_credit_code_names_the_check_character(people):
    with pytest.raises(Invalid) as refused:
        unit_register(actor=people.handler, **facts(credit_code="91110000600037341X"))
    message = refused.value.fields["credit_code"]
    assert message.startswith("统一社会信用代码无效：第18位校验码应为L")
    with translation.override("en"):
        assert "invalid credit code" in str(message)


def test_duplicate_credit_code_is_refused_naming_credit_code(people):
    with pytest.raises(Invalid) as refused:
        unit_register(actor=people.handler, **facts(credit_code=people.unit.credit_code))
    assert set(refused.value.fields) == {"credit_code"}
    assert "已注册" in refused.value.fields["credit_code"]


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("kind", "factory", "kind"),
        ("registered_district", "pudong", "registered_district"),
        ("tax_district", "", "tax_district"),
        ("legal_person", "yes", "legal_person"),
        ("name", "  ", "name"),
        ("registered_capital", Decimal("-1"), "registered_capital"),
        ("registered_capital", "abc", "registered_capital"),
        ("registered_capital", Decimal("1.001"), "registered_capital"),
        ("tax_paid_since", date(2025, 6, 11), "tax_paid_since"),
        ("tax_paid_since", "2019-13-01", "tax_paid_since"),
        ("annual_tax", {"2024": Decimal("-5")}, "annual_tax.2024"),
        ("annual_tax", {"twenty": Decimal("5")}, "annual_tax.twenty"),
        ("annual_tax", {"2026": Decimal("5")}, "annual_tax.2026"),
        ("annual_tax", [1, 2], "annual_tax"),
        ("qualifications", ["high_tech_enterprise", "bakery"], "qualifications.1"),
        ("qualifications", "law_firm", "qualifications"),
    ],
    ids=lambda v: str(v),
)
def test_bad_facts_are_refused_naming_the_field(people, field, value, path):
    with pytest.raises(Invalid) as refused:
        unit_register(actor=people.handler, **facts(**{field: value}))
    assert path in refused.value.fields
    chinese = str(refused.value.fields[path])
    with translation.override("en"):
        assert str(refused.value.fields[path]) != chinese  # a lazy message, translated into English


def test_every_bad_field_is_named_at_once(people):
    with pytest.raises(Invalid) as refused:
        unit_register(actor=people.handler, **facts(credit_code="123", kind="x", tax_district="y"))
    assert set(refused.value.fields) == {"credit_code", "kind", "tax_district"}


def test_tax_paid_since_may_be_empty(people):
    unit = unit_register(actor=people.handler, **facts(tax_paid_since=None, annual_tax={}, qualifications=[]))
    assert unit.tax_paid_since is None
    assert unit.annual_tax == {}


# --- unit_update_facts -------------------------------------------------------------------------------------------


def test_handler_updates_facts_and_the_change_is_audited(people):
    unit = unit_update_facts(unit=people.unit, actor=people.handler, registered_capital="8000000",
                             qualifications=["law_firm"])
    unit.refresh_from_db()
    assert unit.registered_capital == Decimal("8000000")
    assert unit.qualifications == ["law_firm"]
    event = AuditEvent.objects.get(action="unit.update_facts")
    assert set(event.changes) == {"registered_capital", "qualifications"}


def test_update_with_the_same_credit_code_is_accepted(people):
    unit_update_facts(unit=people.unit, actor=people.handler, credit_code=people.unit.credit_code.lower(),
                      name="北京甲科技股份有限公司")
    people.unit.refresh_from_db()
    assert people.unit.name == "北京甲科技股份有限公司"


def test_credit_code_cannot_change(people):
    with pytest.raises(Invalid) as refused:
        unit_update_facts(unit=people.unit, actor=people.handler, credit_code=make_credit_code())
    assert "credit_code" in refused.value.fields


@pytest.mark.parametrize("field", ["account", "quota_remaining", "quota_frozen", "penalty", "association_code"])
def test_facts_the_system_keeps_cannot_be_sent(people, field):
    with pytest.raises(Invalid) as refused:
        unit_update_facts(unit=people.unit, actor=people.handler, **{field: None})
    assert field in refused.value.fields


def test_update_validates_like_registration(people):
    with pytest.raises(Invalid) as refused:
        unit_update_facts(unit=people.unit, actor=people.handler, kind="other_thing", colour="blue")
    assert set(refused.value.fields) == {"kind", "colour"}


def test_another_units_handler_cannot_see_the_unit_to_update_it(people):
    with pytest.raises(NotFound):
        unit_update_facts(unit=people.unit, actor=people.other_handler, name="x")


@pytest.mark.parametrize("persona", ["clerk", "approver"])
def test_staff_see_the_unit_but_may_not_update_it(people, persona):
    with pytest.raises(Forbidden):
        unit_update_facts(unit=people.unit, actor=getattr(people, persona), name="x")


@pytest.mark.parametrize("persona", ["applicant", "admin"])
def test_applicants_and_admins_do_not_see_the_unit(people, persona):
    with pytest.raises(NotFound):
        unit_update_facts(unit=people.unit, actor=getattr(people, persona), name="x")
