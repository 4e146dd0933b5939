"""The frozen today of tests/units (associations moved out of units into employment); the personas are shared."""

from tests.units.conftest import _frozen_today, frozen_moment  # noqa: F401
