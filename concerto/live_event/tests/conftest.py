"""Shared set-up for live-event tests: 3 candidates (Claire's list has her account), 4 published
actions, an event with its running order, and the same event with its reply order published and
on air (``show``); ``recorded``: that show with a known record of speaking turns."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from concerto.live_event import services
from concerto.live_event.models import AirSpan, Event, SpeakingTurn
from concerto.proposals.models import Origin, Theme
from concerto.proposals.services import action_create_published_by_system

LISTS = [("Claire Martin", "Saint-Jérôme en commun"), ("Paul Durand", "Agir pour Marseille 13"),
         ("Inès Benali", "Le quartier d'abord")]


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def candidates(campaign, organiser_dina, candidate_claire):
    out = []
    for i, (name, list_name) in enumerate(LISTS):
        out.append(services.candidate_create(actor=organiser_dina, campaign=campaign, name=name, list_name=list_name,
                                             contact_email=f"liste{i + 1}@example.org",
                                             user=candidate_claire if i == 0 else None))
    return out


@pytest.fixture
def actions(campaign):
    theme = Theme.objects.get(campaign=campaign, slug="mobilite")
    return [action_create_published_by_system(
        campaign=campaign, title=f"Action numéro {i}", summary=f"Résumé de l'action numéro {i} pour le quartier.",
        theme_id=theme.pk, origin=Origin.WORKSHOP) for i in range(1, 5)]


@pytest.fixture
def event(campaign, organiser_dina, candidates, actions):
    event = services.event_create(actor=organiser_dina, campaign=campaign, title="Le plateau des candidats",
                                  starts_at=timezone.now() + timedelta(hours=1), place="Centre social",
                                  stream_url="https://video.example.org/live")
    services.running_order_set(actor=organiser_dina, event=event,
                               items=[(a.pk, f"Habitant·e {i}") for i, a in enumerate(actions, 1)])
    event.refresh_from_db()
    return event


@pytest.fixture
def show(event, organiser_dina, facilitator_fanny):
    """The event with its reply order published, started, the first action on air."""
    services.event_order_publish(actor=organiser_dina, event=event, seed="0123456789abcdef")
    services.event_start(actor=facilitator_fanny, event=event)
    services.on_air_step(actor=facilitator_fanny, event=event, step=1)
    event.refresh_from_db()
    return event


def record_turn(event, candidate, item, start, seconds):
    return SpeakingTurn.objects.create(event=event, candidate=candidate, item=item, client_id=new_id(),
                                       started_at=start, ended_at=None if seconds is None else start + timedelta(seconds=seconds))


@pytest.fixture
def recorded(show):
    """The show replaced by a known record: started at T0, items 1 and 2 on air (1 from +5 s to
    +300 s, 2 from +300 s to +600 s), items 3 and 4 never; Claire 100 s (2 turns), Paul 60 s,
    Inès 45 s; the turns all closed."""
    t0 = timezone.now() - timedelta(hours=1)
    Event.objects.filter(pk=show.pk).update(started_at=t0)
    show.refresh_from_db()
    AirSpan.objects.filter(event=show).delete()
    SpeakingTurn.objects.filter(event=show).delete()
    items = list(show.items.order_by("position"))
    claire, paul, ines = list(show.campaign.candidates.order_by("ballot_order"))
    AirSpan.objects.create(event=show, item=items[0], started_at=t0 + timedelta(seconds=5),
                           ended_at=t0 + timedelta(seconds=300))
    AirSpan.objects.create(event=show, item=items[1], started_at=t0 + timedelta(seconds=300),
                           ended_at=t0 + timedelta(seconds=600))
    Event.objects.filter(pk=show.pk).update(on_air=items[1])
    record_turn(show, claire, items[0], t0 + timedelta(seconds=10), 70)
    record_turn(show, paul, items[0], t0 + timedelta(seconds=80), 60)
    record_turn(show, claire, items[1], t0 + timedelta(seconds=310), 30)
    record_turn(show, ines, items[1], t0 + timedelta(seconds=340), 45)
    show.refresh_from_db()
    return show, items, (claire, paul, ines), t0
