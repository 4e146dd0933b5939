"""Twenty units' HR systems press `submit` at the same instant over HTTP, against a quota of five (PostgreSQL only:
SQLite runs one writer at a time and proves nothing).

Through a live server, twenty threads released by one barrier each POST /api/v1/cases/{id}/submit: exactly five get
200, the other fifteen 422 `ineligible` with U-QUOTA failing — never a 500, never a sixth reservation. Repeated in
several rounds, each with a unit of its own.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter
from typing import Any

import pytest
from django.db import connection

from tests.cases.conftest import ready_cases
from tests.factories import make_ledger, make_open_unit, make_user
from tests.race import run_concurrently
from wrp.accounts.models import Role
from wrp.accounts.services import token_create
from wrp.appointments.models import Booking, SlotSettings
from wrp.cases.models import Case
from wrp.quotas.models import QuotaLedger

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 5
CALLERS = 20
GRANTED = 5


@pytest.fixture(autouse=True)
def _postgresql_at_a_frozen_now(frozen_clock):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    # Every submission books the same slot: room for all twenty, so only the quota decides.
    SlotSettings.objects.update_or_create(id=1, defaults={"slot_minutes": 60, "capacity": 1000})


def _http(method: str, url: str, token: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json",
    })
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw.decode(errors="replace")[:200]


def _outcome(status: int, body: Any) -> str:
    if status == 200:
        return "200"
    if status == 422 and isinstance(body, dict) and body.get("error") == "ineligible":
        failing = sorted(c["rule"] for c in body["assessment"]["checks"] if c["outcome"] == "fail")
        return f"422 ineligible:{','.join(failing)}"
    return f"{status} {body}"


def _submit_at_once(base: str, token: str, case_ids: list[str], slot: str) -> list[str]:
    def submit(case_id: str) -> str:
        return _outcome(*_http("POST", f"{base}/api/v1/cases/{case_id}/submit", token, {"slot": slot}))

    results = run_concurrently([lambda case_id=case_id: submit(case_id) for case_id in case_ids])
    # a refused connection or a timeout is a failure of the subject too
    return [f"{type(r).__name__}: {r}" if isinstance(r, BaseException) else r for r in results]


def test_twenty_simultaneous_http_submissions_against_a_quota_of_five_reserve_exactly_five(live_server):
    figures = []
    for _ in range(ROUNDS):
        handler = make_user(Role.UNIT_HANDLER)
        unit = make_open_unit(handler)
        make_ledger(unit, 2026, granted=GRANTED)
        cases = ready_cases(handler, unit, CALLERS)
        token = token_create(user=handler)
        status, slots = _http("GET", f"{live_server.url}/api/v1/slots?from=2026-11-30&to=2026-12-04", token)
        assert status == 200, slots
        slot = slots[0]["id"]

        outcomes = Counter(_submit_at_once(live_server.url, token, [case.public_id for case in cases], slot))

        assert outcomes == Counter({"200": GRANTED, "422 ineligible:U-QUOTA": CALLERS - GRANTED})
        ledger = QuotaLedger.objects.get(unit=unit, year=2026)
        assert (ledger.granted, ledger.reserved, ledger.used) == (GRANTED, GRANTED, 0)
        assert Case.objects.filter(unit=unit, state="submitted").count() == GRANTED
        assert Booking.objects.filter(case__unit=unit).count() == GRANTED
        figures.append((outcomes["200"], outcomes["422 ineligible:U-QUOTA"]))
    print(f"\n{ROUNDS} rounds × {CALLERS} HTTP submissions, quota {GRANTED}: (200, 422 U-QUOTA) = {figures}")
    assert figures == [(GRANTED, CALLERS - GRANTED)] * ROUNDS
