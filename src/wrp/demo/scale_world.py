"""The people, units and permits of the scale data set (`wrp.demo.scale`), planned in memory and written in bulk.

Applicants have valid resident ID numbers of other provinces' regions (the demo's own people are Chaoyang-born, so the
two never meet), stored as the accounts service stores them: encrypted, keyed-hashed and masked with
`wrp.accounts.crypto` and `wrp.policy.identifiers`; every account has the demo's one password, hashed once. A unit has
one handler; an applicant one association per unit they worked for; a holder exactly one permit.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db.models import Model

from wrp.accounts import crypto
from wrp.accounts.models import ApplicantProfile, Role, User
from wrp.demo.bulk import Dumped, insert, reserve_ids
from wrp.demo.people import DEMO_PASSWORD, GIVEN, ID_WEIGHTS, PROFILE, SURNAMES
from wrp.demo.steps import credit_code
from wrp.permits.models import Permit, PermitEvent, PermitStatus
from wrp.permits.services import NUMBER_ALPHABET, NUMBER_LENGTH, NUMBER_PREFIX
from wrp.policy.identifiers import mask_resident_id
from wrp.units.models import AccountStatus, Association, AssociationState, Unit, UnitHandler
from wrp.units.services import ASSOCIATION_CODE_ALPHABET, ASSOCIATION_CODE_LENGTH

SHANGHAI = ZoneInfo("Asia/Shanghai")
REGIONS = ("130102", "370102", "410105", "420106", "510104", "320106", "440106", "610113", "230103", "350102")
BORN_FROM, BORN_DAYS = date(1965, 1, 1), 12_000  # births spread over about 33 years
TRADES = ("科技", "信息", "医疗", "生物", "金融", "文化传媒", "智能制造", "新能源", "数据", "咨询", "教育", "物流")
PLACES = ("望京", "酒仙桥", "国贸", "三里屯", "亚运村", "东坝", "常营", "双井", "劲松", "来广营", "大屯", "朝外")


def moment(day: date, minutes: float) -> datetime:
    """`minutes` after 09:00 on `day` in Beijing, as the database keeps it (UTC)."""
    return (datetime.combine(day, time(9), tzinfo=SHANGHAI) + timedelta(minutes=minutes)).astimezone(UTC)


def local_day(at: datetime) -> date:
    return at.astimezone(SHANGHAI).date()


def defaults(model: type[Model]) -> dict[str, Any]:
    """Every column of the model with its default value (by attname)."""
    return {f.attname: f.get_default() for f in model._meta.concrete_fields}


def columns(model: type[Model], *, with_id: bool = True) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if with_id or f.attname != "id"]


@dataclass
class Table:
    """Rows of one model waiting to be written: dicts by attname, written in the model's column order."""

    model: type[Model]
    with_id: bool = True
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, **values: Any) -> dict[str, Any]:
        row = {**self.base, **values}
        self.rows.append(row)
        return row

    def __post_init__(self) -> None:
        self.base = defaults(self.model)
        if not self.with_id:
            self.base.pop("id", None)

    def write(self) -> int:
        names = columns(self.model, with_id=self.with_id)
        return insert(self.model, names, (tuple(row[name] for name in names) for row in self.rows))


@dataclass
class UnitPlan:
    id: int
    handler_id: int
    opened_on: date  # its account open in Chaoyang from this day
    credit_code: str


