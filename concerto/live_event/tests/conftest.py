"""Shared set-up for live-event tests: 3 candidates (Claire's list has her account), 4 published
actions, an event with its running order, and the same event with its reply order published and
on air (``show``)."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from concerto.live_event import services
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
