"""The facts frozen at submission as the clerk reads them: titled groups of (label, value) rows in the words of
wrp.portal.common.factwords, the rows a resubmission changed marked."""

from __future__ import annotations

from typing import Any

from wrp.portal.common.factwords import fact_label, fact_value
from wrp.public.questions import GROUPS, PROMPTS, pick


def _fact_rows(section: str, facts: Any, lang: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(path: str, name: str, value: Any, code_path: str | None = None) -> None:
        rows.append({"path": path, "label": name, "value": fact_value(code_path or path, value, lang)})

    def walk(path: str, value: Any) -> None:
        prompt = PROMPTS.get(path)
        if isinstance(value, dict) and value and prompt and "{year}" in prompt.label[0]:
            for year, amount in value.items():
                add(f"{path}.{year}", fact_label(path, lang, year=year), amount, path)
        elif isinstance(value, dict) and value:
            for key, inner in value.items():
                walk(f"{path}.{key}", inner)
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            for index, item in enumerate(value):
                for key, inner in item.items():
                    add(f"{path}.{index}.{key}", fact_label(path, lang, number=index + 1), inner, f"{path}.{key}")
        else:
            add(path, fact_label(path, lang), value)

    for key, value in (facts or {}).items():
        walk(f"{section}.{key}", value)
    return rows


def fact_sections(facts: dict[str, Any] | None, lang: str, *, changed: dict[str, Any]) -> list[dict[str, Any]]:
    """The assessment request frozen at submission, as titled groups of (label, value) rows; rows the latest
    resubmission changed are marked."""
    sections = []
    for section in ("change", "unit", "applicant"):
        if not (facts or {}).get(section):
            continue
        rows = _fact_rows(section, facts[section], lang)  # type: ignore[index]
        for row in rows:
            row["changed"] = any(row["path"] == p or row["path"].startswith(p + ".") for p in changed)
        sections.append({"title": pick(GROUPS[section], lang), "rows": rows})
    return sections

