"""A unit that already holds an account in another district says so at registration, for the transfer (G2)."""

from datetime import date
from decimal import Decimal

import pytest

from tests.factories import make_credit_code, make_user
from wrp.accounts.models import Role
from wrp.core.errors import Invalid
from wrp.units.selectors import unit_facts
from wrp.units.services import unit_register

pytestmark = pytest.mark.django_db

FACTS = {
    "name": "北京迁入科技有限公司", "kind": "enterprise", "legal_person": True, "registered_district": "haidian",
    "tax_district": "chaoyang", "tax_paid_since": date(2020, 1, 1), "registered_capital": Decimal("2000000"),
    "annual_tax": {"2025": Decimal("300000")}, "qualifications": [],
}


def test_an_account_held_in_another_district_is_recorded_as_open_there():
    unit = unit_register(actor=make_user(Role.UNIT_HANDLER), credit_code=make_credit_code(),
                         account_elsewhere="haidian", **FACTS)
    assert unit_facts(unit, as_of=date(2026, 11, 26))["account"] == {"status": "open", "district": "haidian"}


@pytest.mark.parametrize("district", ["chaoyang", "atlantis"])
def test_chaoyang_or_an_unknown_district_is_not_an_account_elsewhere(district):
    with pytest.raises(Invalid) as refused:
        unit_register(actor=make_user(Role.UNIT_HANDLER), credit_code=make_credit_code(), account_elsewhere=district,
                      **FACTS)
    assert list(refused.value.fields) == ["account_elsewhere"]
