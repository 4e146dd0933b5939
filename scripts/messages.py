"""Refresh wrp's translation catalogues: src/wrp/locale/{en,zh_Hans}/LC_MESSAGES/django.po and their compiled .mo.

The Chinese text is the msgid; the zh_Hans catalogue translates every msgid to itself, the en one to English.
The workflow after adding or changing a message:
  1. write it in the code as `_("中文")` (or `{% translate "中文" %}` in a template);
  2. `make messages`: collects the msgids, keeps the English already written, fills zh_Hans, prints the msgids that
     still have no English and exits 1 while there are any;
  3. write the English of each printed msgid as its msgstr in src/wrp/locale/en/LC_MESSAGES/django.po
     (or put `msgid<TAB>english` lines in a file and run `python scripts/messages.py --add FILE`);
  4. `make messages` again: it must end with `untranslated: 0`; commit both .po and both .mo.
tests/config/test_catalogues.py fails on an untranslated, fuzzy or obsolete entry and on a .mo older than its .po.

Steps: `django-admin makemessages -l en -l zh_Hans --no-obsolete --add-location=file` from src/wrp (ignoring .venv,
tests, policy and static), then each catalogue is rewritten with a fixed header (no dates, so that a re-run changes
nothing when no message changed), no fuzzy flag and no obsolete entry, and compiled with `msgfmt --check-format`.
A fuzzy guess by msgmerge is dropped, never kept as a translation.
"""

from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "src" / "wrp"
LANGUAGES = ("en", "zh_Hans")
HEADER_COMMENT = "# The wrp platform's messages. Built by scripts/messages.py (`make messages`): edit the .po, then re-run."
HEADER = {
    "en": "Language: en\nPlural-Forms: nplurals=2; plural=(n != 1);\n",
    "zh_Hans": "Language: zh_Hans\nPlural-Forms: nplurals=1; plural=0;\n",
}
Key = tuple[str | None, str]  # (msgctxt, msgid)


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)  # "#." "#:" "# " lines, kept as they are
    flags: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def key(self) -> Key:
        return (self.msgctxt, self.msgid)

    def translation(self) -> tuple[str, ...] | None:
        """The msgstr (or every plural form), None unless all are filled in."""
        if self.msgid_plural is None:
            return (self.msgstr,) if self.msgstr else None
        forms = tuple(self.msgstr_plural.get(i, "") for i in range(max(self.msgstr_plural, default=-1) + 1))
        return forms if forms and all(forms) else None


