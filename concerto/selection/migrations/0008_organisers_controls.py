"""Issue 10: the moment the random value is known (replaces its day), archiving, the workshop panel,
the first workshop meeting and the notification text, the drawn people's answers.

Existing data: an announced day becomes midnight of that day (local time), so no draw that was
allowed becomes refused; the most recent drawn selection of each campaign becomes its workshop
panel, so public figures do not change on upgrade.
"""

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def forwards(apps, schema_editor):
    Selection = apps.get_model("selection", "Selection")
    for selection in Selection.objects.exclude(random_date=None).only("pk", "random_date"):
        moment = timezone.make_aware(timezone.datetime.combine(selection.random_date, timezone.datetime.min.time()))
        Selection.objects.filter(pk=selection.pk).update(random_known_at=moment)
    seen = set()
    for selection in Selection.objects.filter(status="drawn").order_by("-drawn_at", "-pk").only("pk", "campaign_id"):
        if selection.campaign_id not in seen:
            seen.add(selection.campaign_id)
            Selection.objects.filter(pk=selection.pk).update(is_workshop_panel=True)


def backwards(apps, schema_editor):
    Selection = apps.get_model("selection", "Selection")
    for selection in Selection.objects.exclude(random_known_at=None).only("pk", "random_known_at"):
        Selection.objects.filter(pk=selection.pk).update(random_date=timezone.localdate(selection.random_known_at))


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0003_campaign_contact_notices_archive'),
        ('selection', '0007_volunteers_moved'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='selection',
            name='archived_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='selection',
            name='is_workshop_panel',
            field=models.BooleanField(default=False, verbose_name='workshop panel'),
        ),
        migrations.AddField(
            model_name='selection',
            name='notice_text',
            field=models.TextField(blank=True, verbose_name='message to the selected people'),
        ),
        migrations.AddField(
            model_name='selection',
            name='random_known_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='moment the random value will be known'),
        ),
        migrations.AddField(
            model_name='selection',
            name='workshop_place',
            field=models.CharField(blank=True, max_length=300, verbose_name='place of the first workshop'),
        ),
        migrations.AddField(
            model_name='selection',
            name='workshop_starts_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='date and time of the first workshop'),
        ),
        migrations.AddField(
            model_name='selectionseat',
            name='answer',
            field=models.CharField(blank=True, choices=[('confirmed', 'Confirmed'), ('declined', 'Declined')], max_length=10),
        ),
        migrations.AddField(
            model_name='selectionseat',
            name='answered_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(
            model_name='selection',
            name='random_date',
        ),
        migrations.AddConstraint(
            model_name='selection',
            constraint=models.UniqueConstraint(condition=models.Q(('is_workshop_panel', True)), fields=('campaign',), name='selection_one_workshop_panel'),
        ),
        migrations.AddConstraint(
            model_name='selection',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('is_workshop_panel', True), _negated=True), ('status', 'drawn'), _connector='OR'), name='selection_workshop_panel_drawn'),
        ),
    ]
