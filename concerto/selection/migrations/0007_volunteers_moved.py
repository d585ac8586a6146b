"""``Volunteer`` and ``VolunteerCall`` now belong to ``volunteers`` (its 0001): state only, no table changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("selection", "0006_selection_archived"),
        ("volunteers", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="selectionseat",
                    name="volunteer",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="seats",
                                            to="volunteers.volunteer"),
                ),
                migrations.DeleteModel(name="Volunteer"),
                migrations.DeleteModel(name="VolunteerCall"),
            ],
            database_operations=[],
        ),
    ]
