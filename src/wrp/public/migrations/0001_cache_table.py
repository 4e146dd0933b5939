"""The database cache's table (settings.CACHES, a DatabaseCache by default), so that `wrp migrate` — the one setup
step every installation runs — creates it: the public pages' rate limits count in it across worker processes.
`createcachetable` leaves an existing table alone and does nothing for caches that are not database caches."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=False),
    ]
