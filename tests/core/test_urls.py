"""`wrp.core.urls.url_with`: for every named page of the platform and arguments of every shape, the address `reverse`
gives (or its refusal), whether from the kept shape of the pattern or from `reverse` itself; and `{% url %}` in the
platform's templates (`wrp.core.templates.QuickURL`) prints what Django's tag prints."""

from __future__ import annotations

from itertools import product

import pytest
from django.template import Context, Engine
from django.test import RequestFactory
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from wrp.core.urls import _shape, url_with

SHAPES = ["C2612ABCDEF01", "42", "diploma_copy", "a-b", "0", "a/b", "中文", "a b", "x%y", "", "..", "-1", 7, 123456]


def _named(patterns=None, prefix=""):
    """(name with its namespaces, number of its parameters) of every named pattern."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            space = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _named(entry.url_patterns, space)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", entry.pattern.regex.groups


NAMED = sorted(set(_named()))


def _reversed(name, args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return NoReverseMatch


def _with(name, args):
    try:
        return url_with(name, *args)
    except NoReverseMatch:
        return NoReverseMatch


def test_the_platform_has_pages_with_arguments_of_each_kind():
    counts = {count for _name, count in NAMED}
    assert len(NAMED) > 100
    assert {0, 1, 2} <= counts
    kinds = {(_shape(name, count, None, "/", "wrp.config.urls") or None) is not None for name, count in NAMED if count}
    assert kinds == {True, False}  # patterns kept, and patterns (<uuid:…>, …) always left to reverse


@pytest.mark.parametrize(("name", "count"), NAMED)
def test_every_page_gets_the_address_reverse_gives_for_every_shape_of_argument(name, count):
    for args in product(SHAPES, repeat=count) if count <= 2 else [SHAPES[:count]]:
        assert _with(name, list(args)) == _reversed(name, list(args)), args
    assert _with(name, [SHAPES[0]] * (count + 1)) == _reversed(name, [SHAPES[0]] * (count + 1))  # one too many


def test_a_script_prefix_is_kept_apart(settings):
    from django.urls import set_script_prefix

    plain = url_with("portal:clerk_case", "C2612ABCDEF01")
    set_script_prefix("/wrp/")
    try:
        assert url_with("portal:clerk_case", "C2612ABCDEF01") == "/wrp" + plain
    finally:
        set_script_prefix("/")
    assert url_with("portal:clerk_case", "C2612ABCDEF01") == plain


TEMPLATE = ('{% url "portal:clerk_case" case %}|{% url "portal:clerk_case" case as there %}<{{ there }}>|'
            '{% url "public:home" %}|{% url "portal:clerk_case" odd %}|{% url name case %}|'
            '{% url "portal:nothing" as none %}[{{ none }}]|{% url "public:guide" code %}')


def _engine(loader: str) -> Engine:
    locmem = ("django.template.loaders.locmem.Loader", {"page.html": TEMPLATE})
    return Engine(loaders=[(loader, [locmem])] if loader else [locmem])


def test_the_url_tag_prints_what_djangos_prints():
    request = RequestFactory().get("/")
    context = {"case": "C2612ABCDEF01", "odd": "a b&c", "name": "portal:case", "code": "first", "request": request}
    ours = _engine("wrp.core.templates.Loader").get_template("page.html")
    django = _engine("").get_template("page.html")
    for _ in range(2):
        printed = ours.render(Context(context))
        assert printed == django.render(Context(context))
    assert "/clerk/cases/C2612ABCDEF01/" in printed
    assert "a%20b&amp;c" in printed
    with pytest.raises(NoReverseMatch):
        ours.render(Context({**context, "case": "a/b"}))
