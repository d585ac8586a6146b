"""The demo's drawn selection, loaded once for both checks.

Its published file (issue 8, F8 and F2): no combination of published per-person answers is shared
by fewer than 5 volunteers, only quota categories appear, never talents, and the whole file still
verifies, with a canonical random value. After the retention purge (issue 9, item 8): the same
selection.json, which verify.py still accepts, with every volunteer's answers erased."""

import io
import json
from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Max
from django.urls import reverse

from concerto.campaigns.models import Campaign
from concerto.demo.services import SLUG
from concerto.selection import verify
from concerto.selection.erasure import volunteers_purge_expired
from concerto.selection.models import Selection, SelectionStatus
from concerto.volunteers.models import Volunteer


@pytest.fixture
def document(demo, db, client):
    campaign = Campaign.objects.get(slug=SLUG)
    selection = Selection.objects.get(campaign=campaign, status=SelectionStatus.DRAWN)
    response = client.get(reverse("selection:audit_json", args=[campaign.slug, selection.pk]))
    assert response.status_code == 200
    return response.json()


def test_no_published_combination_is_shared_by_fewer_than_five(document):
    pool = document["pool"]
    assert len(pool) >= 20
    groups = Counter(tuple(sorted(p["features"].items())) for p in pool)
    assert min(groups.values()) >= 5, groups
    quota_categories = {q["category"] for q in document["quotas"]}
    for person in pool:
        assert set(person["features"]) <= set(document["published_categories"]) <= quota_categories
        assert not any(c.startswith("talent:") for c in person["features"])
        assert len(person["commitment"]) == 64
    # The answers that no quota uses (internet access) are never published.
    assert "numerique" not in json.dumps(document["pool"])


def test_the_demo_file_verifies_with_a_canonical_value(document):
    assert document["draw"]["random_value"] == "7-12-23-38-41"
    assert document["meta"]["random_format"] == {"kind": "lottery", "count": 5, "low": 1, "high": 49}
    out = io.StringIO()
    report = verify.Report(out)
    verify.verify(document, report)
    assert report.failures == 0, out.getvalue()
    assert "Confidentialité" in out.getvalue()


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
