"""Shared test setup: hypothesis profiles (CI: no deadline, derandomised so a run is repeatable)."""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _fresh_policy_data():
    """Each test reads the reference data anew (the platform caches it for a minute)."""
    from wrp.policy_runtime import policy_data_changed

    policy_data_changed()
    yield
    policy_data_changed()


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


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
