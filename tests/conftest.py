"""Shared test setup: hypothesis profiles (CI: no deadline, derandomised so a run is repeatable), and the fixtures every
directory uses, defined here once (STYLE.md §Tests):

- the frozen day: `frozen_moment` (Thursday 2026-11-26, 10:00 in Beijing; override it for another day),
  `frozen_clock` (the time-machine traveller, to move within a test) and `today` (the date, time frozen);
- the personas of tests/factories.py: `people` (all of them) and one fixture each — `applicant`, `other_applicant`,
  `handler` (of `unit`), `other_handler` (of `other_unit`), `clerk`, `second_clerk`, `approver`, `admin`, `unit`,
  `other_unit` — made at the frozen moment; a directory adds what it needs by overriding `people(people)`;
- `private_media`: a fresh private directory for the stored files of one test.
"""

import itertools
import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from hypothesis import HealthCheck, settings

from tests.clock import NOW, SHANGHAI
from tests.documents.conftest import signer, signing_ca  # noqa: F401 — every test signs with a throwaway CA

settings.register_profile("ci", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the platform's default language (Chinese): a test or a request that switched the thread's
    language must not decide the language of the next test on the same worker."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_policy_data():
    """Each test reads the reference data anew (the platform caches it for a minute)."""
    from wrp.policy_runtime import policy_data_changed

    policy_data_changed()
    yield
    policy_data_changed()


@pytest.fixture(autouse=True)
def _staff_second_factor_off(settings):
    """Staff sign in with the password alone in the general suite; the second factor's own tests
    (tests/accounts/test_second_factor*.py) and the browser journeys switch STAFF_OTP_REQUIRED back on."""
    settings.STAFF_OTP_REQUIRED = False


@pytest.fixture(autouse=True)
def _sign_in_limits_wide_for_browsers(request):
    """Browser tests (marker `browser`) sign in through /login/ and post the self-check's live updates many times from
    one address, and the live server's cache table outlives each test: the limits (tests/accounts/
    test_signin_limits.py, tests/public/test_public_limits.py) must not refuse them."""
    if request.node.get_closest_marker("browser"):
        settings = request.getfixturevalue("settings")
        settings.RATE_LIMIT_LOGIN_ADDRESS = "1000/m"
        settings.RATE_LIMIT_LOGIN_GLOBAL = "1000/10s"
        settings.RATE_LIMIT_PUBLIC = "10000/m"


@pytest.fixture(autouse=True)
def _audit_chained_at_each_commit(settings):
    """An event is chained as soon as its transaction commits (AUDIT_CHAIN_INTERVAL_MS = 0, what WRP_ENV=test gives
    make test), also when pytest is run without it; the throttle's own tests set the interval themselves."""
    settings.AUDIT_CHAIN_INTERVAL_MS = 0


@pytest.fixture(autouse=True)
def _upload_check_inline(settings):
    """Uploads are checked in the request itself in the general suite (still in the sandboxed process), so a page or
    an endpoint answers with the verdict; the upload check's own tests (tests/documents/test_upload_checks*.py,
    tests/cases/test_material_checks.py) switch UPLOAD_CHECK_INLINE off and run the worker's task themselves."""
    settings.UPLOAD_CHECK_INLINE = True


@pytest.fixture(scope="session")
def _audit_anchor_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("audit")


@pytest.fixture(autouse=True)
def _audit_anchor_file(_audit_anchor_dir):
    """Each test's audit anchors go to a file of its own, never var/'s: `audit_verify` holds the trail against them,
    and anchors a test wrote (the scheduler's hourly job in the simulations) name events its rolled-back database no
    longer has — another test reading them would see a truncated trail."""
    from django.conf import settings

    previous = getattr(settings, "AUDIT_ANCHOR_FILE", None)
    settings.AUDIT_ANCHOR_FILE = _audit_anchor_dir / f"anchors-{next(_ANCHOR_FILES)}.jsonl"
    yield
    settings.AUDIT_ANCHOR_FILE = previous


_ANCHOR_FILES = itertools.count()


# --- the frozen day ---------------------------------------------------------------------------------------------------


@pytest.fixture
def frozen_moment() -> datetime:
    """The moment time stands still at; a conftest or module overrides this fixture for another day."""
    return NOW


@pytest.fixture
def frozen_clock(frozen_moment: datetime) -> Iterator[time_machine.Traveller]:
    """Time frozen at `frozen_moment` (no ticking); the traveller can `move_to` or `shift` it within the test."""
    with time_machine.travel(frozen_moment, tick=False) as traveller:
        yield traveller


@pytest.fixture
def today(frozen_clock: time_machine.Traveller, frozen_moment: datetime) -> date:
    """The frozen day's date in Beijing."""
    return frozen_moment.astimezone(SHANGHAI).date()


# --- personas ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def people(db, today):
    """The personas of tests/factories.py (`make_personas`), made on the frozen day."""
    from tests.factories import make_personas

    return make_personas()


@pytest.fixture
def applicant(people):
    return people.applicant


@pytest.fixture
def other_applicant(people):
    return people.other_applicant


@pytest.fixture
def handler(people):
    """The handler of `unit`."""
    return people.handler


@pytest.fixture
def other_handler(people):
    """The handler of `other_unit`: another unit's handler, who must be refused the first unit's things."""
    return people.other_handler


@pytest.fixture
def clerk(people):
    return people.clerk


@pytest.fixture
def second_clerk(people):
    """Another window clerk, for separation of duties (not part of `people`: most tests need one clerk only)."""
    from tests.factories import make_user
    from wrp.accounts.models import Role

    return make_user(Role.WINDOW_CLERK, "second_clerk")


@pytest.fixture
def approver(people):
    return people.approver


@pytest.fixture
def admin(people):
    return people.admin


@pytest.fixture
def unit(people):
    """The unit `handler` handles, its account open in Chaoyang."""
    return people.unit


@pytest.fixture
def other_unit(people):
    return people.other_unit


# --- stored files -----------------------------------------------------------------------------------------------------


@pytest.fixture
def private_media(settings, tmp_path: Path) -> Path:
    """The stored files of this test go to a fresh private directory of its own."""
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


# --- the database -----------------------------------------------------------------------------------------------------

DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request, tmp_path_factory) -> None:
    """A browser session on SQLite tests against a database file, not the shared in-memory database: the live
    server's threads and the test then each hold their own connection and wait for one another (busy_timeout), as
    they do in production, instead of failing at once with "database table is locked" when two requests overlap."""
    from django.conf import settings as django_settings

    database = django_settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and (request.config.option.markexpr or "").strip() == "browser":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("browser-db") / "test.sqlite3")


