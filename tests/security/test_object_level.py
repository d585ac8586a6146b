"""Object-level authorisation: what belongs to one person (a support, a token, a contribution, a
session) cannot be changed by another, through the pages or the API, in this campaign or from another."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from concerto.proposals.models import ActionStatus, CommentStatus, Support
from concerto.proposals.services import action_create_published_by_system, support_add
from concerto.residents.models import ApiToken, Role
from concerto.residents.services import role_grant_by_system

pytestmark = pytest.mark.django_db


def api_call(method, path, token=None, data=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    body = json.dumps(data) if data is not None else ""
    return Client().generic(method, path, body, content_type="application/json", **headers)


def test_another_resident_cannot_revoke_my_token(world):
    alice_token = world.alice_token
    for role in ("resident_elsewhere", "ambassador", "moderator", "organiser"):
        r = world.client(role).post(reverse("dashboard:me_token_revoke", args=[alice_token.pk]), follow=True)
        assert r.status_code == 200
        assert "Ce jeton n’existe pas" in r.content.decode()
        alice_token.refresh_from_db()
        assert alice_token.revoked_at is None, role
    assert api_call("GET", "/api/v1/me", world.tokens["resident"]).status_code == 200


def test_tokens_are_listed_and_exported_only_to_their_owner(world):
    for role in ("resident_elsewhere", "moderator", "organiser"):
        page = world.client(role).get(reverse("dashboard:me")).content.decode()
        assert "script d'Alice" not in page and "script d&#x27;Alice" not in page
        export = world.client(role).get(reverse("dashboard:me_export")).content.decode()
        assert "script d'Alice" not in export
    assert ApiToken.objects.filter(user=world.users["resident"]).count() == 2


def test_withdrawing_touches_only_my_own_support(world):
    action, slug = world.action, world.campaign.slug
    bob_support = Support.objects.get(action=action, user=world.bob)
    action.refresh_from_db()
    count = action.support_count
    assert count == 1
    r = world.client("resident").post(reverse("proposals:support", args=[slug, action.pk]), {"op": "withdraw"})
    assert r.status_code == 302
    assert api_call("DELETE", f"/api/v1/campaigns/{slug}/actions/{action.pk}/support",
                    world.tokens["resident"]).status_code == 404
    action.refresh_from_db()
    assert action.support_count == count
    assert Support.objects.filter(pk=bob_support.pk, user=world.bob).exists()


def test_my_supports_are_never_shown_to_others(world):
    support_add(user=world.users["resident"], action=world.action)
    for role in ("resident_elsewhere", "moderator", "organiser", "candidate"):
        mine = api_call("GET", "/api/v1/me/supports", world.tokens[role]).json()
        assert mine["count"] == 0, role
        detail = api_call("GET", f"/api/v1/campaigns/{world.campaign.slug}/actions/{world.action.pk}",
                          world.tokens[role]).json()
        assert detail["supported_by_me"] is False
        page = world.client(role).get(reverse("proposals:detail", args=[world.campaign.slug, world.action.pk]))
        assert "alice@example.org" not in page.content.decode()


def test_nobody_but_moderators_can_decide_on_a_contribution(world):
    slug, pending = world.campaign.slug, world.pending
    for role in ("resident", "resident_elsewhere", "ambassador", "candidate", "facilitator"):
        for decision in ({"decision": "publish"}, {"decision": "reject", "reason": "Non merci, vraiment."},
                         {"decision": "merge", "into": world.action.pk}):
            r = world.client(role).post(reverse("proposals:moderate_action", args=[slug, pending.pk]), decision)
            assert r.status_code == 404
        r = world.client(role).post(reverse("proposals:moderate_comment", args=[slug, world.comment.pk]),
                                    {"decision": "hide", "reason": "Hors sujet"})
        assert r.status_code == 404
    pending.refresh_from_db()
    world.comment.refresh_from_db()
    assert pending.status == ActionStatus.PENDING
    assert world.comment.status == CommentStatus.VISIBLE


def test_a_moderator_elsewhere_cannot_reach_this_campaign_objects(world):
    """Eve moderates the other campaign: neither its URLs with this campaign's ids, nor this campaign's
    URLs, let her act on this campaign's contribution or comment."""
    eve = world.users["resident_elsewhere"]
    role_grant_by_system(campaign=world.other_campaign, user=eve, role=Role.MODERATOR)
    client = world.client("resident_elsewhere")
    other, here = world.other_campaign.slug, world.campaign.slug
    client.post(reverse("proposals:moderate_action", args=[other, world.pending.pk]), {"decision": "publish"})
    client.post(reverse("proposals:moderate_action", args=[other, world.rejected.pk]), {"decision": "publish"})
    client.post(reverse("proposals:moderate_comment", args=[other, world.comment.pk]),
                {"decision": "hide", "reason": "Hors sujet"})
    client.post(reverse("proposals:moderate_action", args=[other, world.pending.pk]),
                {"decision": "merge", "into": world.elsewhere_action.pk})
    assert client.post(reverse("proposals:moderate_action", args=[here, world.pending.pk]),
                       {"decision": "publish"}).status_code == 404
    assert client.get(reverse("proposals:detail", args=[other, world.pending.pk])).status_code == 404
    assert client.get(reverse("proposals:detail", args=[here, world.pending.pk])).status_code == 404
    world.pending.refresh_from_db()
    world.rejected.refresh_from_db()
    world.comment.refresh_from_db()
    assert world.pending.status == ActionStatus.PENDING
    assert world.rejected.status == ActionStatus.REJECTED
    assert world.comment.status == CommentStatus.VISIBLE


