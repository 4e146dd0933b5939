import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('appointments', '0002_initial'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='slot',
            options={'ordering': ('start',), 'verbose_name': '预约时段', 'verbose_name_plural': '预约时段'},
        ),
        # Nullable first: existing rows get their ids in 0004, the unique constraint comes in 0005.
        migrations.AddField(
            model_name='slot',
            name='public_id',
            field=models.CharField(editable=False, max_length=16, null=True, verbose_name='编号'),
        ),
        migrations.AlterField(
            model_name='slot',
            name='capacity',
            field=models.PositiveSmallIntegerField(validators=[django.core.validators.MaxValueValidator(1000)], verbose_name='容量'),
        ),
        migrations.AlterField(
            model_name='slotsettings',
            name='capacity',
            field=models.PositiveSmallIntegerField(default=4, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(1000)], verbose_name='每时段可预约数'),
        ),
        migrations.AlterField(
            model_name='slotsettings',
            name='slot_minutes',
            field=models.PositiveSmallIntegerField(default=60, validators=[django.core.validators.MinValueValidator(10), django.core.validators.MaxValueValidator(480)], verbose_name='时段长度（分钟）'),
        ),
        migrations.AddConstraint(
            model_name='slotsettings',
            constraint=models.CheckConstraint(condition=models.Q(('id', 1)), name='slot_settings_single_row'),
        ),
        migrations.AddConstraint(
            model_name='slotsettings',
            constraint=models.CheckConstraint(condition=models.Q(('slot_minutes__gte', 10), ('slot_minutes__lte', 480)), name='slot_settings_minutes_in_range'),
        ),
        migrations.AddConstraint(
            model_name='slotsettings',
            constraint=models.CheckConstraint(condition=models.Q(('capacity__gte', 1), ('capacity__lte', 1000)), name='slot_settings_capacity_in_range'),
        ),
    ]
