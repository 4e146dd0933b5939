"""The `wrp` command: the policy's own subcommands, and Django's management commands for everything else.

`wrp assess` and `wrp workdays` answer from `wrp.policy` alone and never start Django, so they cost a fraction of a
second; any other subcommand (`wrp migrate`, `wrp runserver`, `wrp demo`, …) is handed to Django. Exit status 2 means
the input was refused; the message says why.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import date
from typing import Any, NoReturn, TextIO

POLICY_COMMANDS = ("assess", "workdays")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error exits 2 with a one-line message (as every refusal of this command does)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{self.prog}: {message}", file=sys.stderr)
        raise SystemExit(2)


def _calendar_file() -> str | None:
    return os.environ.get("WRP_CALENDAR_FILE") or None


def _read_request(name: str | None, stdin: TextIO) -> bytes:
    if name in (None, "-"):
        return stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode()
    with open(name, "rb") as handle:
        return handle.read()


def _json_error(fields: dict[str, str]) -> str:
    return json.dumps({"error": "invalid_request", "fields": fields}, ensure_ascii=False)


def assess_command(args: list[str], stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """wrp assess [FILE] [--lang zh|en]: one request in, one response out; exit 2 on an invalid request."""
    parser = _Parser(prog="wrp assess", description="Assess one request (contracts/assessment.md).")
    parser.add_argument("file", nargs="?", help="request JSON file; - or nothing for standard input")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the messages")
    options = parser.parse_args(args)
    from wrp.policy import InvalidRequest, assess
    from wrp.policy.workdays import default_calendar

    try:
        raw = _read_request(options.file, stdin)
    except OSError as error:
        cannot_read = "cannot read" if options.lang == "en" else "无法读取"  # no Django here: no catalogue
        print(_json_error({"file": f"{cannot_read}: {error.strerror}"}), file=stderr)
        return 2
    try:
        response = assess(raw, lang=options.lang, calendar=default_calendar(_calendar_file()))
    except InvalidRequest as error:
        print(json.dumps(error.as_json_dict(options.lang), ensure_ascii=False), file=stderr)
        return 2
    print(json.dumps(response.as_json_dict(), ensure_ascii=False), file=stdout)
    return 0


def _iso(value: str) -> date:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {value!r}")


def _count(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"not a number of working days (0 or more): {value!r}")
    return int(value)


def workdays_command(args: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """wrp workdays add DATE N | is-workday DATE [--provisional]."""
    parser = _Parser(prog="wrp workdays", description="Working days of the official holiday calendar.")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="print the N-th working day after DATE")
    add.add_argument("date", type=_iso)
    add.add_argument("n", type=_count)
    add.add_argument("--provisional", action="store_true", help="assume weekends only for years not loaded")
    check = commands.add_parser("is-workday", help="print true or false")
    check.add_argument("date", type=_iso)
    check.add_argument("--provisional", action="store_true", help="assume weekends only for years not loaded")
    options = parser.parse_args(args)
    from wrp.policy.workdays import CalendarYearNotLoaded, default_calendar

    calendar = default_calendar(_calendar_file())
    try:
        if options.command == "add":
            answer: Any = calendar.add_workdays(options.date, options.n).isoformat()
        else:
            answer = "true" if calendar.is_workday(options.date) else "false"
        print(answer, file=stdout)
        return 0
    except CalendarYearNotLoaded as error:
        if not options.provisional:
            print(f"wrp workdays: {error}", file=stderr)
            return 2
    if options.command == "add":
        answer = calendar.add_workdays(options.date, options.n, provisional=True).isoformat()
    else:
        answer = "true" if calendar.is_workday(options.date, provisional=True) else "false"
    print(f"{answer} provisional", file=stdout)
    return 0


def django_command(args: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wrp.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["wrp", *args])
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        if args and args[0] == "assess":
            return assess_command(args[1:], sys.stdin, sys.stdout, sys.stderr)
        if args and args[0] == "workdays":
            return workdays_command(args[1:], sys.stdout, sys.stderr)
    except SystemExit as leave:
        return leave.code if isinstance(leave.code, int) else 2
    return django_command(args)


if __name__ == "__main__":
    sys.exit(main())