def test_a_moderator_cannot_merge_into_an_action_of_another_campaign(world):
    client = world.client("moderator")
    client.post(reverse("proposals:moderate_action", args=[world.campaign.slug, world.pending.pk]),
                {"decision": "merge", "into": world.elsewhere_action.pk})
    world.pending.refresh_from_db()
    assert world.pending.status == ActionStatus.PENDING


def test_ids_of_another_campaign_answer_404_through_this_campaign_urls(world):
    """An object is always looked up within the campaign of the URL."""
    elsewhere = action_create_published_by_system(campaign=world.other_campaign, title="Autre action publiée",
                                        summary="Une action publiée dans l'autre quartier.", origin="online")
    slug = world.campaign.slug
    client = world.client("resident")
    assert client.get(reverse("proposals:detail", args=[slug, elsewhere.pk])).status_code == 404
    assert client.post(reverse("proposals:support", args=[slug, elsewhere.pk]), {"op": "add"}).status_code == 404
    assert client.post(reverse("proposals:comment", args=[slug, elsewhere.pk]), {"body": "Bonjour !"}).status_code == 404
    assert client.post(reverse("proposals:report", args=[world.other_campaign.slug, world.comment.pk]),
                       {"reason": "x"}).status_code == 404
    token = world.tokens["resident"]
    base = f"/api/v1/campaigns/{slug}"
    assert api_call("GET", f"{base}/actions/{elsewhere.pk}", token).status_code == 404
    assert api_call("POST", f"{base}/actions/{elsewhere.pk}/support", token).status_code == 404
    assert api_call("POST", f"{base}/actions/{elsewhere.pk}/comments", token, {"body": "Bonjour !"}).status_code == 404
    assert api_call("POST", f"/api/v1/campaigns/{world.other_campaign.slug}/comments/{world.comment.pk}/report",
                    token, {"reason": "x"}).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.support_count == 0 and elsewhere.comment_count == 0


def test_the_api_ignores_the_session_on_every_write(world):
    """Cross-site requests carry cookies, never the Bearer token: with a session and no token,
    every API write answers 401 and changes nothing."""
    from .test_permission_matrix import DATA, EFFECTS, api_operations, data_for, url_for

    client = world.client("resident")
    for method, path in api_operations():
        key = f"{method} {path}"
        if method == "GET" or "{path:rest}" in path:
            continue
        probe = EFFECTS[key]
        before = probe(world, "resident", client)
        body = json.dumps(data_for(key, world)) if key in DATA else ""
        r = client.generic(method, url_for(key, world), body, content_type="application/json")
        assert r.status_code == 401, key
        assert probe(world, "resident", client) == before, key


# --------------------------------------------------------------------------------------------------
# Mass assignment: fields a person may not set are ignored, through the forms and the API
# --------------------------------------------------------------------------------------------------

EXTRA = {"status": "published", "origin": "workshop", "support_count": 999, "comment_count": 999,
         "author": 1, "author_id": 1, "campaign": 2, "campaign_id": 2, "published_at": "2020-01-01T00:00:00Z",
         "body_html": "<script>alert(1)</script>", "merged_into": 1, "is_staff": True, "is_superuser": True,
         "email": "someone-else@example.org", "user": 1, "user_id": 1, "channel": "door_to_door"}


def test_a_contribution_cannot_set_its_own_status_origin_or_counts(world):
    from concerto.proposals.models import Action

    from .test_permission_matrix import CONTRIBUTION

    slug = world.campaign.slug
    world.client("resident").post(reverse("proposals:propose", args=[slug]),
                                  {**CONTRIBUTION, **{k: str(v) for k, v in EXTRA.items()}})
    r = api_call("POST", f"/api/v1/campaigns/{slug}/actions", world.tokens["resident"], {**CONTRIBUTION, **EXTRA})
    assert r.status_code == 201, r.content
    created = Action.objects.filter(author=world.users["resident"])
    assert created.exists()
    for action in created:
        assert action.status == "pending" and action.origin == "online"
        assert action.support_count == 0 and action.comment_count == 0 and action.published_at is None
        assert action.campaign_id == world.campaign.pk and "<script>" not in action.body_html
        assert action.merged_into_id is None


