"""Personas of the accounts tests, created through the service (as every user is)."""

from __future__ import annotations

import pytest

from tests.accounts.cli import cli_db, cli_template_db  # noqa: F401  (fixtures)
from wrp.accounts.models import Role, User
from wrp.accounts.services import user_create

VALID_ID = "11010519491231002X"
OTHER_VALID_ID = "360426199101010071"


@pytest.fixture
def applicant(db) -> User:
    return user_create(username="applicant", role=Role.APPLICANT, real_name="张三", id_number=VALID_ID)


@pytest.fixture
def other_applicant(db) -> User:
    return user_create(username="other-applicant", role=Role.APPLICANT, real_name="李四", id_number=OTHER_VALID_ID)


@pytest.fixture
def handler(db) -> User:
    return user_create(username="handler", role=Role.UNIT_HANDLER, real_name="王经办")


@pytest.fixture
def clerk(db) -> User:
    return user_create(username="clerk", role=Role.WINDOW_CLERK, real_name="赵窗口")


@pytest.fixture
def approver(db) -> User:
    return user_create(username="approver", role=Role.BUREAU_APPROVER, real_name="钱审批")


@pytest.fixture
def administrator(db) -> User:
    return user_create(username="administrator", role=Role.ADMIN)
