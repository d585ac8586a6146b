"""The demo's door to door and paper forms: the ambassadors' rounds, the visits, the residents met
at their door and on paper, the anomalies organisers see, the figures."""

from datetime import timedelta

import pytest
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from concerto.campaigns.models import Campaign, Phase, PhaseKind
from concerto.dashboard.selectors import campaign_stats
from concerto.demo.services import SLUG, demo_load
from concerto.fieldwork import selectors, services
from concerto.fieldwork.models import (
    Batch,
    Device,
    Flag,
    PaperSheet,
    Participation,
    Round,
    SyncConflict,
    Visit,
)
from concerto.proposals.models import Action, Origin, Support
from concerto.residents.models import Role, User
from concerto.residents.selectors import role_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(demo, db):
    return Campaign.objects.get(slug=SLUG)


def test_two_ambassadors_walked_rounds_on_several_afternoons(campaign):
    rounds = Round.objects.filter(campaign=campaign)
    assert rounds.values("ambassador").distinct().count() == 2
    assert rounds.values("day").distinct().count() >= 6
    assert Device.objects.filter(campaign=campaign, enrolled_at__isnull=False, revoked_at__isnull=True).count() == 2
    phase = Phase.objects.get(campaign=campaign, kind=PhaseKind.DOOR_TO_DOOR)
    visits = Visit.objects.filter(campaign=campaign)
    assert visits.count() >= 200
    assert not visits.filter(Q(captured_at__lt=phase.starts_at) | Q(captured_at__gt=timezone.now())).exists()
    assert not visits.filter(round__isnull=True).exists() and not visits.filter(household__isnull=True).exists()
    assert all(v.address and v.address == v.household.address_line1 or v.address.startswith(v.household.address_line1)
               for v in visits.select_related("household")[:50])


def test_visits_look_like_real_afternoons(campaign):
    counted = Visit.objects.filter(campaign=campaign, batch__status="accepted")
    # The contact rate, as the guards count it: doors opened (talked, refused, come back later) over doors knocked.
    rate = counted.exclude(outcome="absent").count() / counted.count()
    assert 0.15 <= rate <= 0.30, rate  # the usual band
    for ambassador_id, day in counted.values_list("ambassador", "captured_at__date").distinct():
        times = list(counted.filter(ambassador_id=ambassador_id, captured_at__date=day)
                     .order_by("captured_at").values_list("captured_at", flat=True))
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
        assert min(gaps) >= 180, (ambassador_id, day)  # 3 minutes at least per door
        assert 14 <= timezone.localtime(times[0]).hour <= 15


def test_door_and_paper_supports_and_proposals_belong_to_the_residents_met(campaign):
    door = Participation.objects.filter(campaign=campaign, channel="door_to_door")
    paper = Participation.objects.filter(campaign=campaign, channel="paper")
    assert door.count() == 14 and paper.count() == 6
    assert not door.filter(user__email__isnull=False).exists()
    door_users = set(door.values_list("user", flat=True))
    paper_users = set(paper.values_list("user", flat=True))
    supports = Support.objects.filter(action__campaign=campaign)
    assert set(supports.filter(channel="door_to_door").values_list("user", flat=True)) == door_users
    assert set(supports.filter(channel="paper").values_list("user", flat=True)) == paper_users
    assert supports.filter(channel="door_to_door").count() == 39
    assert supports.filter(channel="paper").count() == 16
    contributions = Action.objects.filter(campaign=campaign)
    assert set(contributions.filter(origin=Origin.DOOR_TO_DOOR).values_list("author", flat=True)) <= door_users
    assert set(contributions.filter(origin=Origin.PAPER).values_list("author", flat=True)) <= paper_users
    assert contributions.filter(origin=Origin.DOOR_TO_DOOR, theme__isnull=False).count() >= 20
    # Consent: every participation names the words read aloud (or printed) and who heard them.
    assert not door.exclude(consent_method="oral").exists() and not paper.exclude(consent_method="paper").exists()
    assert door.filter(recorded_by__memberships__role=Role.AMBASSADOR).distinct().count() == 14
    assert PaperSheet.objects.filter(campaign=campaign, entered_at__isnull=False).count() == 6
    # Most gave their letter code; the others were recognised by the address visited.
    assert door.filter(code__isnull=False).count() >= 10 and not door.filter(household__isnull=True).exists()


def test_the_anomalies_organisers_see(campaign):
    held = Batch.objects.get(campaign=campaign, status="held")
    flag = Flag.objects.get(batch=held)
    assert flag.kind == "too_fast" and flag.status == "open" and flag.detail["doors"] > flag.detail["limit"] == 25
    conflict = SyncConflict.objects.get(campaign=campaign)
    assert Visit.objects.get(client_id=conflict.client_id).outcome != conflict.payload["outcome"]


def test_stats_show_door_and_paper(campaign):
    stats = campaign_stats(campaign)
    assert stats["door_to_door_visits"] == Visit.objects.filter(campaign=campaign, batch__status="accepted").count()
    assert stats["door_to_door_visits"] > 200
    assert stats["by_channel"]["door_to_door"] == 39 and stats["by_channel"]["paper"] == 16


def test_a_resident_of_a_visited_household_is_asked_and_linking_keeps_one_support_per_action(campaign, client):
    email = demo_load().counts["link_prompt"]
    user = User.objects.get(email=email)
    (candidate, *_rest) = selectors.link_candidates(user, campaign)
    client.force_login(user)
    page = client.get(reverse("dashboard:campaign_home", args=[campaign.slug])).content.decode()
    assert reverse("fieldwork:link_confirm", args=[campaign.slug, candidate.id]) in page
    before = dict(Action.objects.filter(campaign=campaign).values_list("pk", "support_count"))
    offline = Participation.objects.get(pk=candidate.id).user
    theirs = set(Support.objects.filter(user=offline).values_list("action", flat=True))
    mine = set(Support.objects.filter(user=user).values_list("action", flat=True))
    residents = role_counts(campaign)[Role.RESIDENT]
    services.participation_link(user=user, campaign=campaign, participation_id=candidate.id)
    after = dict(Action.objects.filter(campaign=campaign).values_list("pk", "support_count"))
    assert {pk: before[pk] - after[pk] for pk in before if before[pk] != after[pk]} == dict.fromkeys(theirs & mine, 1)
    assert role_counts(campaign)[Role.RESIDENT] == residents - 1


def test_releasing_the_held_batch_counts_the_resident_met_that_afternoon(campaign):
    organiser = User.objects.get(email="organisatrice@example.org")
    held = Batch.objects.get(campaign=campaign, status="held")
    visits = campaign_stats(campaign)["door_to_door_visits"]
    services.batch_release(by=organiser, campaign=campaign, batch_id=held.pk, note="Saisie après coup, vérifiée")
    assert campaign_stats(campaign)["door_to_door_visits"] == visits + held.visits.count()
    assert role_counts(campaign)[Role.RESIDENT] == 131
    assert Participation.objects.filter(visit__batch=held).count() == 1
    assert Visit.objects.filter(batch=held).aggregate(n=Count("id"))["n"] >= 20
    assert held.received_at < timezone.now() - timedelta(hours=12)