def catalogue(language: str) -> Path:
    return PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po"


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file (msgctxt, plurals, flags, comments, multi-line strings; `#~` marks obsolete)."""
    entries: list[Entry] = []
    entry, current, started = Entry(), None, False

    def finish() -> None:
        nonlocal entry, current, started
        if started:
            entries.append(entry)
        entry, current, started = Entry(), None, False

    def put(key: str, value: str, append: bool) -> None:
        if key.startswith("msgstr["):
            index = int(key[7:-1])
            entry.msgstr_plural[index] = (entry.msgstr_plural.get(index, "") if append else "") + value
        else:
            setattr(entry, key, ((getattr(entry, key) or "") if append else "") + value)

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            entry.obsolete = started = True
        elif line.startswith("#|"):
            continue  # msgmerge's previous msgid: dropped with the fuzzy flag
        elif line.startswith("#"):
            if started and current is not None:
                finish()
            if line.startswith("#,"):
                entry.flags += [flag.strip() for flag in line[2:].split(",") if flag.strip()]
            else:
                entry.comments.append(raw)
        elif line.startswith('"'):
            if current is None:
                raise ValueError(f"a string without its keyword: {raw!r}")
            put(current, ast.literal_eval(line), append=True)
        else:
            keyword, _, rest = line.partition(" ")
            if (keyword == "msgctxt" or keyword == "msgid") and current not in (None, "msgctxt"):
                finish()
            current, started = keyword, True
            put(keyword, ast.literal_eval(rest.strip()), append=False)
    finish()
    return entries


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r")
    parts = escaped.split("\n")
    lines = [part + "\\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    if len(lines) <= 1:
        return f'"{lines[0] if lines else ""}"'
    return '""\n' + "\n".join(f'"{line}"' for line in lines)


def write_po(entries: list[Entry]) -> str:
    blocks = []
    for entry in entries:
        lines = list(entry.comments)
        if entry.flags:
            lines.append("#, " + ", ".join(entry.flags))
        if entry.msgctxt is not None:
            lines.append(f"msgctxt {_quote(entry.msgctxt)}")
        lines.append(f"msgid {_quote(entry.msgid)}")
        if entry.msgid_plural is not None:
            lines.append(f"msgid_plural {_quote(entry.msgid_plural)}")
            lines += [f"msgstr[{i}] {_quote(entry.msgstr_plural[i])}" for i in sorted(entry.msgstr_plural)]
        else:
            lines.append(f"msgstr {_quote(entry.msgstr)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def read_additions(path: Path) -> dict[str, tuple[str, ...]]:
    """`msgid<TAB>english` lines (a third column, if any, is the English plural)."""
    additions: dict[str, tuple[str, ...]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        msgid, *english = line.split("\t")
        if not english or not all(text.strip() for text in english):
            raise SystemExit(f"{path}:{number}: not msgid<TAB>english: {line!r}")
        additions[msgid] = tuple(english)
    return additions


def makemessages() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wrp.config.settings", "WRP_ENV": "test",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-P", "-m", "django", "makemessages", "-l", "en", "-l", "zh_Hans", "--no-obsolete",
               "--add-location=file", "-i", ".venv", "-i", "tests", "-i", "policy", "-i", "static"]
    subprocess.run(command, cwd=PACKAGE, env=env, check=True)


def fill(language: str, known: dict[Key, tuple[str, ...]], additions: dict[str, tuple[str, ...]]) -> list[str]:
    """Rewrite one catalogue as makemessages left it; return the msgids left without a translation."""
    path = catalogue(language)
    entries = [entry for entry in parse_po(path.read_text(encoding="utf-8")) if not entry.obsolete]
    missing = []
    for entry in entries:
        fuzzy = "fuzzy" in entry.flags
        entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
        if not entry.msgid:  # the header: fixed, no dates
            entry.comments = [HEADER_COMMENT]
            entry.msgstr = ("Project-Id-Version: wrp\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
                            "Content-Transfer-Encoding: 8bit\n" + HEADER[language])
            continue
        if language == "zh_Hans":
            if entry.msgid_plural is not None:
                entry.msgstr_plural = {0: entry.msgid}
            else:
                entry.msgstr = entry.msgid
            continue
        translated = (additions.get(entry.msgid) or (None if fuzzy else entry.translation())
                      or known.get(entry.key) or known.get((None, entry.msgid)))
        if entry.msgid_plural is not None:
            if translated is not None and len(translated) == 1:
                translated = (translated[0], translated[0])
            entry.msgstr_plural = dict(enumerate(translated)) if translated else {0: "", 1: ""}
        else:
            entry.msgstr = translated[0] if translated else ""
        if translated is None:
            missing.append(entry.msgid if entry.msgctxt is None else f"[{entry.msgctxt}] {entry.msgid}")
    path.write_text(write_po(entries), encoding="utf-8")
    return missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--add", type=Path, metavar="FILE",
                        help="msgid<TAB>english lines: English translations to put in the en catalogue")
    args = parser.parse_args()
    additions = read_additions(args.add) if args.add else {}
    # The English written so far (before makemessages, whose fuzzy guesses are dropped), keyed by (msgctxt, msgid).
    known: dict[Key, tuple[str, ...]] = {}
    if catalogue("en").exists():
        for entry in parse_po(catalogue("en").read_text(encoding="utf-8")):
            translated = entry.translation()
            if entry.msgid and not entry.obsolete and "fuzzy" not in entry.flags and translated is not None:
                known[entry.key] = translated
    makemessages()
    untranslated = fill("en", known, additions)
    fill("zh_Hans", known, additions)
    for language in LANGUAGES:
        path = catalogue(language)
        subprocess.run(["msgfmt", "--check-format", "-o", str(path.with_suffix(".mo")), str(path)], check=True)
    msgids = {entry.msgid for entry in parse_po(catalogue("en").read_text(encoding="utf-8"))}
    for msgid in sorted(set(additions) - msgids):
        print(f"note: --add {msgid!r} is not a msgid of the code; ignored")
    print(f"untranslated: {len(untranslated)}")
    for msgid in untranslated:
        print("  ", msgid)
    if untranslated:
        print(f"Write their English as msgstr in {catalogue('en').relative_to(REPO)}, then run `make messages` again.")
    return 1 if untranslated else 0


if __name__ == "__main__":
    sys.exit(main())
