"""The command-line door of contracts/assessment.md: `wrp assess` and `wrp workdays`, run as the user runs them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.contract.doors import EXAMPLE_REQUEST_FILE, as_bytes, example_request, python_door, run_wrp, wrp_env

CJK = re.compile(r"[\u4e00-\u9fff]")


def _invalid(result) -> dict:
    """An invalid request: exit 2, nothing on stdout, one JSON error object on stderr."""
    assert result.returncode == 2, (result.returncode, result.stderr.decode())
    assert result.stdout == b""
    text = result.stderr.decode()
    assert text.count("\n") <= 1, text
    body = json.loads(text)
    assert set(body) == {"error", "fields"}
    assert body["error"] == "invalid_request"
    assert body["fields"], "at least one field is named"
    assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in body["fields"].items())
    return body


def _answer(result) -> dict:
    """A response: exit 0, exactly one JSON object on stdout."""
    assert result.returncode == 0, (result.returncode, result.stderr.decode())
    text = result.stdout.decode()
    assert text.count("\n") == 1, text
    assert text.endswith("\n"), text
    return json.loads(text)


# --- wrp assess: a request in, the response out --------------------------------------------------------------------


def test_assess_file_prints_the_python_doors_response():
    result = run_wrp("assess", str(EXAMPLE_REQUEST_FILE))
    assert _answer(result) == python_door(example_request())[1]


def test_assess_dash_reads_standard_input():
    result = run_wrp("assess", "-", stdin=EXAMPLE_REQUEST_FILE.read_bytes())
    assert _answer(result) == python_door(example_request())[1]


def test_assess_without_a_file_reads_standard_input():
    result = run_wrp("assess", stdin=EXAMPLE_REQUEST_FILE.read_bytes())
    assert _answer(result) == python_door(example_request())[1]


def test_assess_exits_0_whatever_the_decision():
    request = example_request()
    request["applicant"]["nationality"] = "US"
    body = _answer(run_wrp("assess", stdin=as_bytes(request)))
    assert body["decision"] == "ineligible"
    assert body == python_door(request)[1]


def test_assess_messages_are_chinese_by_default():
    body = _answer(run_wrp("assess", str(EXAMPLE_REQUEST_FILE)))
    assert all(CJK.search(check["message"]) for check in body["checks"])


def test_assess_lang_en_gives_english_messages():
    body = _answer(run_wrp("assess", str(EXAMPLE_REQUEST_FILE), "--lang", "en"))
    assert body == python_door(example_request(), lang="en")[1]
    messages = [check["message"] for check in body["checks"]] + body["manual_checks"]
    assert messages
    assert not [message for message in messages if CJK.search(message)]


def test_assess_lang_en_gives_english_error_messages():
    body = _invalid(run_wrp("assess", "--lang", "en", stdin=b'{"service": "nope"}'))
    assert not [message for message in body["fields"].values() if CJK.search(message)]


# --- wrp assess: invalid requests ------------------------------------------------------------------------------------


DELETE = object()


def _example_with(path: str, value: object) -> dict:
    """The example request with the field at a dotted path replaced (or deleted, with DELETE)."""
    request = example_request()
    *parents, last = path.split(".")
    holder = request
    for part in parents:
        holder = holder[int(part)] if isinstance(holder, list) else holder[part]
    if value is DELETE:
        del holder[last]
    elif isinstance(holder, list):
        holder[int(last)] = value
    else:
        holder[last] = value
    return request


INVALID = [
    pytest.param({"service": "nope"}, {"service", "as_of"}, id="unknown-service-and-no-date"),
    pytest.param(
        _example_with("applicant.children.0.case", "adopted"), {"applicant.children.0.case"}, id="unknown-child-case"
    ),
    pytest.param(_example_with("applicant", DELETE), {"applicant"}, id="missing-applicant-part"),
    pytest.param(_example_with("applicant", None), {"applicant"}, id="null-applicant-part"),
    pytest.param(
        _example_with("applicant.taxable_income_12m", -1), {"applicant.taxable_income_12m"}, id="negative-income"
    ),
    pytest.param(
        _example_with("applicant.taxable_income_12m", "-0.01"),
        {"applicant.taxable_income_12m"},
        id="negative-income-as-decimal-string",
    ),
    pytest.param(_example_with("as_of", "2025-02-30"), {"as_of"}, id="impossible-date"),
    pytest.param(_example_with("as_of", "03/06/2025"), {"as_of"}, id="malformed-date"),
    pytest.param(
        _example_with("applicant.contract_end", DELETE),
        {"applicant.contract_end"},
        id="missing-contract-end-where-A-CONTRACT-applies",
    ),
    pytest.param(_example_with("change", {"subtype": "address"}), {"change"}, id="change-for-initial"),
    pytest.param(_example_with("unit.kind", "cooperative"), {"unit.kind"}, id="unknown-unit-kind"),
]


@pytest.mark.parametrize(("request_body", "bad_fields"), INVALID)
def test_assess_invalid_request_names_every_bad_field(request_body, bad_fields):
    body = _invalid(run_wrp("assess", stdin=as_bytes(request_body)))
    assert set(body["fields"]) == bad_fields
    assert body == python_door(request_body)[1]


def test_assess_names_every_bad_field_at_once():
    request = example_request()
    request["as_of"] = "2025-13-01"
    request["unit"]["registered_capital"] = -5
    request["applicant"]["children"] = [{"case": "in_policy"}, {"case": "twins"}]
    request["applicant"]["hukou"] = "shanghai"
    body = _invalid(run_wrp("assess", stdin=as_bytes(request)))
    assert set(body["fields"]) == {"as_of", "unit.registered_capital", "applicant.children.1.case", "applicant.hukou"}


def test_assess_malformed_json_is_an_invalid_request():
    _invalid(run_wrp("assess", stdin=b'{"service": "initial", '))


def test_assess_empty_input_is_an_invalid_request():
    _invalid(run_wrp("assess", stdin=b""))


def test_assess_unreadable_file_exits_2(tmp_path):
    result = run_wrp("assess", str(tmp_path / "no-such-request.json"))
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.strip()


def test_assess_does_not_import_django():
    script = (
        "import io, json, sys\n"
        "import wrp.cli\n"
        "out = io.StringIO()\n"
        "real, sys.stdout = sys.stdout, out\n"
        "status = wrp.cli.main(['assess', sys.argv[1]])\n"
        "sys.stdout = real\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ninja'))\n"
        "print(json.dumps({'status': status, 'answered': bool(out.getvalue()), 'loaded': loaded}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(EXAMPLE_REQUEST_FILE)], capture_output=True, env=wrp_env(), check=True
    )
    assert json.loads(result.stdout) == {"status": 0, "answered": True, "loaded": []}


def test_assess_does_not_import_django_per_importtime():
    result = run_wrp_importtime("assess", str(EXAMPLE_REQUEST_FILE))
    assert result.returncode == 0
    imported = {line.split("|")[-1].strip() for line in result.stderr.decode().splitlines() if "|" in line}
    assert imported, "python -X importtime reported no imports"
    assert not {name for name in imported if name.split(".")[0] in ("django", "ninja")}


def run_wrp_importtime(*args: str):
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "wrp.cli", *args], capture_output=True, env=wrp_env(), check=False
    )


def test_console_script_wrp_assess_answers_like_the_module():
    script = Path(sys.executable).parent / "wrp"
    assert script.exists(), f"console script {script} is installed"
    result = subprocess.run([str(script), "assess", str(EXAMPLE_REQUEST_FILE)], capture_output=True, env=wrp_env())
    assert _answer(result) == python_door(example_request())[1]


# --- wrp workdays ---------------------------------------------------------------------------------------------------


def _printed(result) -> str:
    assert result.returncode == 0, (result.returncode, result.stderr.decode())
    return result.stdout.decode()


def test_workdays_add_counts_the_national_day_holiday():
    assert _printed(run_wrp("workdays", "add", "2025-09-29", "7")) == "2025-10-15\n"


@pytest.mark.parametrize(
    ("day", "printed"),
    [
        pytest.param("2025-10-11", "true", id="saturday-declared-a-working-day"),
        pytest.param("2025-10-01", "false", id="national-day"),
        pytest.param("2025-10-10", "true", id="ordinary-friday"),
        pytest.param("2025-10-12", "false", id="ordinary-sunday"),
    ],
)
def test_workdays_is_workday(day, printed):
    assert _printed(run_wrp("workdays", "is-workday", day)) == f"{printed}\n"


def test_workdays_provisional_flag_changes_nothing_for_a_loaded_year():
    assert _printed(run_wrp("workdays", "add", "2025-09-29", "7", "--provisional")) == "2025-10-15\n"
    assert _printed(run_wrp("workdays", "is-workday", "2025-10-11", "--provisional")) == "true\n"


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("add", "2026-12-31", "3"), id="add-into-2027"),
        pytest.param(("add", "2027-03-01", "1"), id="add-from-2027"),
        pytest.param(("is-workday", "2027-01-04"), id="is-workday-2027"),
    ],
)
def test_workdays_year_not_loaded_is_an_error(args):
    result = run_wrp("workdays", *args)
    assert result.returncode == 2
    assert result.stdout == b""
    assert "2027" in result.stderr.decode()


def test_workdays_provisional_assumes_weekends_only_and_says_so():
    assert _printed(run_wrp("workdays", "add", "2026-12-31", "3", "--provisional")) == "2027-01-05 provisional\n"
    assert _printed(run_wrp("workdays", "is-workday", "2027-01-04", "--provisional")) == "true provisional\n"
    assert _printed(run_wrp("workdays", "is-workday", "2027-01-09", "--provisional")) == "false provisional\n"


NOTICE_2027 = """\
[years.2027]
source = "国务院办公厅关于2027年部分节假日安排的通知（测试用，虚构）"
published = 2026-11-12
holidays = [2027-01-01, 2027-01-02, 2027-01-03, 2027-01-04]
workdays = [2027-01-09]
"""


@pytest.fixture
def calendar_env(tmp_path):
    notices = tmp_path / "notices.toml"
    notices.write_text(NOTICE_2027, encoding="utf-8")
    return wrp_env(WRP_CALENDAR_FILE=str(notices))


@pytest.mark.parametrize(
    ("args", "printed"),
    [
        pytest.param(("add", "2026-12-31", "3"), "2027-01-07", id="add-across-the-made-up-holiday"),
        pytest.param(("add", "2026-12-31", "3", "--provisional"), "2027-01-07", id="provisional-not-needed"),
        pytest.param(("is-workday", "2027-01-04"), "false", id="made-up-monday-off"),
        pytest.param(("is-workday", "2027-01-09"), "true", id="made-up-saturday-at-work"),
        pytest.param(("is-workday", "2027-01-11"), "true", id="ordinary-monday"),
    ],
)
def test_workdays_calendar_file_makes_a_new_year_exact(calendar_env, args, printed):
    assert _printed(run_wrp("workdays", *args, env=calendar_env)) == f"{printed}\n"


def test_assess_reads_the_calendar_file_too(calendar_env):
    request = example_request()
    request["as_of"] = "2026-12-10"  # 20 working days later is in January 2027
    without = _answer(run_wrp("assess", stdin=as_bytes(request)))
    with_file = _answer(run_wrp("assess", stdin=as_bytes(request), env=calendar_env))
    assert without["provisional"] is True
    assert "provisional" not in with_file
    assert without["decision_due"] == "2027-01-07"  # weekends only: 15 days in December, 01-01, 01-04 … 01-07
    assert with_file["decision_due"] == "2027-01-09"  # 01-01..01-04 off; 01-05..01-08, then Saturday 01-09 at work


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("add", "2025-13-01", "3"), id="month-13"),
        pytest.param(("add", "2025-02-30", "3"), id="impossible-day"),
        pytest.param(("add", "2025-01-01", "-1"), id="negative-count"),
        pytest.param(("add", "2025-01-01", "three"), id="count-not-a-number"),
        pytest.param(("add", "2025-01-01"), id="count-missing"),
        pytest.param(("is-workday", "25-10-11"), id="short-year"),
        pytest.param(("is-workday",), id="date-missing"),
        pytest.param(("sometimes", "2025-01-01"), id="unknown-subcommand"),
    ],
)
def test_workdays_bad_arguments_exit_2(args):
    result = run_wrp("workdays", *args)
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.strip()
