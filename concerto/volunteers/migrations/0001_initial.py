"""The volunteers' models move here from ``selection``: state only, the tables keep their names.

A fresh database creates the tables in ``selection`` 0001-0006; this migration then gives the models
to ``volunteers`` in Django's state, and ``selection`` 0007 drops them from its own state and points
the seats at them. An existing database changes nothing but two kinds of rows naming the model by
its app label: the content types (so permissions stay attached) and the audit trail's targets.
"""

import django.db.models.deletion
from django.apps import apps as global_apps
from django.conf import settings
from django.db import migrations, models

MODELS = ("volunteer", "volunteercall")


def _relabel(apps, old: str, new: str) -> None:
    # The target is a locator ("<app>.<model>:<pk>") that must keep finding the same row; the act
    # recorded (code, actor, data) is left as it was written.
    from django.db.models import Value
    from django.db.models.functions import Concat, Substr

    AuditEntry = apps.get_model("core", "AuditEntry")
    for model in MODELS:
        prefix = f"{old}.{model}:"
        AuditEntry.objects.filter(target__startswith=prefix).update(
            target=Concat(Value(f"{new}.{model}:"), Substr("target", len(prefix) + 1)))
    try:
        ContentType = apps.get_model("contenttypes", "ContentType")
    except LookupError:  # contenttypes not installed: nothing names the model by label
        return
    for model in MODELS:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    _relabel(apps, "selection", "volunteers")


def backwards(apps, schema_editor):
    _relabel(apps, "volunteers", "selection")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("campaigns", "0002_campaign_support_level"),
        ("core", "0002_initial"),
        # The tables exist once selection's migrations up to here have run.
        ("selection", "0006_selection_archived"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        *([("contenttypes", "0002_remove_content_type_name")]
          if global_apps.is_installed("django.contrib.contenttypes") else []),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="VolunteerCall",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("is_open", models.BooleanField(default=False, verbose_name="volunteering is open")),
                        ("intro", models.TextField(blank=True, verbose_name="introduction")),
                        ("talents", models.JSONField(default=list, verbose_name="talents")),
                        ("workshop_dates", models.JSONField(default=list, verbose_name="workshop dates")),
                        ("profile_questions", models.JSONField(default=list, verbose_name="profile questions")),
                        ("consent_text", models.TextField(blank=True, verbose_name="consent text")),
                        ("consent_version", models.PositiveSmallIntegerField(default=1)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("campaign", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                                          related_name="volunteer_call", to="campaigns.campaign")),
                    ],
                    options={
                        "verbose_name": "call for volunteers",
                        "verbose_name_plural": "calls for volunteers",
                        "db_table": "selection_volunteercall",
                    },
                ),
                migrations.CreateModel(
                    name="Volunteer",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("pseudonym", models.CharField(max_length=12)),
                        ("talents", models.JSONField(default=list)),
                        ("availability", models.JSONField(default=list)),
                        ("profile", models.JSONField(default=dict)),
                        ("consent_at", models.DateTimeField()),
                        ("consent_version", models.PositiveSmallIntegerField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("withdrawn_at", models.DateTimeField(blank=True, null=True)),
                        ("campaign", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                       related_name="volunteers", to="campaigns.campaign")),
                        ("sector", models.ForeignKey(blank=True, null=True,
                                                     on_delete=django.db.models.deletion.SET_NULL,
                                                     related_name="+", to="campaigns.sector")),
                        ("user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                   related_name="volunteering", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "volunteer",
                        "verbose_name_plural": "volunteers",
                        "db_table": "selection_volunteer",
                        "ordering": ["pseudonym"],
                        "constraints": [
                            models.UniqueConstraint(fields=("campaign", "user"), name="volunteer_unique"),
                            models.UniqueConstraint(fields=("campaign", "pseudonym"),
                                                    name="volunteer_pseudonym_unique"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
