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
