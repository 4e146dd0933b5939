"""Document tests: the shared personas and `private_media` of tests/conftest.py, the latter for every test."""

import pytest

from tests.s3server import s3_endpoint, s3_settings  # noqa: F401 (fixtures: the local S3 endpoint, a fresh bucket)


@pytest.fixture(autouse=True)
def _every_test_has_private_media(private_media):
    """Every test stores its files in a fresh private directory of its own."""
    return private_media


def files_under(directory):
    """Every file (not directory) anywhere under `directory`."""
    return sorted(path for path in directory.rglob("*") if path.is_file()) if directory.exists() else []


@pytest.fixture(scope="session")
def signing_ca(tmp_path_factory):
    """A throwaway demo CA and the signer it certified (wrp.documents.signing.SignerFiles), made once a session."""
    from wrp.documents.signing import ensure_demo_signer

    return ensure_demo_signer(tmp_path_factory.mktemp("signing"))


@pytest.fixture(autouse=True)
def signer(signing_ca):
    """Every test signs issued documents with the session's throwaway CA: the signing settings point at it (imported
    into tests/conftest.py, so it holds project-wide)."""
    from django.test import override_settings

    with override_settings(SIGNING_KEY_FILE=signing_ca.key, SIGNING_CERT_FILE=signing_ca.cert,
                           SIGNING_CA_FILE=signing_ca.ca, SIGNING_KEY_PASSPHRASE=""):
        yield signing_ca
