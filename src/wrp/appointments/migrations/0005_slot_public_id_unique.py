from django.db import migrations, models

import wrp.appointments.models


class Migration(migrations.Migration):

    dependencies = [
        ('appointments', '0004_slot_public_ids_and_settings_row'),
    ]

    operations = [
        migrations.AlterField(
            model_name='slot',
            name='public_id',
            field=models.CharField(default=wrp.appointments.models.new_slot_public_id, editable=False, max_length=16, unique=True, verbose_name='编号'),
        ),
    ]
