"""The demo's calendar: the data set is made as if over the past weeks, so that the queues show what time does to a
case — a clock near its limit (amber), one past it (red), one paused while the case is back for correction, and a case
deemed accepted because the window let its five working days pass.

The services read the date from Django's clock (`timezone.now`, and through it `timezone.localdate` and the
`auto_now` fields). `DemoClock.on(day)` makes that clock read a past day while the steps of that day run, and
`run_in_order` takes the steps of several stories in the order of their days, so that case events, notices, the audit
trail and every computed date are what they would have been had people acted on those days. The clock is patched
for the whole process while a step runs: this is for the `wrp demo` command, never for a request.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from unittest import mock

from django.contrib.auth import hashers
from django.utils import timezone

from wrp.policy_runtime import policy_calendar

# A story is a generator: it yields the day of its next step, and that step runs (on that day's clock) when the story
# is resumed; it ends after its last step.
Story = Iterator[date]

DAY_STARTS = time(9)  # the office opens; each reading of the clock moves on a millisecond from here


class DemoClock:
    def __init__(self, today: date) -> None:
        self.today = today
        self._readings = 0

    def workday(self, before: int) -> date:
        """The `before`-th working day before today (holidays and adjusted working days as the calendar has them)."""
        return policy_calendar().deadline(self.today, -before).date

    @contextmanager
    def on(self, day: date) -> Iterator[None]:
        """Django's clock reads `day` while the block runs: 09:00 in the platform's time zone, a millisecond later at
        each reading (never back, across days and stories), so events keep the order they were made in. Today and
        later: the real clock."""
        if day >= self.today:
            yield
            return
        opening = datetime.combine(day, DAY_STARTS, tzinfo=timezone.get_current_timezone())

        def now() -> datetime:
            self._readings += 1
            return (opening + timedelta(milliseconds=self._readings)).astimezone(UTC)

        with mock.patch.object(timezone, "now", now):
            yield


def run_in_order(clock: DemoClock, stories: list[Story]) -> None:
    """Run the stories step by step in the order of their days, each step on its day's clock; on one day, the stories
    in the order given. A story's days never go back."""
    queue: list[tuple[date, int]] = []
    for index, story in enumerate(stories):
        day = next(story, None)
        if day is not None:
            heapq.heappush(queue, (day, index))
    while queue:
        day, index = heapq.heappop(queue)
        with clock.on(day):
            following = next(stories[index], None)
        if following is not None:
            if following < day:
                raise ValueError(f"a demo story went back from {day} to {following}")
            heapq.heappush(queue, (following, index))


@contextmanager
def one_hash_per_password() -> Iterator[None]:
    """Every demo account has the one published password: hash it once (argon2 is slow on purpose) and give every
    account that hash, instead of spending most of the demo's time on eighty hashes of the same word."""
    real: Callable[..., str] = hashers.make_password
    hashed: dict[str, str] = {}

    def make_password(password: str | None, *args: Any, **kwargs: Any) -> str:
        if password is None or args or kwargs:
            return real(password, *args, **kwargs)
        if password not in hashed:
            hashed[password] = real(password)
        return hashed[password]

    with mock.patch("django.contrib.auth.base_user.make_password", make_password):  # what set_password calls
        yield
