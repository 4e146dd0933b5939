"""The platform's template loader (wrp.core.templates): a constant `{% translate %}` is said once per language and
escaping, and every template prints exactly what Django's own loader prints, in each language."""

from __future__ import annotations

import pytest
from django.template import Context, Engine
from django.templatetags.i18n import TranslateNode
from django.utils import translation

from wrp.core.templates import FixedTranslation

TEMPLATES = {
    "base.html": '{% load i18n %}<p>{% translate "跳到正文" %}</p>{% block body %}{% endblock %}'
                 '{% translate "退出" as leave %}<b>{{ leave }}</b>',
    "page.html": '{% extends "base.html" %}{% load i18n %}{% block body %}'
                 '{% if show %}<i>{% translate "通知" %}</i>{% else %}{% translate "登录" %}{% endif %}'
                 '{% for item in items %}{% translate "首页" %}:{{ item }};{% empty %}{% translate "无" %}{% endfor %}'
                 '{% include "part.html" %}'
                 '{% autoescape off %}{% translate "<b>" %}{% endautoescape %}{% translate "<b>" %}'
                 '{% translate "a%%b" %}{% translate "跳到正文"|upper %}{% translate word %}'
                 '{% translate "通知" context "a bell" %}{% translate "通知" noop %}{% endblock %}',
    "part.html": '{% load i18n %}{% with n=1 %}{% translate "自助检查" %}{{ n }}{% endwith %}',
}


def _engine(loader: str) -> Engine:
    locmem = ("django.template.loaders.locmem.Loader", TEMPLATES)
    return Engine(loaders=[(loader, [locmem])] if loader else [locmem],
                  libraries={"i18n": "django.templatetags.i18n"})


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("show", [True, False])
def test_pages_print_what_djangos_loader_prints(language, show):
    ours, django = _engine("wrp.core.templates.Loader"), _engine("")
    context = {"show": show, "items": [1, 2] if show else [], "word": "通知"}
    with translation.override(language):
        for _ in range(2):  # the second time from what each tag kept
            printed = ours.get_template("page.html").render(Context(context))
            assert printed == django.get_template("page.html").render(Context(context))
    if language == "en":
        assert "Skip to main content" in printed
        assert "Notifications" in printed or "Sign in" in printed


def test_each_language_is_said_in_its_own_words():
    engine = _engine("wrp.core.templates.Loader")
    with translation.override("en"):
        english = engine.get_template("base.html").render(Context({}))
    with translation.override("zh-hans"):
        chinese = engine.get_template("base.html").render(Context({}))
    with translation.override("en"):
        assert engine.get_template("base.html").render(Context({})) == english
    assert "Skip to main content" in english
    assert "跳到正文" in chinese
    assert "Skip" not in chinese


def test_only_constant_tags_are_swapped():
    engine = _engine("wrp.core.templates.Loader")
    template = engine.get_template("page.html")
    nodes = [node for part in ("base.html", "page.html", "part.html")
             for node in engine.get_template(part).nodelist.get_nodes_by_type(TranslateNode)]
    assert template.nodelist.get_nodes_by_type(TranslateNode)
    fixed = [node for node in nodes if isinstance(node, FixedTranslation)]
    kept = [node for node in nodes if not isinstance(node, FixedTranslation)]
    # the constant ones (in a block, both branches of an if, a for and its empty, a with, with `as`) ...
    assert len(fixed) == 10
    # ... not those with a filter, a variable, a message context or noop
    assert len(kept) == 4
