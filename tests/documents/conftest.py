"""Document tests: the shared personas and `private_media` of tests/conftest.py, the latter for every test."""

import pytest


@pytest.fixture(autouse=True)
def _every_test_has_private_media(private_media):
    """Every test stores its files in a fresh private directory of its own."""
    return private_media


def files_under(directory):
    """Every file (not directory) anywhere under `directory`."""
    return sorted(path for path in directory.rglob("*") if path.is_file()) if directory.exists() else []