@pytest.fixture(autouse=True)
def _audit_triggers(request):
    """On SQLite, the test database is emptied with DELETE after tests that commit (live servers, transaction=True),
    which the audit trail's append-only triggers refuse: lift them for the emptying, and make sure every test that
    uses the database starts with them in place. (PostgreSQL empties with TRUNCATE, which fires no row trigger.)"""
    marker = request.node.get_closest_marker("django_db")
    used = DB_FIXTURES & set(request.fixturenames)
    if marker is None and not used:
        yield
        return
    transactional = bool({"transactional_db", "live_server"} & used) or bool(
        marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    request.getfixturevalue("transactional_db" if transactional and used else ("db" if used else "_django_db_helper"))
    from django.db import connection

    from wrp.audit import triggers

    if connection.vendor != "sqlite":
        yield
        return
    triggers.install(connection)
    yield
    if transactional:
        triggers.remove(connection)  # the database fixture empties the tables right after this


def pytest_sessionfinish(session, exitstatus):
    from tests import browsers

    browsers.close()


# The fixtures through which a test reaches the database (pytest-django's, and what requests them).
DATABASE_FIXTURE = "_django_db_helper"


def pytest_collection_modifyitems(config, items):
    """`WRP_TESTS_DATABASE_ONLY=1` (scripts/test.sh, for its second run on PostgreSQL): only the tests that reach the
    database, or are marked for one engine (postgres_only, a skipif). The others — the policy engine, pure helpers, the
    scripts that start their own SQLite platform, and the browser tests of the pages' look (marker front_end:
    screenshots, the content security policy, the self-check's live updates) — ran on the first run and do the same
    whatever the DATABASE_URL, so running them again tests nothing more."""
    if os.environ.get("WRP_TESTS_DATABASE_ONLY") != "1":
        return
    kept, left = [], []
    for item in items:
        reaches = DATABASE_FIXTURE in getattr(item, "fixturenames", ()) or item.get_closest_marker("django_db")
        neutral = item.get_closest_marker("front_end")
        (kept if (reaches or _engine_bound(item)) and not neutral else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def _engine_bound(item) -> bool:
    """Marked for one database engine: postgres_only, or a skipif that names the database or its engine."""
    if item.get_closest_marker("postgres_only"):
        return True
    for mark in item.iter_markers("skipif"):
        text = " ".join(map(str, (*mark.args, mark.kwargs.get("reason", "")))).lower()
        if any(word in text for word in ("postgres", "sqlite", "database", "vendor")):
            return True
    return False
