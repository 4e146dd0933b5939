"""The shared personas of tests/conftest.py, created here through the service (as every user is)."""

from __future__ import annotations

import pytest

from tests.accounts.cli import cli_db, cli_template_db  # noqa: F401  (fixtures)
from tests.factories import Personas, make_personas
from wrp.accounts.models import User
from wrp.accounts.services import user_create, user_set_id_number

VALID_ID = "11010519491231002X"
OTHER_VALID_ID = "360426199101010071"


# The personas' names the accounts tests read; ID numbers are recorded only for the applicants a test asks for.
NAMES = {"applicant": "张三", "other_applicant": "李四", "handler": "王经办", "clerk": "赵窗口", "approver": "钱审批"}


def _through_the_service(role: str, username: str) -> User:
    return user_create(username=username, role=role, real_name=NAMES.get(username, ""))


@pytest.fixture
def people(db) -> Personas:
    """The shared personas (tests/conftest.py), created through the service as every user is, with their NAMES."""
    return make_personas(make=_through_the_service)


@pytest.fixture
def applicant(applicant) -> User:
    user_set_id_number(user=applicant, id_number=VALID_ID, actor=None)
    return applicant


@pytest.fixture
def other_applicant(other_applicant) -> User:
    user_set_id_number(user=other_applicant, id_number=OTHER_VALID_ID, actor=None)
    return other_applicant


@pytest.fixture
def administrator(admin) -> User:
    return admin
