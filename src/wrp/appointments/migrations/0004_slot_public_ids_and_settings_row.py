import secrets

from django.db import migrations


def fill(apps, schema_editor):
    """Give every existing slot its opaque id, and create the one settings row the administrator edits."""
    Slot = apps.get_model('appointments', 'Slot')
    SlotSettings = apps.get_model('appointments', 'SlotSettings')
    for slot in Slot.objects.filter(public_id__isnull=True).only('id'):
        slot.public_id = secrets.token_urlsafe(9)
        slot.save(update_fields=['public_id'])
    SlotSettings.objects.get_or_create(id=1, defaults={'slot_minutes': 60, 'capacity': 4})


class Migration(migrations.Migration):

    dependencies = [
        ('appointments', '0003_slot_public_id_and_settings_limits'),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
