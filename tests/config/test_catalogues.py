"""The translations: one catalogue per language (zh_Hans, en) under one LOCALE_PATHS entry, complete, unambiguous,
and compiled from its current source.

The catalogues are built by `makemessages` and filled by `make messages` (scripts/messages.py); these tests fail on what a
reader of the English (or Chinese) pages would meet: an untranslated or fuzzy entry, a msgid with two translations,
a placeholder lost in translation, or a .mo file older than its .po.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

import wrp

PACKAGE = Path(wrp.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
LANGUAGES = ("zh_Hans", "en")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # a singular entry's msgstr is msgstr[0]
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file (a small reader: msgctxt, plurals, flags, multi-line strings, obsolete `#~`)."""
    entries: list[Entry] = []
    entry, current = Entry(), None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line or ((line.startswith("msgctxt") or line.startswith("msgid ")) and current not in (None, "msgctxt")):
            if current is not None or entry.obsolete:
                entries.append(entry)
                entry, current = Entry(), None
            if not line:
                continue
        if line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert current is not None, f"{path}: a string without its keyword: {raw!r}"
            _put(entry, current, ast.literal_eval(line), append=True)
        else:
            current, _, rest = line.partition(" ")
            _put(entry, current, ast.literal_eval(rest.strip()), append=False)
    return entries


def _put(entry: Entry, keyword: str, value: str, *, append: bool) -> None:
    if keyword.startswith("msgstr"):
        index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
        entry.msgstr[index] = (entry.msgstr.get(index, "") if append else "") + value
    else:
        setattr(entry, keyword, ((getattr(entry, keyword) or "") if append else "") + value)


def catalogue(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def messages(language: str) -> list[Entry]:
    return [entry for entry in parse_po(catalogue(language)) if entry.msgid]


def test_one_locale_path_holds_the_one_catalogue_per_language():
    assert [Path(path).resolve() for path in settings.LOCALE_PATHS] == [LOCALE]
    others = [path for path in PACKAGE.rglob("LC_MESSAGES") if LOCALE not in path.parents]
    assert others == [], "catalogues outside src/wrp/locale"
    assert sorted(path.name for path in LOCALE.iterdir() if path.is_dir()) == sorted(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    entries = parse_po(catalogue(language))
    untranslated = [e.msgid for e in entries if e.msgid and (not e.msgstr or not all(e.msgstr.values()))]
    fuzzy = [e.msgid or "(header)" for e in entries if "fuzzy" in e.flags]
    obsolete = [e.msgid for e in entries if e.obsolete]
    assert untranslated == [], f"untranslated in {language}"
    assert fuzzy == [], f"fuzzy in {language}"
    assert obsolete == [], f"obsolete entries left in {language}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_msgid_has_two_translations(language):
    seen: dict[str, dict[int, str]] = {}
    twice = []
    for entry in messages(language):
        if entry.key in seen and seen[entry.key] != entry.msgstr:
            twice.append(entry.msgid)
        seen[entry.key] = entry.msgstr
    assert twice == [], f"msgids translated twice in {language}"
    assert len(seen) == len(messages(language)), "a msgid appears twice"


def test_both_languages_have_the_same_msgids_and_chinese_is_its_own_translation():
    chinese, english = messages("zh_Hans"), messages("en")
    assert {e.key for e in chinese} == {e.key for e in english}
    assert [e.msgid for e in chinese if e.msgstr.get(0) != e.msgid] == []


def test_english_keeps_every_placeholder():
    lost = [
        entry.msgid for entry in messages("en")
        if any(sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
               for index, text in entry.msgstr.items() if text and (index > 0 or entry.msgid_plural is None))
    ]
    assert lost == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_the_current_source(language):
    """The .mo holds exactly the .po's translations (run `make messages`, or compilemessages, after editing a .po)."""
    source = catalogue(language)
    with source.with_suffix(".mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    found = {key: value for key, value in translations._catalog.items() if key != ""}  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for entry in messages(language):
        if not all(entry.msgstr.values()) or "fuzzy" in entry.flags:
            continue  # msgfmt leaves these out (and the test above fails on them)
        if entry.msgid_plural is None:
            expected[entry.key] = entry.msgstr[0]
        else:
            expected.update({(entry.key, index): text for index, text in entry.msgstr.items()})
    assert found == expected
