"""Addresses of the platform's pages, reversed once per process: every page's header and navigation name the same
dozen (`fixed_url`), a case page a dozen of its case (`url_with`: its actions, its materials), and `reverse` walks
the URL patterns each time (40–60 µs a call, half a millisecond of the clerk's case page).

`url_with(name, *args)` reverses the pattern once with stand-in arguments and keeps the address around them; each
call puts its arguments in their places. It answers what `reverse` would for the arguments `reverse` leaves as they
are — ASCII letters, digits, `-` and `_` (case numbers, material codes, ids), digits only where the pattern takes
`<int:…>` — and asks `reverse` itself for any other (and for a pattern whose parameters take neither kind, as
`<uuid:…>`), so it is never wrong, only sometimes not faster. `wrp.core.templates` makes `{% url %}` use it;
`url_for_each` is its form for a list's rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse


def fixed_url(name: str) -> str:
    """`reverse(name)` of a pattern without arguments, remembered per script prefix and URL configuration."""
    return _reversed(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=256)
def _reversed(name: str, _prefix: str, _urlconf: object) -> str:
    return reverse(name)


def url_with(name: str, *args: Any, current_app: str | None = None) -> str:
    """`reverse(name, args=args, current_app=current_app)`, from the pattern's address kept per process."""
    shape = _shape(name, len(args), current_app, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return _put(shape, args) or reverse(name, args=args, current_app=current_app)


def url_for_each(name: str, *args: Any) -> Callable[[Any], str]:
    """`url_with(name, *args, x)` for the many `x` of a list's rows (the path parameter last), the pattern's shape
    looked up once a list rather than once a row."""
    shape = _shape(name, len(args) + 1, None, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return lambda value: _put(shape, (*args, value)) or reverse(name, args=[*args, value])


def _put(shape: _Shape | None, args: Sequence[Any]) -> str | None:
    """The address of `shape` with these arguments in their places; None when one is not of a kind it keeps."""
    if shape is None:
        return None
    texts = [str(arg) for arg in args]
    if all(_PLAIN.fullmatch(text) and (kind is _WORD or text.isdigit())
           for text, kind in zip(texts, shape.kinds, strict=True)):
        return shape.put(texts)
    return None


_PLAIN = re.compile(r"[A-Za-z0-9_-]+")  # what `reverse` quotes as it is and every str, slug or path parameter takes
_WORD, _NUMBER = "word", "number"  # what a parameter takes: words (and numbers), or numbers only
_STAND_INS = {_WORD: "wrpslot{}x", _NUMBER: "9182736{}45"}  # {} the argument's place: a letter, a digit


@dataclass(frozen=True)
class _Shape:
    parts: tuple[str, ...]  # the address around the arguments: one more than there are arguments
    kinds: tuple[str, ...]  # what each argument may be to be put in its place

    def put(self, texts: Sequence[str]) -> str:
        pieces = [self.parts[0]]
        for text, part in zip(texts, self.parts[1:], strict=True):
            pieces += (text, part)
        return "".join(pieces)


def _stand_in(kind: str, index: int) -> str:
    return _STAND_INS[kind].format("abcdefghij"[index] if kind is _WORD else index)


def _around(name: str, texts: list[str], current_app: str | None) -> tuple[str, ...] | None:
    """The address `reverse` gives for these stand-ins, cut around them in order (None if it gives none)."""
    try:
        address = reverse(name, args=texts, current_app=current_app)
    except NoReverseMatch:
        return None
    parts: list[str] = []
    for text in texts:
        before, found, address = address.partition(text)
        if not found or text in address:
            return None
        parts.append(before)
    return (*parts, address)


@lru_cache(maxsize=1024)
def _shape(name: str, count: int, current_app: str | None, _prefix: str, _urlconf: object) -> _Shape | None:
    """The pattern's address around its `count` arguments, and what each argument may be, or None: a parameter
    that takes neither words nor numbers (or words at another address than numbers)."""
    kinds: list[str] = []
    for index in range(count):  # a parameter takes words when a word and a number land at the same address
        numbers = [_stand_in(kinds[i] if i < index else _NUMBER, i) for i in range(count)]
        words = [*numbers[:index], _stand_in(_WORD, index), *numbers[index + 1:]]
        as_number, as_word = _around(name, numbers, current_app), _around(name, words, current_app)
        if as_number is None:
            return None
        kinds.append(_WORD if as_word == as_number else _NUMBER)
    parts = _around(name, [_stand_in(kind, index) for index, kind in enumerate(kinds)], current_app)
    return _Shape(parts, tuple(kinds)) if parts is not None else None
