"""The daily sweep tidies upload checks: one whose task never ran is refused after an hour (its bytes deleted, the
uploader no longer waits), and finished checks go after 30 days."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.documents import pdfs
from wrp.documents.models import UploadCheck, UploadCheckState
from wrp.documents.uploads import quarantine_store, upload_checks_tidy

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarantined(people, private_media, frozen_clock):
    return quarantine_store(data=pdfs.plain_pdf(), original_name="a.pdf", uploaded_by=people.handler,
                            purpose="case_material", reference="1/labour_contract")


def test_a_check_never_run_is_refused_after_an_hour_and_its_bytes_deleted(quarantined, frozen_clock, private_media):
    path = private_media / quarantined.quarantine_name
    frozen_clock.shift(timedelta(minutes=59))
    assert upload_checks_tidy() == 0
    frozen_clock.shift(timedelta(minutes=2))
    assert upload_checks_tidy() == 1
    quarantined.refresh_from_db()
    assert (quarantined.state, quarantined.refusal_code, quarantined.quarantine_name) == (
        UploadCheckState.REFUSED, "check_failed", "")
    assert not path.exists()


def test_finished_checks_are_deleted_after_thirty_days(quarantined, frozen_clock):
    frozen_clock.shift(timedelta(hours=2))
    upload_checks_tidy()  # refused now
    frozen_clock.shift(timedelta(days=29))
    assert upload_checks_tidy() == 0
    frozen_clock.shift(timedelta(days=2))
    assert upload_checks_tidy() == 1
    assert not UploadCheck.objects.exists()
    assert upload_checks_tidy() == 0
