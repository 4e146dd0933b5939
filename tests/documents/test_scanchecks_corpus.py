"""The scan pre-checks over the generated corpus (tests/documents/scan_corpus.py): per check, the true positives are
caught, the former false positives pass, the good pages pass. Every sample runs in-process on `scan_report` (quick);
one of each check also runs through `inspect_and_sanitise`, in the sandboxed worker, as uploads do."""

from __future__ import annotations

import pytest

from tests.documents.scan_corpus import CORPUS, FORMER_FALSE_POSITIVE, TRUE_POSITIVE
from wrp.documents.pdfcheck import inspect_and_sanitise
from wrp.documents.scanchecks import Thresholds, scan_report


@pytest.mark.parametrize("sample", CORPUS, ids=[f"{s.check}:{s.kind}:{s.name}" for s in CORPUS])
def test_the_corpus_table(sample):
    report = scan_report(sample.make(), Thresholds(**sample.thresholds))
    assert (report.warnings, report.greyscale_pages) == (sample.expected(), sample.grey)
    assert report.failures == [] or sample.check == "not_checked"


def test_the_corpus_has_true_positives_and_former_false_positives_for_each_check():
    for check in ("blank_page", "rotated", "low_resolution"):
        kinds = {s.kind for s in CORPUS if s.check == check}
        assert {TRUE_POSITIVE, FORMER_FALSE_POSITIVE} <= kinds, check
    assert any(s.check == "not_checked" and s.kind == TRUE_POSITIVE for s in CORPUS)


WORKER_SAMPLES = [
    s for s in CORPUS
    if s.name in {
        "faint pencil, 32 levels off the paper", "scan upside down (Chinese, justified)",
        "sideways scan turned upright by /Rotate 270", "12-megapixel photo stored at 72 dpi",
        "72-dpi scan of 10-pt text",
    }
]


@pytest.mark.parametrize("sample", WORKER_SAMPLES, ids=[s.name for s in WORKER_SAMPLES])
def test_the_worker_answers_as_the_table_says(sample):
    checked = inspect_and_sanitise(sample.make())
    assert (checked.warnings, checked.greyscale_pages) == (sample.expected(), sample.grey)


def test_pages_past_the_rendering_limit_reach_the_upload_as_not_checked(settings):
    settings.SCAN_MAX_RENDERED_PAGES = 1
    sample = next(s for s in CORPUS if s.name == "pages past the rendering limit")
    assert inspect_and_sanitise(sample.make()).warnings == [{"code": "not_checked", "pages": [2, 3]}]
