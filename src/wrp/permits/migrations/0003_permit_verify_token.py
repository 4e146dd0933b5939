"""Every permit gets a random verification token (issue 12 §8). Certificates printed before carry the old signed
token, which named the permit's sequential key: those links are no longer honoured; a certificate downloaded again
carries the new token."""

from django.db import migrations, models

import wrp.permits.models


def fill_tokens(apps, schema_editor):
    Permit = apps.get_model("permits", "Permit")
    for permit in Permit.objects.filter(verify_token__isnull=True).only("pk").iterator():
        Permit.objects.filter(pk=permit.pk).update(verify_token=wrp.permits.models.new_verify_token())


class Migration(migrations.Migration):

    dependencies = [
        ("permits", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="permit",
            name="verify_token",
            field=models.CharField(editable=False, max_length=43, null=True),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="permit",
            name="verify_token",
            field=models.CharField(default=wrp.permits.models.new_verify_token, editable=False, max_length=43,
                                   unique=True),
        ),
    ]
