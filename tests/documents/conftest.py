import pytest


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Every test stores its files in a fresh private directory of its own."""
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def applicant(django_user_model):
    return django_user_model.objects.create_user(username="applicant", role="applicant")


def files_under(directory):
    """Every file (not directory) anywhere under `directory`."""
    return sorted(path for path in directory.rglob("*") if path.is_file()) if directory.exists() else []