def test_a_comment_support_or_profile_cannot_set_what_is_not_theirs(world):
    from concerto.proposals.models import Comment

    slug, action = world.campaign.slug, world.action
    alice = world.users["resident"]
    client = world.client("resident")
    client.post(reverse("proposals:comment", args=[slug, action.pk]),
                {"body": "Un commentaire.", **{k: str(v) for k, v in EXTRA.items()}, "status": "hidden"})
    api_call("POST", f"/api/v1/campaigns/{slug}/actions/{action.pk}/comments", world.tokens["resident"],
             {"body": "Par l'API.", **EXTRA, "status": "hidden", "author_id": world.bob.pk})
    for comment in Comment.objects.filter(action=action).exclude(author=world.bob):
        assert comment.author_id == alice.pk and comment.status == "visible" and comment.open_report_count == 0
    client.post(reverse("proposals:support", args=[slug, action.pk]), {"op": "add", **EXTRA})
    assert Support.objects.get(action=action, user=alice).channel == "online"
    client.post(reverse("dashboard:me_profile"), {"display_name": "Alice B.", **{k: str(v) for k, v in EXTRA.items()}})
    alice.refresh_from_db()
    assert alice.display_name == "Alice B." and alice.email == "alice@example.org"
    assert not alice.is_staff and not alice.is_superuser


# --------------------------------------------------------------------------------------------------
# The organiser of another campaign: never in this campaign's letters, volunteers or selections
# --------------------------------------------------------------------------------------------------

ORGANISER_AREAS = (" letters:", " volunteering:", " selection:", "/households", "/letters/", "/volunteers",
                   "/selections/{selection_id}/draw")
OBJECT_KWARGS = ("batch_id", "household_id", "import_id", "rule_id", "selection_id", "seat_id")


def test_an_organiser_elsewhere_cannot_reach_this_campaign_letters_volunteers_or_selections(world):
    """Eve organises the other campaign: every organiser row of this campaign answers her exactly
    what it answers a resident elsewhere (no "+" anywhere), and this campaign's object ids under
    her own campaign's URLs are not found and change nothing."""
    from .conftest import undone
    from .test_permission_matrix import (
        EFFECTS,
        MATRIX,
        PREPARE,
        answer,
        data_for,
        expected_row,
        url_for,
    )

    eve = world.users["resident_elsewhere"]
    role_grant_by_system(campaign=world.other_campaign, user=eve, role=Role.ORGANISER)
    here, other = f"/c/{world.campaign.slug}/", f"/c/{world.other_campaign.slug}/"
    api_here, api_other = f"/campaigns/{world.campaign.slug}/", f"/campaigns/{world.other_campaign.slug}/"
    checked = 0
    for key in sorted(MATRIX):
        if not any(area in key for area in ORGANISER_AREAS):
            continue
        cell, _response = answer(world, key, "resident_elsewhere")
        assert cell == expected_row(key)["resident_elsewhere"], (key, cell)
        checked += 1
        method, target = key.split(" ", 1)
        url = url_for(key, world)
        route = target if target.startswith("/") else _route(target)
        names_an_object = any(k in route for k in OBJECT_KWARGS)
        if not names_an_object:
            continue
        swapped = url.replace(here, other).replace(api_here, api_other)
        probe = EFFECTS.get(key)
        client = world.client("resident_elsewhere") if not target.startswith("/") else Client()
        data = data_for(key, world)
        with undone():
            if key in PREPARE:
                PREPARE[key](world, "organiser")
            before = probe(world, "resident_elsewhere", client) if probe else None
            if target.startswith("/"):
                r = client.generic(method, swapped, json.dumps(data) if data else "",
                                   content_type="application/json", **world.auth("resident_elsewhere"))
            else:
                r = client.get(swapped, data or {}) if method == "GET" else client.post(swapped, data or {})
            after = probe(world, "resident_elsewhere", client) if probe else None
        # Not found, or (POST steps whose service looks the id up in the URL's campaign) sent back to her
        # own campaign's page with an error message: never a page or a file of this campaign.
        assert r.status_code in (404, 405) or (
            r.status_code == 302 and r["Location"].startswith(other)), (key, swapped, r.status_code)
        assert before == after, key
    assert checked > 60


def _route(name):
    from django.urls import get_resolver

    from .test_permission_matrix import _walk

    return {n: route for route, n in _walk(get_resolver())}[name]
