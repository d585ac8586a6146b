"""The wall in the API: public minutes, ideas, themes and votes, each only once the room revealed it."""

import uuid

import pytest

from concerto.workshops import services
from concerto.workshops.models import Phase
from concerto.workshops.tests.sheets_world import fill_wall, make_workshop, move_to

from .conftest import token_for


@pytest.fixture
def wall(campaign, organiser_dina, facilitator_fanny):
    w = make_workshop(campaign, organiser_dina, facilitators=[facilitator_fanny])
    fill_wall(w, facilitator=facilitator_fanny)
    return w


def base(w):
    return f"/campaigns/{w.campaign.slug}/workshops/{w.pk}"


def test_nothing_before_the_reveal(api, wall, facilitator_fanny):
    token = token_for(facilitator_fanny)
    for part in ("ideas", "themes", "votes", "minutes"):
        for t in (None, token):  # staff tokens change nothing: the API is the public's
            response = api.get(f"{base(wall)}/{part}", token=t)
            assert response.status_code == 404, part
            assert response.json()["code"] == "workshop_not_found"


def test_ideas_and_themes_after_the_reveal_without_names_or_dots(api, wall, facilitator_fanny):
    move_to(wall, Phase.REVEAL, facilitator_fanny)
    ideas = api.get(f"{base(wall)}/ideas").json()
    assert len(ideas) == 40
    assert set(ideas[0]) == {"id", "prompt", "text", "place", "theme_id", "merged_into", "proxy", "dots"}
    assert all(i["dots"] is None for i in ideas)
    assert "Personne" not in str(ideas)
    themes = api.get(f"{base(wall)}/themes").json()
    assert [t["name"] for t in themes][:2] == ["Mobilité", "Espaces verts"] and themes[0]["dots"] is None
    assert api.get(f"{base(wall)}/votes").status_code == 404


def test_votes_after_the_vote_and_minutes_after_closing(api, wall, facilitator_fanny):
    wall = move_to(wall, Phase.SHEETS, facilitator_fanny)
    s, _ = services.sheet_save(by=facilitator_fanny, workshop=wall, client_id=str(uuid.uuid4()), title="Des bancs à l'ombre",
                               problem="Trop chaud.", proposal="Installer des bancs sous les arbres.", actors=["city"])
    services.sheet_status_set(by=facilitator_fanny, workshop=wall, sheet_id=s.pk, status="retained")
    services.sheets_publish(by=facilitator_fanny, workshop=wall)
    votes = api.get(f"{base(wall)}/votes").json()
    assert votes[0]["rank"] == 1 and any(v["dots"] == 0 for v in votes)
    assert set(votes[0]) == {"kind", "id", "label", "dots", "voters", "rank", "tied"}
    assert api.get(f"{base(wall)}/minutes").status_code == 404
    move_to(wall, Phase.CLOSED, facilitator_fanny)
    minutes = api.get(f"{base(wall)}/minutes").json()
    assert minutes["attendance"]["present"] == 11
    assert minutes["sheets"][0]["action_url"].endswith(f"/actions/{minutes['sheets'][0]['action_id']}/")
    assert "Personne" not in str(minutes)  # no names in the API, consent or not
    assert api.get(f"{base(wall)}/ideas").json()[0]["dots"] is not None


def test_unknown_workshop_or_campaign(api, wall, other_campaign):
    assert api.get(f"/campaigns/{wall.campaign.slug}/workshops/999999/ideas").status_code == 404
    assert api.get(f"/campaigns/{other_campaign.slug}/workshops/{wall.pk}/ideas").status_code == 404