@dataclass
class World:
    """What is planned so far, and the id blocks it draws from."""

    rng: random.Random
    today: date
    serial: int  # the last scale person's serial before this run
    unit_serial: int
    users: Table = field(default_factory=lambda: Table(User))
    profiles: Table = field(default_factory=lambda: Table(ApplicantProfile, with_id=False))
    units: Table = field(default_factory=lambda: Table(Unit))
    handlers: Table = field(default_factory=lambda: Table(UnitHandler, with_id=False))
    associations: Table = field(default_factory=lambda: Table(Association, with_id=False))
    permits: Table = field(default_factory=lambda: Table(Permit))
    permit_events: Table = field(default_factory=lambda: Table(PermitEvent, with_id=False))
    user_ids: list[int] = field(default_factory=list)
    unit_ids: list[int] = field(default_factory=list)
    permit_ids: list[int] = field(default_factory=list)
    numbers: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)
    password: str = ""
    facts: dict[str, Dumped] = field(default_factory=dict)  # profiles' facts, serialised once

    def reserve(self, *, users: int, units: int, permits: int) -> None:
        self.user_ids = reserve_ids(User, users)[::-1]
        self.unit_ids = reserve_ids(Unit, units)[::-1]
        self.permit_ids = reserve_ids(Permit, permits)[::-1]
        self.numbers = set(Permit.objects.values_list("number", flat=True))
        self.codes = set(Unit.objects.values_list("association_code", flat=True))
        self.password = make_password(DEMO_PASSWORD)  # argon2 is slow on purpose: once for everyone

    # --- people --------------------------------------------------------------------------------------------------

    def person(self, role: str, joined: datetime, *, prefix: str) -> int:
        self.serial += 1
        serial = self.serial
        values: dict[str, Any] = {
            "id": self.user_ids.pop(), "username": f"{prefix}{serial:07d}", "role": role, "password": self.password,
            "date_joined": joined, "is_active": True,
            "real_name": SURNAMES[serial % len(SURNAMES)] + GIVEN[serial * 7 % len(GIVEN)]
                         + ("" if serial % 3 else GIVEN[serial * 13 % len(GIVEN)]),
        }
        if role == Role.APPLICANT:
            number = resident_number(serial)
            values.update(
                id_number_encrypted=crypto.encrypt(number, purpose=crypto.ID_NUMBER),
                id_number_hash=crypto.keyed_hash(number, purpose=crypto.ID_NUMBER),
                id_number_masked=mask_resident_id(number),
            )
        return int(self.users.add(**values)["id"])

    def applicant(self, joined: datetime, *, profile: bool = True, **facts: Any) -> int:
        user_id = self.person(Role.APPLICANT, joined, prefix="sa")
        if profile:
            key = repr(sorted(facts.items()))
            if key not in self.facts:
                self.facts[key] = Dumped.of({**PROFILE, **facts})
            self.profiles.add(user_id=user_id, facts=self.facts[key], updated_at=joined)
        return user_id

    def associate(self, applicant_id: int, unit_id: int, at: datetime, *, left_on: date | None = None) -> None:
        """An association accepted at `at`; released 20 days after `left_on` when given."""
        values: dict[str, Any] = {"unit_id": unit_id, "applicant_id": applicant_id, "requested_at": at,
                                  "decided_at": at + timedelta(hours=3), "state": AssociationState.ACTIVE}
        if left_on is not None:
            values.update(state=AssociationState.RELEASED, left_on=left_on,
                          released_at=moment(left_on + timedelta(days=20), 60))
        self.associations.add(**values)

    # --- units ---------------------------------------------------------------------------------------------------

    def unit(self, opened_on: date, *, transferred: bool, account_open: bool) -> UnitPlan:
        self.unit_serial += 1
        serial = self.unit_serial
        joined = moment(opened_on - timedelta(days=3), 30)
        handler_id = self.person(Role.UNIT_HANDLER, joined, prefix="sh")
        code = credit_code(serial)
        name = f"北京{PLACES[serial % len(PLACES)]}{TRADES[serial * 5 % len(TRADES)]}{serial}有限公司"
        unit_id = self.unit_ids.pop()
        self.units.add(
            id=unit_id, credit_code=code, name=name, kind="enterprise", legal_person=True,
            registered_district="haidian" if transferred else "chaoyang", tax_district="chaoyang",
            tax_paid_since=date(2018, 4, 1), registered_capital=10_000_000,
            annual_tax={str(self.today.year - n): "450000" for n in (1, 2, 3)}, qualifications=[],
            account_status=AccountStatus.OPEN if account_open else AccountStatus.NONE,
            account_district="chaoyang" if account_open else "", association_code=self._association_code(),
            created_at=joined, updated_at=joined,
        )
        self.handlers.add(unit_id=unit_id, user_id=handler_id, added_at=joined)
        return UnitPlan(unit_id, handler_id, opened_on, code)

    def _association_code(self) -> str:
        while True:
            code = "".join(self.rng.choices(ASSOCIATION_CODE_ALPHABET, k=ASSOCIATION_CODE_LENGTH))
            if code not in self.codes:
                self.codes.add(code)
                return code

    # --- permits -------------------------------------------------------------------------------------------------

    def permit(self, *, holder_id: int, unit_id: int, issued_on: date, valid_until: date, actor_id: int) -> dict[str, Any]:
        """A permit issued on `issued_on`, valid; its status is settled by `permit_settle`."""
        row = self.permits.add(
            id=self.permit_ids.pop(), number=self._permit_number(), verify_token=secrets.token_urlsafe(16),
            holder_id=holder_id, unit_id=unit_id, status=PermitStatus.VALID, issued_on=issued_on,
            valid_until=valid_until,
        )
        self.permit_event(row, issued_on, "issued", "", PermitStatus.VALID, actor_id)
        return row

    def permit_event(self, permit: dict[str, Any], on: date, action: str, before: str, after: str,
                     actor_id: int | None, note: str = "") -> None:
        self.permit_events.add(permit_id=permit["id"], at=moment(on, 120), action=action, from_status=before,
                               to_status=after, actor_id=actor_id, note=note)

    def permit_settle(self, permit: dict[str, Any], *, suspended_on: date | None = None) -> None:
        """Suspended since `suspended_on`, or expired when valid_until passed (the nightly sweep ran today)."""
        if suspended_on is not None:
            permit.update(status=PermitStatus.SUSPENDED, suspended_on=suspended_on)
            self.permit_event(permit, suspended_on, "suspended", PermitStatus.VALID, PermitStatus.SUSPENDED, None)
        if permit["valid_until"] < self.today:
            before = permit["status"]
            permit["status"] = PermitStatus.EXPIRED
            self.permit_event(permit, permit["valid_until"] + timedelta(days=1), "expired", before,
                              PermitStatus.EXPIRED, None, note=f"valid_until {permit['valid_until'].isoformat()}")

    def _permit_number(self) -> str:
        while True:
            number = NUMBER_PREFIX + "".join(self.rng.choices(NUMBER_ALPHABET, k=NUMBER_LENGTH))
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    def write(self) -> dict[str, int]:
        """Write every table, parents first; how many rows each."""
        order = ("users", "profiles", "units", "handlers", "associations", "permits", "permit_events")
        return {name: getattr(self, name).write() for name in order}


def resident_number(serial: int) -> str:
    """A valid GB 11643 number, one per serial (up to 12 million), outside the demo's Chaoyang-born people."""
    region = REGIONS[serial % len(REGIONS)]
    born = BORN_FROM + timedelta(days=serial // len(REGIONS) // 1000 % BORN_DAYS)
    first17 = f"{region}{born:%Y%m%d}{serial // len(REGIONS) % 1000:03d}"
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]
