"""The demo's people: their one password, a plausible profile, Chinese names and valid resident ID numbers.

Pure data (no models), so tests and the demo data set share it: `from wrp.demo import resident_id`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

DEMO_PASSWORD = "Demo-2026-wrp"
# The demo staff's authenticator secrets (base32, TOTP, 6 digits, 30 s), published in README so that anyone can sign in
# to the demo: add one to an authenticator app, or print the current code with `wrp user otp-code clerk`. Demo only.
DEMO_TOTP_SECRETS = {
    "clerk": "WRPDEMOCLERKAAAAAAAAAAAAAAAAAAAA",
    "clerk2": "WRPDEMOCLERK2AAAAAAAAAAAAAAAAAAA",
    "approver": "WRPDEMOAPPROVERAAAAAAAAAAAAAAAAA",
    "admin": "WRPDEMOADMINAAAAAAAAAAAAAAAAAAAA",
}
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

PROFILE: dict[str, Any] = {
    "nationality": "CN",
    "hukou": "non_beijing",
    "dispatched": False,
    "employment_start": "2022-03-01",
    "contract_end": "2029-02-28",
    "housing": {"kind": "rented_residential", "lease_end": "2028-06-30"},
    "talent_condition": 1,
    "degree": "master",
    "work_experience_years": 5,
    "professional_title": None,
    "award": None,
    "ip": None,
    "startup": None,
    "annual_tax_paid": None,
    "recommended_and_approved": False,
    "overseas_qualification": False,
    "taxable_income_12m": 360000,
    "taxable_income_by_year": None,
    "income_paid_by_unit": True,
    "social_insurance_months_by_unit": 36,
    "social_insurance_unit_matches": True,
    "children": [],
    "accompanying_spouse": False,
}
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国"


def resident_id(serial: int) -> str:
    """A valid GB 11643 number for demo people (Chaoyang region code, born in the 1990s)."""
    born = date(1990, 1, 1) + timedelta(days=serial * 97 % 3650)
    first17 = f"110105{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]
