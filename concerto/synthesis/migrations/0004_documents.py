from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("synthesis", "0003_followup"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="content",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
