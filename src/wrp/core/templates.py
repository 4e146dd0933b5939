"""The template loader of the platform (settings.TEMPLATES): Django's cached loader, whose templates say each fixed
text of theirs once per language and build their addresses from what `wrp.core.urls` keeps.

A page prints dozens of `{% translate "…" %}` of a constant text (the case page 71, a list 25–30): Django looks each
up in the catalogue, wraps it lazily and escapes it every time it is rendered, 6–8 µs a tag — half a millisecond of
the case page. When a template is compiled, each such tag is swapped for a `FixedTranslation`, which does that once
for each language (and for each of escaped and not, `{% autoescape off %}`) and then answers from what it kept. A tag
with a filter, a variable, a message context or `noop` is left as it is. The catalogues are read when the process
starts and do not change while it runs, so what a tag keeps is what Django would print.

Likewise each `{% url %}` with positional arguments (or none) is swapped for a `QuickURL`, which asks
`wrp.core.urls.url_with` instead of `reverse`: the same address, without walking the URL patterns (the case page has
a dozen, 40-60 µs each).
"""

from __future__ import annotations

from typing import Any

from django.template import Context, Origin, Template
from django.template.base import Node, NodeList, render_value_in_context
from django.template.defaulttags import IfNode, URLNode
from django.template.loaders import cached
from django.templatetags.i18n import TranslateNode
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

from wrp.core.urls import url_with


class Loader(cached.Loader):
    """`django.template.loaders.cached.Loader` whose templates have their constant `{% translate %}` tags swapped for
    `FixedTranslation` and their `{% url %}` tags for `QuickURL` once, when first compiled."""

    def get_template(self, template_name: str, skip: list[Origin] | None = None) -> Template:
        template = super().get_template(template_name, skip)
        if not getattr(template, "nodes_fixed", False):
            fix_nodes(template.nodelist)
            template.nodes_fixed = True  # type: ignore[attr-defined]
        return template


class FixedTranslation(TranslateNode):
    """A `{% translate "constant" %}` (with `as name` or not) that renders its text once per language and escaping."""

    child_nodelists = ()

    def __init__(self, node: TranslateNode) -> None:
        super().__init__(node.filter_expression, node.noop, node.asvar, node.message_context)
        self.token, self.origin = node.token, node.origin
        self.filter_expression.var.translate = True  # what TranslateNode.render sets each time (not noop)
        self.said: dict[tuple[str | None, bool], str] = {}

    def render(self, context: Context) -> str:
        key = (get_language(), context.autoescape)
        value = self.said.get(key)
        if value is None:
            value = self.said[key] = self.say(context)
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value

    def say(self, context: Context) -> str:
        """What Django's tag prints for this text in the active language: `TranslateNode.render`'s value (the node
        is shared by the threads that render its template, so nothing of it is changed meanwhile)."""
        value = render_value_in_context(self.filter_expression.resolve(context), context)
        restored = value.replace("%%", "%")  # percent signs are doubled in a template's text
        return mark_safe(restored) if isinstance(value, SafeData) else restored


def fixed(node: Node) -> bool:
    """Whether a `{% translate %}` prints the same text whatever the context: a constant string, no filter, no
    message context, not `noop`."""
    expression = node.filter_expression
    return (type(node) is TranslateNode and not node.noop and node.message_context is None and not expression.filters
            and getattr(expression.var, "literal", None) is not None and getattr(expression.var, "lookups", 1) is None)


class QuickURL(URLNode):
    """A `{% url name arg … %}` (with `as name` or not, no keyword arguments) whose address comes from
    `wrp.core.urls.url_with`: what `URLNode.render` prints, without `reverse` walking the patterns."""

    def __init__(self, node: URLNode) -> None:
        super().__init__(node.view_name, node.args, node.kwargs, node.asvar)
        self.token, self.origin = node.token, node.origin

    def render(self, context: Context) -> str:
        args = [arg.resolve(context) for arg in self.args]
        view_name = self.view_name.resolve(context)
        try:  # the current application as URLNode.render finds it
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = url_with(view_name, *args, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


def fix_nodes(nodelist: NodeList) -> None:
    """Swap each constant `{% translate %}` in `nodelist`, and in the node lists of its nodes, for a
    `FixedTranslation`, and each `{% url %}` without keyword arguments for a `QuickURL` (in place: a block's node list
    is the one its template's `{% extends %}` holds)."""
    for index, node in enumerate(nodelist):
        if isinstance(node, TranslateNode):
            if fixed(node):
                nodelist[index] = FixedTranslation(node)
            continue
        if type(node) is URLNode:
            if not node.kwargs:
                nodelist[index] = QuickURL(node)
            continue
        for child in _node_lists(node):
            fix_nodes(child)


def _node_lists(node: Any) -> list[NodeList]:
    if isinstance(node, IfNode):  # its `nodelist` is a copy; the branches are its own
        return [branch for _condition, branch in node.conditions_nodelists]
    return [child for name in node.child_nodelists if isinstance(child := getattr(node, name, None), NodeList)]
