"""Filters for the notification templates: a name given in both languages, shown in the one being rendered."""

from __future__ import annotations

from typing import Any

from django import template

from wrp.core.language import page_language

register = template.Library()


@register.filter
def in_language(pair: Any) -> str:
    """`["工作居住证新办", "New permit"]` → the Chinese or the English name, as the message's language is."""
    if isinstance(pair, list | tuple) and len(pair) == 2:
        return str(pair[1] if page_language() == "en" else pair[0])
    return str(pair or "")
