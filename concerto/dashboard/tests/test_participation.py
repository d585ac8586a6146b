"""The participation dashboard, its public summary and an action's trace (issue 15)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerto.dashboard.selectors import action_trace, participation_dashboard
from concerto.proposals.models import Channel
from concerto.proposals.services import support_add
from concerto.residents.models import Role
from conftest import make_user


def _supporters(campaign, action, n, channel=Channel.ONLINE, start=0):
    for i in range(start, start + n):
        user = make_user(f"r{i}@example.org", campaign=campaign, role=Role.RESIDENT)
        assert support_add(user=user, action=action, channel=channel)


@pytest.fixture
def supported(campaign, published_action):
    _supporters(campaign, published_action, 7)
    _supporters(campaign, published_action, 2, Channel.DOOR_TO_DOOR, start=100)
    return published_action


def test_exact_figures_for_organisers(campaign, supported):
    figures = participation_dashboard(campaign, public=False)
    channels = {c["key"]: c for c in figures["channels"]}
    assert channels["online"]["supports"] == 7
    assert channels["door_to_door"]["supports"] == 2
    assert channels["online"]["supporters"] == 7
    assert figures["supports_total"] == 9
    assert [s["key"] for s in figures["funnel"]] == ["letters_sent", "codes_used", "participants"]
    assert figures["funnel"][2]["value"] == 9
    assert sum(w["supports"] for w in figures["over_time"]) == 9
    assert figures["audience"]["recorded"] is False


def test_public_summary_hides_small_groups(campaign, supported):
    figures = participation_dashboard(campaign, public=True)
    channels = {c["key"]: c for c in figures["channels"]}
    assert channels["door_to_door"]["supports"] is None
    # Secondary suppression: the total is public, so the smallest shown cell is hidden too.
    assert channels["online"]["supports"] is None
    assert figures["supports_total"] == 9
    assert all(w["online"] is None for w in figures["over_time"])


def test_pages_and_permissions(client, campaign, supported, organiser_dina, resident_alice):
    url = reverse("dashboard:participation", args=[campaign.slug])
    assert client.get(url).status_code == 302  # a visitor: the sign-in page
    client.force_login(resident_alice)
    assert client.get(url).status_code == 404
    public = client.get(reverse("dashboard:participation_public", args=[campaign.slug]))
    assert public.status_code == 200
    html = public.content.decode()
    assert 'role="img"' in html and "<desc" in html and "fewer than 5" in html.lower() or "moins de 5" in html
    client.force_login(organiser_dina)
    page = client.get(url)
    assert page.status_code == 200
    assert "<svg" in page.content.decode()


def test_trace_without_live_event_or_synthesis(client, campaign, supported):
    response = client.get(reverse("dashboard:action_trace", args=[campaign.slug, supported.pk]))
    assert response.status_code == 200
    trace = response.context["trace"]
    assert trace["supports"]["total"] == 9
    assert trace["door"]["total"] is None  # 2 door supports: hidden
    assert trace["reactions"]["events"] == []
    assert trace["commitments"] == []
    assert trace["final"].number == 1
    assert f"/c/{campaign.slug}/actions/{supported.pk}/versions/" in response.content.decode()


def test_trace_unknown_action_is_404(client, campaign):
    assert client.get(reverse("dashboard:action_trace", args=[campaign.slug, 999999])).status_code == 404


def test_trace_link_on_action_page(client, campaign, supported):
    page = client.get(reverse("proposals:detail", args=[campaign.slug, supported.pk]))
    assert reverse("dashboard:action_trace", args=[campaign.slug, supported.pk]) in page.content.decode()


def test_bounded_queries(campaign, supported, published_action):
    with CaptureQueriesContext(connection) as first:
        participation_dashboard(campaign, public=True)
    _supporters(campaign, published_action, 10, start=200)
    with CaptureQueriesContext(connection) as second:
        participation_dashboard(campaign, public=True)
    assert len(second) == len(first)
    with CaptureQueriesContext(connection) as trace:
        action_trace(published_action)
    assert len(trace) < 25


def test_live_audience_peak_from_the_stream_hub(client, campaign, organiser_dina):
    """The hub tells live_event how many viewers a topic has each time one connects; the highest
    is kept, and both pages print it (the public one hides a peak under 5)."""
    from datetime import timedelta

    from django.utils import timezone

    from concerto.core.live.hub import Hub, Viewer
    from concerto.live_event.models import Event

    event = Event.objects.create(campaign=campaign, title="Le plateau", starts_at=timezone.now() + timedelta(days=1))
    hub = Hub()
    for _ in range(3):
        hub.add(Viewer([f"event:{event.pk}"]))  # no running loop: told at once
    assert participation_dashboard(campaign, public=False)["audience"]["peak"] == 3
    assert participation_dashboard(campaign, public=True)["audience"]["peak"] is None
    for _ in range(4):
        hub.add(Viewer([f"event:{event.pk}"]))
    hub.remove(next(iter(hub.viewers[f"event:{event.pk}"])))
    audience = participation_dashboard(campaign, public=True)["audience"]
    assert audience["recorded"] and audience["peak"] == 7 and audience["event"] == "Le plateau"
    page = client.get(reverse("dashboard:participation_public", args=[campaign.slug])).content.decode()
    assert "7" in page and "Le plateau" in page
