"""Strict reading of settings from the environment: a bad value stops start-up with a message that names it.

Modelled on healthchecks' `hc/settings.py`: every setting has one helper call, with a development default that is
safe to run locally. A value that cannot be understood is never silently replaced by the default.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from django.core.exceptions import ImproperlyConfigured

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str) -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use one of true/false, 1/0, yes/no, on/off")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ImproperlyConfigured(f"{name}={number} is out of range [{minimum}, {maximum}]")
    return number


def env_list(name: str, default: Iterable[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={value!r} has an empty item: write a comma-separated list")
    return items


def env_choice(name: str, default: str, choices: Iterable[str]) -> str:
    allowed = tuple(choices)
    value = env_str(name, default)
    if value not in allowed:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {', '.join(allowed)}")
    return value


RATE = re.compile(r"^[1-9][0-9]*/([1-9][0-9]*)?[smhd]$")


def env_rate(name: str, default: str) -> str:
    """A rate limit, hits/period: `10/m`, `20/10s`, `30/h`, `500/d` (read by wrp.core.ratelimit.parse_rate)."""
    value = env_str(name, default)
    if not RATE.match(value):
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate: write hits/period, e.g. 10/m, 20/10s, 30/h")
    return value
