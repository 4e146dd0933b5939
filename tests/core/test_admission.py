"""wrp.core.admission: at most N requests of a worker process run the platform's code at once; waits give their slot
back; the body is read before a slot is taken."""

from __future__ import annotations

import io
import threading

import pytest

from wrp.core.admission import Admission, waiting

TIMEOUT = 10  # seconds a step may take before the test fails (it never waits this long when the code is right)


def _environ(body: bytes = b"", length: str | None = None) -> dict[str, object]:
    environ: dict[str, object] = {"REQUEST_METHOD": "POST" if body else "GET", "wsgi.input": io.BytesIO(body)}
    if body or length:
        environ["CONTENT_LENGTH"] = length if length is not None else str(len(body))
    return environ


def _call(app: Admission, environ: dict[str, object], answers: list[bytes]) -> threading.Thread:
    thread = threading.Thread(target=lambda: answers.extend(app(environ, lambda status, headers: None)))
    thread.start()
    return thread


def test_no_more_requests_run_at_once_than_there_are_slots():
    inside, most, lock = [0], [0], threading.Lock()
    entered, go = threading.Semaphore(0), threading.Event()

    def platform(environ, start_response):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        entered.release()
        assert go.wait(TIMEOUT)
        with lock:
            inside[0] -= 1
        return [b"ok"]

    app = Admission(platform, 2, body_limit=1024)
    answers: list[bytes] = []
    threads = [_call(app, _environ(), answers) for _ in range(4)]
    assert entered.acquire(timeout=TIMEOUT)
    assert entered.acquire(timeout=TIMEOUT)
    assert not app.slots.acquire(blocking=False)  # both slots taken: the other two requests wait for one
    assert inside[0] == 2
    go.set()
    for thread in threads:
        thread.join(TIMEOUT)
    assert answers == [b"ok"] * 4
    assert most[0] == 2
    assert app.slots.acquire(blocking=False)  # every slot given back
    assert app.slots.acquire(blocking=False)


def test_a_request_that_waits_lets_another_run_meanwhile():
    """One slot: the first request waits (`waiting()`) for the second, which could not run if the first kept it."""
    second_ran = threading.Event()

    def platform(environ, start_response):
        if environ["PATH_INFO"] == "/first":
            with waiting():
                assert second_ran.wait(TIMEOUT)
            return [b"first"]
        second_ran.set()
        return [b"second"]

    app = Admission(platform, 1, body_limit=1024)
    answers: list[bytes] = []
    first = _call(app, {**_environ(), "PATH_INFO": "/first"}, answers)
    second = _call(app, {**_environ(), "PATH_INFO": "/second"}, answers)
    first.join(TIMEOUT)
    second.join(TIMEOUT)
    assert sorted(answers) == [b"first", b"second"]
    assert app.slots.acquire(blocking=False)


def test_an_exception_gives_the_slot_back():
    def platform(environ, start_response):
        raise RuntimeError("boom")

    app = Admission(platform, 1, body_limit=1024)
    with pytest.raises(RuntimeError):
        app(_environ(), lambda status, headers: None)
    assert app.slots.acquire(blocking=False)


def test_waiting_outside_admission_does_nothing():
    with waiting():
        pass


class _SlowSender(io.BytesIO):
    """A request body that records whether a slot was free each time it was read."""

    def __init__(self, body: bytes, app: Admission) -> None:
        super().__init__(body)
        self.app, self.reads_with_slot_taken = app, 0

    def read(self, size: int | None = -1) -> bytes:
        if self.app.slots.acquire(blocking=False):
            self.app.slots.release()
        else:
            self.reads_with_slot_taken += 1
        return super().read(size)


def test_the_body_is_read_before_a_slot_is_taken():
    body = b"x" * 200_000

    def platform(environ, start_response):
        return [environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))]

    app = Admission(platform, 1, body_limit=1_000_000)
    sender = _SlowSender(body, app)
    environ = {**_environ(), "CONTENT_LENGTH": str(len(body)), "wsgi.input": sender}
    assert b"".join(app(environ, lambda status, headers: None)) == body
    assert sender.reads_with_slot_taken == 0


@pytest.mark.parametrize("length", ["2000", "", "not a number"])
def test_a_body_over_the_limit_or_without_a_length_is_left_as_it_arrived(length):
    """Over the limit, RequestSizeMiddleware refuses it unread; chunked (no length), it reads it capped."""
    seen = []

    def platform(environ, start_response):
        seen.append(environ["wsgi.input"])
        return [b""]

    app = Admission(platform, 1, body_limit=1000)
    stream = io.BytesIO(b"y" * 2000)
    app({"CONTENT_LENGTH": length, "wsgi.input": stream}, lambda status, headers: None)
    assert seen == [stream]
    assert stream.tell() == 0


def test_waits_inside_a_wait_give_back_nothing_more():
    """`waiting()` nests (the sign-in's provider calls wait inside a wait): the slot is given back once, taken once."""
    def platform(environ, start_response):
        with waiting(), waiting():
            assert app.slots.acquire(blocking=False)  # the one slot is free while the request waits
            app.slots.release()
        assert not app.slots.acquire(blocking=False)  # and the request holds it again after
        return [b"ok"]

    app = Admission(platform, 1, body_limit=1024)
    assert app(_environ(), lambda status, headers: None) == [b"ok"]
    assert app.slots.acquire(blocking=False)
