"""The demo's volunteers: a closed call, ~48 varied volunteers, every talent held by at least three."""

import random
from collections import Counter

import pytest

from concerto.campaigns.models import Sector
from concerto.demo.volunteers import MIN_HOLDERS, VOLUNTEER_COUNT, call_window, load_volunteers
from concerto.residents.services import resident_verify_by_letter
from concerto.volunteers.models import Volunteer, VolunteerCall
from concerto.volunteers.selectors import call_for, volunteer_figures, volunteer_pool
from conftest import make_user


@pytest.fixture
def residents(campaign):
    sectors = [Sector.objects.create(campaign=campaign, code=f"s{i}", name=f"Secteur {i}") for i in range(4)]
    people = []
    for i in range(70):
        user = make_user(f"h{i}@example.org", name=f"Habitant {i}")
        resident_verify_by_letter(user=user, campaign=campaign, sector=sectors[i % 4])
        people.append(user)
    return people


def test_demo_volunteers(campaign, organiser_dina, residents):
    volunteers = load_volunteers(campaign=campaign, residents=residents, rng=random.Random(7))
    call = call_for(campaign)
    assert call is not None and not call.is_open
    assert len(volunteers) == VOLUNTEER_COUNT == volunteer_figures(campaign)["volunteers"]
    assert len({x.pseudonym for x in volunteers}) == VOLUNTEER_COUNT
    assert {x.user for x in volunteers} <= set(residents)
    talents = Counter(code for x in volunteers for code in x.talents)
    assert all(talents[t["code"]] >= MIN_HOLDERS for t in call.talents)
    assert all(1 <= len(x.talents) <= 3 for x in volunteers)
    for question in call.profile_questions:
        answers = Counter(x.profile[question["code"]] for x in volunteers)
        assert len(answers) >= 2, question["code"]
    both = volunteer_pool(campaign, required_dates=[d["code"] for d in call.workshop_dates])
    assert len(both) >= VOLUNTEER_COUNT * 2 // 3
    assert len({x.sector_id for x in volunteers}) == 4
    # The call is open from the letters' arrival to the third day of the selection phase (demo/volunteers.py).
    opened, closed = call_window(campaign)
    assert all(opened <= x.consent_at <= closed for x in volunteers)


def test_demo_volunteers_are_reproducible(campaign, organiser_dina, residents):
    first = load_volunteers(campaign=campaign, residents=residents, rng=random.Random(3))
    snapshot = [(x.pseudonym, x.user_id, x.talents, x.availability, x.profile) for x in first]
    Volunteer.objects.all().delete()
    VolunteerCall.objects.all().delete()
    again = load_volunteers(campaign=campaign, residents=residents, rng=random.Random(3))
    assert [(x.pseudonym, x.user_id, x.talents, x.availability, x.profile) for x in again] == snapshot
