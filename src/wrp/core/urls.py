"""Addresses of the pages that take no arguments, reversed once per process: every page's header and navigation
name the same dozen, and `reverse` walks the URL patterns each time (tens of microseconds a call)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def fixed_url(name: str) -> str:
    """`reverse(name)` of a pattern without arguments, remembered per script prefix and URL configuration."""
    return _reversed(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=256)
def _reversed(name: str, _prefix: str, _urlconf: object) -> str:
    return reverse(name)
