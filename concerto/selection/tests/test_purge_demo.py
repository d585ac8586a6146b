"""The demo's drawn selection after the retention purge (issue 9, item 8): the same selection.json,
which verify.py still accepts, with every volunteer's answers erased."""

import io
from datetime import timedelta

import pytest
from django.db.models import Max
from django.urls import reverse

from concerto.campaigns.models import Campaign
from concerto.demo.services import SLUG, demo_delete, demo_load
from concerto.selection import verify
from concerto.selection.models import Selection, SelectionStatus, Volunteer
from concerto.selection.volunteers import volunteers_purge_expired


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Committed for the module, then removed, so other test modules never see it."""
    with django_db_blocker.unblock():
        result = demo_load()
    yield result
    with django_db_blocker.unblock():
        demo_delete()


def test_the_demo_selection_still_verifies_after_the_purge(demo, db, client):
    campaign = Campaign.objects.get(slug=SLUG)
    selection = Selection.objects.get(campaign=campaign, status=SelectionStatus.DRAWN)
    url = reverse("selection:audit_json", args=[campaign.slug, selection.pk])
    published = client.get(url).json()
    ended = campaign.phases.aggregate(end=Max("ends_at"))["end"]

    report = volunteers_purge_expired(now=ended + timedelta(days=370))

    assert [row["campaign"] for row in report] == [SLUG] and report[0]["volunteers"] >= 20
    assert not Volunteer.objects.filter(campaign=campaign).exclude(profile={}).exists()
    assert not Volunteer.objects.filter(campaign=campaign, sector__isnull=False).exists()
    document = client.get(url).json()
    assert document == published
    out = io.StringIO()
    report = verify.Report(out)
    verify.verify(document, report)
    assert report.failures == 0, out.getvalue()
    assert client.get(reverse("selection:detail", args=[campaign.slug, selection.pk])).status_code == 200
