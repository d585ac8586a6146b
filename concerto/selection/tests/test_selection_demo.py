"""The demo loader's selection on a small generated campaign: 12 drawn, quotas met, reproducible."""

import random

from django.utils import timezone

from concerto.campaigns.models import Sector
from concerto.demo.selection import PANEL_SIZE, RANDOM_FORMAT, RANDOM_VALUE, TITLE, load_selection
from concerto.residents.models import Role, User
from concerto.selection import algorithms, selectors
from concerto.selection.models import SeatStatus, SelectionSeat, SelectionStatus
from concerto.volunteers.defaults import call_defaults
from concerto.volunteers.models import Volunteer, VolunteerCall
from conftest import make_user


def _generated_volunteers(campaign, count=40, seed=3):
    rng = random.Random(seed)
    sectors = [Sector.objects.create(campaign=campaign, code=code, name=code.title())
               for code in ("lavandes", "gare", "ecoles", "parc")]
    call = VolunteerCall.objects.create(campaign=campaign, **call_defaults(campaign))
    if not call.workshop_dates:
        call.workshop_dates = [{"code": "atelier-1", "label": "Atelier 1"}, {"code": "atelier-2", "label": "Atelier 2"}]
        call.save()
    talents = [t["code"] for t in call.talents]
    for n in range(count):
        user = User.objects.create_user(f"demo{n}@example.org" if n % 5 else None, display_name=f"Habitant {n}")
        Volunteer.objects.create(
            campaign=campaign, user=user, pseudonym=f"V-{n:04d}", sector=sectors[n % len(sectors)],
            talents=rng.sample(talents, rng.randint(1, 3)),
            availability=[d["code"] for d in call.workshop_dates],
            profile={q["code"]: rng.choice(q["options"])["code"] for q in call.profile_questions},
            consent_at=timezone.now(), consent_version=1)


def test_load_selection_draws_twelve_meeting_the_quotas(campaign):
    _generated_volunteers(campaign)
    organiser = make_user("orga-demo@example.org", campaign=campaign, role=Role.ORGANISER)
    selection = load_selection(campaign=campaign, organiser=organiser, rng=random.Random(1))
    assert selection.title == TITLE and selection.status == SelectionStatus.DRAWN
    assert selection.random_value == algorithms.canonical_random_value(RANDOM_FORMAT, RANDOM_VALUE) == "7-12-23-38-41"
    assert selection.random_source and selection.witnesses and selection.random_format == RANDOM_FORMAT
    selected = SelectionSeat.objects.filter(selection=selection, status=SeatStatus.SELECTED)
    assert selected.count() == PANEL_SIZE
    assert selectors.selection_figures(campaign) == {"workshop_participants": PANEL_SIZE}
    people = {p["id"]: algorithms.Person(p["id"], p["features"]) for p in selection.pool}
    quotas = [algorithms.Quota.from_json(q) for q in selection.quotas]
    panel = [s.volunteer.pseudonym for s in selected.select_related("volunteer")]
    assert algorithms.panel_meets_quotas(panel, people, quotas, PANEL_SIZE)
    categories = {q.category for q in quotas}
    assert "sector" in categories and "age" in categories
    assert all(q.min >= 1 for q in quotas if q.category.startswith("talent:"))
    assert SelectionSeat.objects.filter(selection=selection, status=SeatStatus.RESERVE).count() == 40 - PANEL_SIZE
