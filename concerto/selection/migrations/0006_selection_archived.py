from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('selection', '0005_one_per_household'),
    ]

    operations = [
        migrations.AddField(
            model_name='selection',
            name='archived',
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
