"""The caller's own account, supports and contributions; never anybody else's."""

from concerto.proposals.services import action_reject, support_add
from concerto.residents.models import Role
from concerto.residents.services import role_grant_by_system

from .conftest import make_actions, token_for


def test_me_needs_a_token(api, db):
    for path in ("/me", "/me/supports", "/me/contributions"):
        response = api.get(path)
        assert response.status_code == 401, path
        assert response.json()["code"] == "unauthorized"


def test_me_lists_roles_per_campaign(api, campaign, other_campaign, resident_alice, alice_token):
    role_grant_by_system(campaign=other_campaign, user=resident_alice, role=Role.AMBASSADOR)
    role_grant_by_system(campaign=other_campaign, user=resident_alice, role=Role.RESIDENT)
    body = api.get("/me", token=alice_token).json()
    assert body["email"] == "alice@example.org"
    assert body["display_name"] == "Alice" and body["public_name"] == "Alice"
    roles = {c["slug"]: sorted(c["roles"]) for c in body["campaigns"]}
    assert roles == {"quartier-test": ["resident"], "autre-quartier": ["ambassador", "resident"]}


def test_me_without_display_name(api, campaign, moderator_marc, marc_token):
    body = api.get("/me", token=marc_token).json()
    assert body["display_name"] == ""
    assert str(moderator_marc.pk) in body["public_name"]


def test_my_supports_are_mine_only(api, campaign, resident_alice, resident_bob, alice_token,
                                   django_assert_max_num_queries):
    actions = make_actions(campaign, 30)
    for action in actions:
        support_add(user=resident_alice, action=action)
    support_add(user=resident_bob, action=actions[0])
    with django_assert_max_num_queries(10):
        body = api.get("/me/supports", token=alice_token, page_size=100).json()
    assert body["count"] == 30
    item = body["items"][0]
    assert set(item) == {"action_id", "action_title", "action_status", "campaign", "channel", "created_at"}
    assert item["campaign"] == "quartier-test" and item["channel"] == "online"
    bob = api.get("/me/supports", token=token_for(resident_bob)).json()
    assert [i["action_id"] for i in bob["items"]] == [actions[0].pk]


def test_my_contributions_show_status_and_rejection_reason(
    api, campaign, pending_action, moderator_marc, resident_bob, alice_token, django_assert_max_num_queries
):
    action_reject(moderator=moderator_marc, campaign=campaign, action_id=pending_action.pk,
                  reason="Ce square est privé.")
    with django_assert_max_num_queries(10):
        body = api.get("/me/contributions", token=alice_token).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == pending_action.pk and item["status"] == "rejected"
    assert item["rejection_reason"] == "Ce square est privé."
    assert item["campaign"] == "quartier-test"
    assert api.get("/me/contributions", token=token_for(resident_bob)).json()["count"] == 0


def test_my_contributions_take_constant_queries(api, campaign, resident_alice, alice_token,
                                               django_assert_max_num_queries, settings):
    from concerto.proposals.services import action_propose

    settings.CONCERTO_RATE_LIMITS = {**settings.CONCERTO_RATE_LIMITS, "contribution": (100, 3600)}
    for i in range(30):
        action_propose(user=resident_alice, campaign=campaign, title=f"Contribution {i}",
                       summary="Un résumé assez long pour passer", theme_id=None)
    with django_assert_max_num_queries(10):
        body = api.get("/me/contributions", token=alice_token, page_size=100).json()
    assert body["count"] == 30 and all(i["status"] == "pending" for i in body["items"])
