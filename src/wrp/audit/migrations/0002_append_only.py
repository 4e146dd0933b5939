"""The audit trail is append-only in the database itself: UPDATE and DELETE on its events are refused."""

from django.db import migrations

from wrp.audit import triggers


def install(apps, schema_editor):
    triggers.install_v1(schema_editor.connection)


def remove(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
