"""The chain leaves the services' path: events are inserted without their chain columns and the chainer (wrp.audit.chainer)
sets `seq`, `prev_hash` and `hash` later, once. The columns become nullable, `seq` (the chain's order) is added and
given to the events already chained in the order they were chained (by id: they were written under the head's lock),
and the append-only triggers are replaced by ones that allow exactly that one change (wrp.audit.triggers).

The triggers are lifted first (filling `seq` is an UPDATE the old ones refuse; SQLite's table rebuild drops them anyway)
and the new ones installed at the end. Going back works while every event is chained (`wrp audit verify` chains them).
"""

from django.conf import settings
from django.db import migrations, models

from wrp.audit import triggers

NUMBER = (
    "UPDATE audit_auditevent SET seq = numbered.position FROM "
    "(SELECT id, row_number() OVER (ORDER BY id) AS position FROM audit_auditevent) AS numbered "
    "WHERE audit_auditevent.id = numbered.id"
)


def lift(apps, schema_editor):
    triggers.remove(schema_editor.connection)


def install_v1(apps, schema_editor):
    triggers.install_v1(schema_editor.connection)


def number(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(NUMBER)


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_keyed_chain'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(lift, install_v1),
        migrations.AddField(
            model_name='auditevent',
            name='seq',
            field=models.PositiveBigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='prev_hash',
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('hash__isnull', True)), fields=['id'], name='audit_event_unchained'),
        ),
        migrations.RunPython(number, migrations.RunPython.noop),
        migrations.RunPython(install, lift),
    ]
