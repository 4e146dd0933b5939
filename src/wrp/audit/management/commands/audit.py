"""wrp audit verify | anchor — check the keyed chain against its anchors; append a signed checkpoint.

Both chain the events waiting for the chainer first (wrp.audit.chainer). `verify` exits 0 with the count when every
event's keyed hash and link hold, the head row is the last event and every anchor line is signed and matches the
trail; else non-zero, naming the first failure. `--anchors PATH` checks against another copy of the anchors (the one
shipped off the machine). `anchor` appends the current head, signed, to AUDIT_ANCHOR_FILE (the hourly job
`audit.anchor` does the same).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wrp.audit.anchors import anchor_file, audit_anchor
from wrp.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit trail tools: `verify` checks the keyed chain and its anchors; `anchor` appends a signed checkpoint."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "anchor"])
        parser.add_argument("--anchors", help="the anchor file to check against (default: AUDIT_ANCHOR_FILE)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "anchor":
            anchor = audit_anchor(path=options["anchors"])
            self.stdout.write(f"audit anchor written to {anchor_file(options['anchors'])}: {anchor.count} events, "
                              f"event {anchor.last_id}, head {anchor.head[:16]}…")
            return
        result = audit_verify(anchors_file=options["anchors"], chain=True)
        if result.ok:
            anchored = f", {result.anchors} anchors hold" if result.anchors else ""
            waiting = f" ({result.unchained} committed a moment ago wait for the chain)" if result.unchained else ""
            self.stdout.write(f"audit chain intact: {result.checked} events{anchored}{waiting}")
            if not result.anchors:
                self.stderr.write(f"no anchors in {anchor_file(options['anchors'])}: deleted newest events cannot be "
                                  "told from an untouched trail (run `wrp audit anchor`)")
            return
        if result.broken_at is None:
            raise CommandError(f"audit anchors broken: {result.reason}")
        raise CommandError(
            f"audit chain broken at event {result.broken_at}: {result.reason} ({result.checked} events intact before it)"
        )
