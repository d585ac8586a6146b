"""Public reads about campaigns."""

from concerto.dashboard.selectors import STAT_KEYS
from concerto.proposals.models import Channel
from concerto.proposals.services import support_add
from concerto.residents.models import Role
from conftest import make_user

from .conftest import make_actions, token_for


def test_list_shows_public_campaigns_only(api, campaign, other_campaign):
    other_campaign.is_public = False
    other_campaign.save()
    body = api.get("/campaigns").json()
    assert [c["slug"] for c in body["items"]] == ["quartier-test"]
    assert body["count"] == 1 and body["page"] == 1 and body["pages"] == 1
    assert body["items"][0]["organisation"]["name"] == "Association test"


def test_list_is_paginated(api, campaign, other_campaign, closed_campaign, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        body = api.get("/campaigns", page_size=2, page=2).json()
    assert body["count"] == 3 and body["pages"] == 2 and len(body["items"]) == 1
    assert api.get("/campaigns", page=9).json()["items"] == []


def test_detail_has_the_phase_calendar(api, campaign, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = api.get(f"/campaigns/{campaign.slug}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Quartier test" and body["territory"] == "Aix-en-Provence"
    phases = {p["kind"]: p for p in body["phases"]}
    assert phases["participation"]["state"] == "current"
    assert phases["participation"]["label"]


def test_unknown_campaign_is_a_json_404(api, db):
    for path in ("/campaigns/nope", "/campaigns/nope/stats", "/campaigns/nope/themes",
                 "/campaigns/nope/actions", "/campaigns/nope/actions/1"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"code": "not_found", "message": response.json()["message"], "errors": {}}


def test_stats_have_every_key_and_suppress_small_groups(
    api, campaign, published_action, resident_alice, django_assert_max_num_queries
):
    support_add(user=resident_alice, action=published_action)
    for i in range(5):
        user = make_user(f"porte{i}@example.org", campaign=campaign, role=Role.RESIDENT)
        support_add(user=user, action=published_action, channel=Channel.DOOR_TO_DOOR)
    # One more than before issue 15, for the dossiers sent (counted from the dispatches).
    with django_assert_max_num_queries(11):
        response = api.get(f"/campaigns/{campaign.slug}/stats")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == set(STAT_KEYS) | {"by_channel"}
    assert body["supports"] == 6
    assert body["residents_participating"] == 6
    assert body["actions_from_workshops"] == 1
    # 1 online is hidden; 5 door-to-door is hidden too, or 6 − 5 would give the online one back.
    assert body["by_channel"] == {"online": None, "door_to_door": None, "workshop": 0, "paper": 0}


def test_themes(api, campaign, resident_alice):
    body = api.get(f"/campaigns/{campaign.slug}/themes", token=token_for(resident_alice)).json()
    assert [(t["slug"], t["name"]) for t in body] == [("mobilite", "Mobilité"), ("espaces-verts", "Espaces verts")]
    assert all(isinstance(t["id"], int) for t in body)


def test_campaign_reads_take_constant_queries(api, campaign, alice_token, django_assert_max_num_queries):
    make_actions(campaign, 30)
    # 10, one for the door-to-door visits (issue 13), one for the live event's candidates and reactions (issue 14),
    # one for the dossiers sent (issue 15)
    with django_assert_max_num_queries(13):
        assert api.get(f"/campaigns/{campaign.slug}/stats", token=alice_token).status_code == 200
    with django_assert_max_num_queries(10):
        assert api.get(f"/campaigns/{campaign.slug}/themes", token=alice_token).status_code == 200
