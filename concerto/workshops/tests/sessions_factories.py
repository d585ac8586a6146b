"""Builders of the sessions tests: a drawn panel (ORM rows: the draw itself is tested in
concerto/selection/tests), and a workshop planned through the real service."""

import pytest
from django.utils import timezone

from concerto.selection.models import SeatStatus, Selection, SelectionSeat, SelectionStatus
from concerto.selection.tests.factories import add_volunteer, make_call
from concerto.workshops import services


def drawn_panel(campaign, *, selected=4, reserves=2, without_email=(4,)):
    """A drawn selection: ``selected`` people on the panel (those numbered in ``without_email`` have
    no e-mail, a household address instead), then ``reserves`` on the reserve list."""
    make_call(campaign)
    selection = Selection.objects.create(campaign=campaign, title="Panel des ateliers", panel_size=selected,
                                         status=SelectionStatus.DRAWN, drawn_at=timezone.now())
    names = ["Nadia Benali", "Paul Martin", "Zoé", "Louis Durand", "Inès Haddad", "Marc Petit", "Léa Roux"]
    for n in range(1, selected + reserves + 1):
        volunteer = add_volunteer(campaign, n, email=n not in without_email, name=names[(n - 1) % len(names)])
        reserve = n > selected
        SelectionSeat.objects.create(selection=selection, volunteer=volunteer,
                                     status=SeatStatus.RESERVE if reserve else SeatStatus.SELECTED,
                                     reserve_rank=n - selected if reserve else None)
    return selection


def starts_in(days=7, hour=18, minute=30):
    return (timezone.localtime() + timezone.timedelta(days=days)).replace(hour=hour, minute=minute, second=0,
                                                                       microsecond=0)


def plan(campaign, organiser, *, selection=None, facilitators=(), **overrides):
    starts = starts_in()
    values = {"title": "Vivre au quartier", "starts_at": starts, "ends_at": starts + timezone.timedelta(hours=2),
              "place": "Maison de quartier des Chartreux", "address": "12 rue des Lilas, 13004 Marseille",
              "access_notes": "Bus 6, arrêt Chartreux. Entrée de plain-pied.", "selection": selection,
              "agenda": [("Accueil", 15), ("Ce qui va bien, ce qui manque", 45), ("Vote", 30)],
              "facilitators": facilitators}
    values.update(overrides)
    return services.workshop_create(by=organiser, campaign=campaign, **values)


@pytest.fixture
def panel(campaign):
    return drawn_panel(campaign)


@pytest.fixture
def workshop(campaign, organiser_dina, facilitator_fanny, panel):
    return plan(campaign, organiser_dina, selection=panel, facilitators=[facilitator_fanny])
