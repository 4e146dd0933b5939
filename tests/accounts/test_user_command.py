"""`wrp user add` and `wrp user token` (contracts/cases-api.md §Identity): exit 2 and nothing on stdout when refused."""

from __future__ import annotations

import io
import shutil
import sqlite3
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.accounts.cli import run_wrp
from tests.accounts.conftest import VALID_ID
from wrp.accounts.models import Role, User
from wrp.accounts.services import user_for_token, user_id_number


def call(*args: str, **options: object) -> str:
    out = io.StringIO()
    call_command("user", *args, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_add_creates_the_user_with_role_name_and_id_number():
    call("add", "zhang", "--role", "applicant", "--name", "张三", "--id-number", VALID_ID, "--password", "a long passphrase")
    user = User.objects.get(username="zhang")
    assert (user.role, user.real_name, user.id_number_masked) == (Role.APPLICANT, "张三", "110105********002X")
    assert user_id_number(user) == VALID_ID
    assert user.check_password("a long passphrase")


@pytest.mark.django_db
def test_add_without_a_password_leaves_it_unusable():
    call("add", "hr-system", "--role", "unit_handler")
    assert not User.objects.get(username="hr-system").has_usable_password()


@pytest.mark.django_db
def test_token_prints_one_line_that_signs_in(handler):
    out = call("token", "handler")
    assert out.count("\n") == 1
    assert user_for_token(out.strip()) == handler


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("add", "applicant", "--role", "applicant"), "已存在"),
        (("add", "new", "--role", "applicant", "--id-number", "110105194912310021"), "第18位校验码应为X"),
        (("token", "nobody"), "nobody"),
    ],
    ids=["duplicate-username", "invalid-id-number", "unknown-user"],
)
def test_refusals_raise_command_error_with_status_2(applicant, args, says):
    with pytest.raises(CommandError, match=says) as refused:
        call(*args)
    assert refused.value.returncode == 2


# Subprocesses: the real exit status and streams, on a database of their own.


@pytest.fixture(scope="module")
def template_with_one_user(cli_template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    database = tmp_path_factory.mktemp("one-user") / "wrp.sqlite3"
    shutil.copyfile(cli_template_db, database)
    setup = run_wrp(database, "user", "add", "taken", "--role", "applicant")
    assert setup.returncode == 0, setup.stderr
    return database


@pytest.fixture
def db_with_one_user(template_with_one_user: Path, tmp_path: Path) -> Path:
    database = tmp_path / "wrp.sqlite3"
    shutil.copyfile(template_with_one_user, database)
    return database


def test_add_then_token_from_the_command_line(cli_db):
    added = run_wrp(cli_db, "user", "add", "li", "--role", "unit_handler", "--name", "李四")
    assert added.returncode == 0, added.stderr
    issued = run_wrp(cli_db, "user", "token", "li")
    assert issued.returncode == 0, issued.stderr
    lines = issued.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("wrp_")
    with sqlite3.connect(cli_db) as database:
        stored = database.execute("SELECT key_hash, prefix FROM accounts_apitoken").fetchall()
    assert len(stored) == 1
    assert lines[0] not in repr(stored)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("user", "add", "x", "--role", "superhero"), "invalid choice"),
        (("user", "add", "taken", "--role", "applicant"), "已存在"),
        (("user", "add", "y", "--role", "applicant", "--id-number", "110105194912310021"), "第18位校验码应为X，实际为1"),
        (("user", "add", "z", "--role", "applicant", "--id-number", "123"), "公民身份号码应为18位"),
        (("user", "token", "nobody"), "nobody"),
        (("user", "add", "--role", "applicant"), "username"),
    ],
    ids=["unknown-role", "duplicate-username", "bad-check-digit", "bad-length", "unknown-user", "missing-username"],
)
def test_bad_input_exits_2_with_the_reason_and_nothing_on_stdout(db_with_one_user, args, says):
    done = run_wrp(db_with_one_user, *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert says in done.stderr
    with sqlite3.connect(db_with_one_user) as database:
        assert database.execute("SELECT username FROM accounts_user").fetchall() == [("taken",)]


@pytest.mark.django_db
def test_rekey_reports_the_count():
    assert call("rekey").strip() == "0 ID numbers re-encrypted under the current key"


# Passwords pass AUTH_PASSWORD_VALIDATORS (issue 11 §6), as in the admin's form.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "says"),
    [("password", "这个密码太常见了"), ("short1", "at least 10 characters"), ("8405917263519", "密码只包含数字"),
     ("zhangsan1234", "用户名")],
    ids=["common", "too-short", "all-digits", "like-the-username"],
)
def test_add_refuses_a_weak_password_with_the_reason_and_status_2(password, says):
    with pytest.raises(CommandError, match=says) as refused:
        call("add", "zhangsan", "--role", "applicant", "--password", password)
    assert refused.value.returncode == 2
    assert "password:" in str(refused.value)
    assert not User.objects.filter(username="zhangsan").exists()


def test_a_weak_password_exits_2_from_the_command_line_and_creates_nobody(db_with_one_user):
    done = run_wrp(db_with_one_user, "user", "add", "weak", "--role", "applicant", "--password", "password")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "密码不符合要求" in done.stderr
    with sqlite3.connect(db_with_one_user) as database:
        assert database.execute("SELECT username FROM accounts_user").fetchall() == [("taken",)]
