"""Moderation tools (issue 10): reasons of reports, withdrawn contributions, edits by moderators,
and what ``similar_actions`` compares: a normalised title, with pg_trgm and a GIN trigram index on
PostgreSQL (SQLite skips both: ``TrigramExtension`` and ``_trigram_index`` do nothing there)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from concerto.core.text import search_key


def _fill_title_keys(apps, schema_editor):
    Action = apps.get_model("proposals", "Action")
    for action in Action.objects.only("id", "title").iterator():
        Action.objects.filter(pk=action.pk).update(title_key=search_key(action.title)[:140])


def _trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS action_title_key_trgm "
                              "ON proposals_action USING gin (title_key gin_trgm_ops)")


def _trigram_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS action_title_key_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0004_support_erased_address_hash'),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name='action',
            name='edited_by_moderation_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='edited by the moderators at'),
        ),
        migrations.AddField(
            model_name='action',
            name='title_key',
            field=models.CharField(blank=True, default='', editable=False, max_length=140),
        ),
        migrations.AddField(
            model_name='commentreport',
            name='kind',
            field=models.CharField(choices=[('insult', 'Insulting, hateful or threatening'), ('personal', "Reveals someone's personal information"), ('spam', 'Advertising or spam'), ('off_topic', 'Off topic or misleading'), ('other', 'Another reason')], default='other', max_length=20, verbose_name='reason'),
        ),
        migrations.AlterField(
            model_name='action',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('pending', 'Pending moderation'), ('published', 'Published'), ('rejected', 'Rejected'), ('merged', 'Merged into another action'), ('withdrawn', 'Withdrawn by its author')], default='pending', max_length=20, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='commentreport',
            name='reason',
            field=models.CharField(blank=True, max_length=300, verbose_name='details'),
        ),
        migrations.RunPython(_fill_title_keys, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(_trigram_index, _trigram_index_drop),
    ]
