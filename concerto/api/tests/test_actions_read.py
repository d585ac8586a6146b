"""Reading actions and comments: filters, pagination, visibility, own supports, query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from concerto.proposals.models import Action, Origin
from concerto.proposals.services import (
    action_create_published_by_system,
    action_merge,
    action_reject,
    comment_add,
    comment_hide,
    support_add,
)

from .conftest import make_actions, token_for


def actions_path(campaign, suffix=""):
    return f"/campaigns/{campaign.slug}/actions{suffix}"


# --- List ---------------------------------------------------------------------------------------


def test_list_item_shape(api, published_action, alice_token, resident_alice):
    support_add(user=resident_alice, action=published_action)
    body = api.get(actions_path(published_action.campaign), token=alice_token).json()
    assert body["count"] == 1 and body["page"] == 1 and body["page_size"] == 20 and body["pages"] == 1
    item = body["items"][0]
    assert set(item) == {
        "id", "title", "summary", "theme", "place", "origin", "status", "support_count",
        "comment_count", "published_at", "merged_into", "supported_by_me",
    }
    assert item["id"] == published_action.pk
    assert item["theme"]["slug"] == "mobilite"
    assert item["origin"] == "workshop" and item["status"] == "published"
    assert item["support_count"] == 1 and item["supported_by_me"] is True
    assert item["merged_into"] is None
    assert "body_html" not in item


def test_list_hides_pending_and_rejected_actions(api, campaign, published_action, pending_action, moderator_marc):
    rejected = action_create_published_by_system(campaign=campaign, title="À rejeter", summary="Une action à rejeter ici",
                                       origin=Origin.ONLINE)
    action_reject(moderator=moderator_marc, campaign=campaign, action_id=rejected.pk, reason="Hors sujet ici.")
    ids = [a["id"] for a in api.get(actions_path(campaign), token=token_for(moderator_marc)).json()["items"]]
    assert ids == [published_action.pk]


def test_list_filters_and_sorts(api, campaign, resident_alice, resident_bob):
    a, b, c = make_actions(campaign, 3, prefix="Idée")
    Action.objects.filter(pk=a.pk).update(published_at=timezone.now() - timedelta(days=2))
    support_add(user=resident_alice, action=b)
    support_add(user=resident_bob, action=b)
    support_add(user=resident_alice, action=c)
    path = actions_path(campaign)

    assert [i["id"] for i in api.get(path).json()["items"]] == [b.pk, c.pk, a.pk]
    assert [i["id"] for i in api.get(path, sort="newest").json()["items"]][-1] == a.pk
    assert [i["id"] for i in api.get(path, theme="mobilite").json()["items"]] == [b.pk]
    assert [i["id"] for i in api.get(path, origin="workshop").json()["items"]] == [a.pk]
    assert [i["id"] for i in api.get(path, q="idee 2").json()["items"]] == [c.pk]
    assert api.get(path, theme="inconnu").json()["count"] == 0


def test_list_status_filter_and_merged_into(api, campaign, moderator_marc):
    a, b = make_actions(campaign, 2)
    action_merge(moderator=moderator_marc, campaign=campaign, action_id=a.pk, into_id=b.pk)
    merged = api.get(actions_path(campaign), status="merged").json()["items"]
    assert [(i["id"], i["merged_into"], i["status"]) for i in merged] == [(a.pk, b.pk, "merged")]
    assert [i["id"] for i in api.get(actions_path(campaign), status="published").json()["items"]] == [b.pk]


def test_list_pagination(api, campaign):
    make_actions(campaign, 7)
    body = api.get(actions_path(campaign), page_size=3, page=3).json()
    assert body["count"] == 7 and body["pages"] == 3 and len(body["items"]) == 1
    assert api.get(actions_path(campaign), page=5, page_size=3).json()["items"] == []


@pytest.mark.parametrize("params, field", [
    ({"page_size": 101}, "page_size"),
    ({"page_size": 0}, "page_size"),
    ({"page": 0}, "page"),
    ({"page": "deux"}, "page"),
    ({"sort": "random"}, "sort"),
    ({"status": "pending"}, "status"),
    ({"origin": "moon"}, "origin"),
])
def test_list_rejects_bad_parameters_with_422(api, campaign, params, field):
    response = api.get(actions_path(campaign), **params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request" and body["message"]
    assert field in body["errors"]


def test_supported_by_me_is_about_the_caller_only(api, campaign, resident_alice, resident_bob, bob_token):
    a, b = make_actions(campaign, 2)
    support_add(user=resident_alice, action=a)
    support_add(user=resident_bob, action=b)
    items = {i["id"]: i["supported_by_me"] for i in api.get(actions_path(campaign), token=bob_token).json()["items"]}
    assert items == {a.pk: False, b.pk: True}


@pytest.mark.parametrize("who", ["anonymous", "resident"])
def test_list_of_30_actions_takes_constant_queries(api, campaign, resident_alice, who,
                                                   django_assert_max_num_queries):
    actions = make_actions(campaign, 30)
    for action in actions[:10]:
        support_add(user=resident_alice, action=action)
    token = token_for(resident_alice) if who == "resident" else None
    with django_assert_max_num_queries(10):
        body = api.get(actions_path(campaign), token=token, page_size=100).json()
    assert len(body["items"]) == 30
    assert sum(1 for i in body["items"] if i["supported_by_me"]) == (10 if token else 0)


# --- Detail -------------------------------------------------------------------------------------


def test_detail_of_a_published_action(api, published_action, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = api.get(actions_path(published_action.campaign, f"/{published_action.pk}"))
    assert response.status_code == 200
    body = response.json()
    assert body["body_html"] == "<p>Les voitures roulent <strong>vite</strong> le matin.</p>"
    assert body["rejection_reason"] is None
    assert body["supported_by_me"] is None


def test_pending_action_is_404_except_for_its_author_and_moderators(
    api, campaign, pending_action, alice_token, bob_token, eve_token, claire_token, marc_token
):
    path = actions_path(campaign, f"/{pending_action.pk}")
    for token in (None, bob_token, eve_token, claire_token):
        response = api.get(path, token=token)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert api.get(path, token=alice_token).json()["status"] == "pending"
    assert api.get(path, token=marc_token).json()["status"] == "pending"
    # nor can its comments be listed
    assert api.get(f"{path}/comments", token=bob_token).status_code == 404


def test_rejection_reason_only_for_author_and_moderators(
    api, campaign, pending_action, moderator_marc, alice_token, bob_token, marc_token, organiser_dina
):
    action_reject(moderator=moderator_marc, campaign=campaign, action_id=pending_action.pk,
                  reason="Déjà prévu par la mairie.")
    path = actions_path(campaign, f"/{pending_action.pk}")
    assert api.get(path, token=alice_token).json()["rejection_reason"] == "Déjà prévu par la mairie."
    assert api.get(path, token=marc_token).json()["rejection_reason"] == "Déjà prévu par la mairie."
    assert api.get(path, token=token_for(organiser_dina)).json()["rejection_reason"] == "Déjà prévu par la mairie."
    assert api.get(path, token=bob_token).status_code == 404
    assert api.get(path).status_code == 404


def test_rejection_reason_of_a_republished_action_stays_private(api, campaign, moderator_marc, bob_token):
    action = action_create_published_by_system(campaign=campaign, title="Une idée publiée", summary="Résumé de l'idée publiée",
                                     origin=Origin.ONLINE)
    Action.objects.filter(pk=action.pk).update(rejection_reason="Ancienne raison")
    assert api.get(actions_path(campaign, f"/{action.pk}"), token=bob_token).json()["rejection_reason"] is None


def test_an_action_is_only_found_in_its_campaign(api, campaign, other_campaign, published_action):
    assert api.get(actions_path(other_campaign, f"/{published_action.pk}")).status_code == 404
    assert api.get(actions_path(campaign, "/999999")).status_code == 404
    response = api.get(actions_path(campaign, "/abc"))
    assert response.status_code == 422
    assert "action_id" in response.json()["errors"]


# --- Comments -----------------------------------------------------------------------------------


def test_comments_show_visible_ones_and_only_the_reason_of_hidden_ones(
    api, campaign, published_action, resident_alice, resident_bob, moderator_marc, django_assert_max_num_queries
):
    kept = comment_add(user=resident_alice, action=published_action, body="Très bonne idée !")
    hidden = comment_add(user=resident_bob, action=published_action, body="Propos injurieux")
    comment_hide(moderator=moderator_marc, campaign=campaign, comment_id=hidden.pk, reason="Propos irrespectueux")
    for _i in range(20):
        comment_add(user=resident_alice, action=published_action, body="Encore un commentaire")
    path = actions_path(campaign, f"/{published_action.pk}/comments")
    with django_assert_max_num_queries(6):
        body = api.get(path, page_size=2).json()
    assert body["count"] == 22
    first, second = body["items"]
    assert first == {"id": kept.pk, "status": "visible", "created_at": first["created_at"],
                     "body": "Très bonne idée !", "author_name": "Alice", "author_roles": [], "hidden_reason": None}
    assert second == {"id": hidden.pk, "status": "hidden", "created_at": second["created_at"],
                      "body": None, "author_name": None, "author_roles": [], "hidden_reason": "Propos irrespectueux"}
    assert "Propos injurieux" not in api.get(path, page_size=100).content.decode()


def test_no_endpoint_reveals_supporters(api, published_action, resident_alice, alice_token):
    support_add(user=resident_alice, action=published_action)
    path = actions_path(published_action.campaign, f"/{published_action.pk}")
    for response in (api.get(path), api.get(actions_path(published_action.campaign)),
                     api.get(f"{path}/comments"), api.get(f"/campaigns/{published_action.campaign.slug}/stats")):
        text = response.content.decode()
        assert "alice" not in text.lower()
    assert api.get(f"{path}/support").status_code == 405

