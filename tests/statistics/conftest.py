"""The statistics tests' data: the hand-built cases of tests/statistics/dataset.py, and their daily snapshot."""

from __future__ import annotations

import pytest

from tests.statistics.dataset import hand_built_cases


@pytest.fixture
def hand_built(people, today):
    return hand_built_cases(people)


@pytest.fixture
def snapshot(hand_built, today):
    from wrp.statistics.precompute import figures_precompute

    figures_precompute(today=today)
    from wrp.statistics.models import FigureSnapshot

    return FigureSnapshot.objects.get(day=today)
