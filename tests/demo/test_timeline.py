"""The demo's calendar (`wrp.demo.timeline`): a past day's steps read that day from Django's clock, in the order the
stories' days give, and the real clock is back afterwards; the one demo password is hashed once."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.hashers import check_password
from django.utils import timezone

from tests.clock import TODAY
from wrp.demo.timeline import DemoClock, one_hash_per_password, run_in_order
from wrp.policy_runtime import policy_calendar

pytestmark = pytest.mark.django_db


def test_a_past_days_steps_read_that_day_and_the_real_clock_comes_back(today):
    demo_clock = DemoClock(today)
    day = demo_clock.workday(10)
    with demo_clock.on(day):
        first, second = timezone.now(), timezone.now()
        assert timezone.localdate() == day
    assert first < second  # each reading moves on: events keep their order
    assert timezone.localdate() == today


def test_today_runs_on_the_real_clock(today):
    with DemoClock(today).on(today):
        assert timezone.localdate() == today
        assert timezone.localtime().hour == 10  # the frozen moment, not the demo's 09:00


def test_working_days_before_today_skip_weekends_and_holidays():
    demo_clock = DemoClock(TODAY)  # Thursday 2026-11-26
    assert demo_clock.workday(1) == date(2026, 11, 25)
    assert demo_clock.workday(4) == date(2026, 11, 20)  # back over the weekend of 21–22 November
    earlier = demo_clock.workday(40)  # back over National Day (1–7 October) and its adjusted working days
    assert policy_calendar().workdays_between(earlier, TODAY) == 40
    assert policy_calendar().is_workday(earlier)


def test_stories_run_in_the_order_of_their_days(today):
    demo_clock = DemoClock(today)
    seen: list[tuple[str, date]] = []

    def story(name: str, *befores: int):
        for before in befores:
            yield demo_clock.workday(before)
            seen.append((name, timezone.localdate()))

    run_in_order(demo_clock, [story("a", 9, 3), story("b", 7, 5, 5)])
    assert [name for name, _day in seen] == ["a", "b", "b", "b", "a"]
    assert [day for _name, day in seen] == sorted(day for _name, day in seen)
    assert seen[0][1] == demo_clock.workday(9)


def test_a_story_that_goes_back_is_refused(today):
    demo_clock = DemoClock(today)

    def backwards():
        yield demo_clock.workday(2)
        yield demo_clock.workday(5)

    with pytest.raises(ValueError, match="went back"):
        run_in_order(demo_clock, [backwards()])


def test_the_one_password_is_hashed_once_and_still_checks():
    with one_hash_per_password():
        from django.contrib.auth.base_user import make_password

        first, second = make_password("Demo-2026-wrp"), make_password("Demo-2026-wrp")
        other = make_password("something else 1")
    assert first == second
    assert other != first
    assert check_password("Demo-2026-wrp", first)
