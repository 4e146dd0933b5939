"""The chain becomes keyed (HMAC under the audit key): events already written keep their unkeyed hash, marked by an
empty `scheme`; every new event is written with scheme 1. The column is added empty first (old rows stay NULL), then
given its default; SQLite rebuilds the table for that, dropping its triggers, which are put back at the end.

Then the first anchor is written (AUDIT_ANCHOR_FILE): the trail as it stands, signed, with the last unkeyed event's id
(0 on a new installation). From then on an unkeyed event after that id — a chain recomputed without the key and
passed off as written before it — is found by `wrp audit verify`. A file that cannot be written is a warning only:
`wrp audit anchor` writes one later.
"""

import sys

from django.db import migrations, models
from django.db.models import Max
from django.utils import timezone

from wrp.audit import triggers


def install(apps, schema_editor):
    triggers.install_v1(schema_editor.connection)


def first_anchor(apps, schema_editor):
    from wrp.audit.anchors import Anchor, anchor_append

    alias = schema_editor.connection.alias
    events = apps.get_model("audit", "AuditEvent").objects.using(alias)
    head = apps.get_model("audit", "AuditHead").objects.using(alias).filter(id=1).first()
    count, last_hash = (head.count, head.last_hash) if head is not None else (0, "0" * 64)
    anchor = Anchor(
        at=timezone.now().isoformat(), count=count, head=last_hash,
        last_id=events.filter(hash=last_hash).values_list("id", flat=True).first() or 0,
        legacy_until=events.filter(scheme__isnull=True).aggregate(last=Max("id"))["last"] or 0,
    )
    try:
        anchor_append(anchor)
    except OSError as error:
        print(f"warning: the first audit anchor could not be written ({error}); run `wrp audit anchor`",
              file=sys.stderr)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.AddField(
            model_name="auditevent", name="scheme", field=models.PositiveSmallIntegerField(null=True, blank=True),
        ),
        migrations.AlterField(
            model_name="auditevent", name="scheme",
            field=models.PositiveSmallIntegerField(null=True, blank=True, default=1),
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
        migrations.RunPython(first_anchor, migrations.RunPython.noop, elidable=True),
    ]
