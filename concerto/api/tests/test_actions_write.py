"""Supporting, proposing, commenting and reporting through the API."""

import pytest
from django.test import override_settings

from concerto.core.models import AuditEntry
from concerto.proposals.models import Action, ActionStatus, Comment, CommentReport, Origin, Support
from concerto.proposals.services import action_create_published_by_system, comment_add, support_add
from concerto.residents.models import Membership, Role
from conftest import make_user

from .conftest import BASE, make_actions, token_for


def support_path(action, campaign=None):
    return f"/campaigns/{(campaign or action.campaign).slug}/actions/{action.pk}/support"


# --- Supports -----------------------------------------------------------------------------------


def test_support_201_then_200_then_withdraw_204_then_404(api, published_action, alice_token):
    path = support_path(published_action)
    first = api.post(path, token=alice_token)
    assert first.status_code == 201
    assert first.json() == {"action_id": published_action.pk, "supported": True, "created": True}
    again = api.post(path, token=alice_token)
    assert again.status_code == 200 and again.json()["created"] is False
    published_action.refresh_from_db()
    assert published_action.support_count == 1

    assert api.delete(path, token=alice_token).status_code == 204
    published_action.refresh_from_db()
    assert published_action.support_count == 0
    missing = api.delete(path, token=alice_token)
    assert missing.status_code == 404
    assert missing.json()["code"] == "no_support"


def test_support_accepts_an_optional_body(api, published_action, alice_token):
    assert api.post(support_path(published_action), {}, token=alice_token).status_code == 201


def test_support_ignores_a_channel_in_the_body(api, published_action, alice_token):
    """Callers cannot pretend a support came from door to door: the API always records "online"."""
    api.post(support_path(published_action), {"channel": "door_to_door"}, token=alice_token)
    assert Support.objects.get().channel == "online"


def test_candidate_cannot_support(api, published_action, claire_token):
    response = api.post(support_path(published_action), token=claire_token)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Support.objects.exists()


def test_participation_closed_is_403(api, closed_campaign):
    action = action_create_published_by_system(campaign=closed_campaign, title="Action fermée", summary="Résumé de l'action",
                                     origin=Origin.WORKSHOP)
    token = token_for(make_user("zoe@example.org", campaign=closed_campaign, role=Role.RESIDENT))
    response = api.post(support_path(action), token=token)
    assert response.status_code == 403
    assert response.json()["code"] == "participation_closed"
    assert api.delete(support_path(action), token=token).status_code == 403
    assert not Support.objects.exists()


def test_resident_of_another_campaign_joins_when_the_campaign_allows_it(
    api, published_action, resident_elsewhere, eve_token
):
    assert api.post(support_path(published_action), token=eve_token).status_code == 201
    assert Membership.objects.filter(user=resident_elsewhere, campaign=published_action.campaign,
                                     role=Role.RESIDENT).exists()


def test_resident_of_another_campaign_is_refused_when_joining_needs_a_letter(
    api, campaign, published_action, eve_token
):
    campaign.allow_email_join = False
    campaign.save()
    response = api.post(support_path(published_action), token=eve_token)
    assert response.status_code == 403
    assert not Support.objects.exists()


def test_cannot_support_through_another_campaign(api, published_action, other_campaign, alice_token):
    assert api.post(support_path(published_action, other_campaign), token=alice_token).status_code == 404
    assert not Support.objects.exists()


def test_pending_action_cannot_be_supported(api, pending_action, alice_token, bob_token):
    assert api.post(support_path(pending_action), token=bob_token).status_code == 404
    own = api.post(support_path(pending_action), token=alice_token)
    assert own.status_code == 400
    assert own.json()["code"] == "action_not_supportable"
    assert not Support.objects.exists()


@override_settings(CONCERTO_RATE_LIMITS={"support": (2, 60)})
def test_supports_are_rate_limited(api, campaign, alice_token):
    actions = make_actions(campaign, 3)
    assert [api.post(support_path(a), token=alice_token).status_code for a in actions] == [201, 201, 429]
    assert Support.objects.count() == 2


def test_support_id_must_be_a_number(api, campaign, alice_token):
    response = api.post(f"/campaigns/{campaign.slug}/actions/x/support", token=alice_token)
    assert response.status_code == 422


# --- Proposing ----------------------------------------------------------------------------------

VALID = {
    "title": "Des bancs sur la place",
    "summary": "Installer quatre bancs à l'ombre des platanes.",
    "body": "Pour les *anciens* du quartier.",
    "place": "Place des Tanneurs",
}


def test_propose_creates_a_pending_action(api, campaign, alice_token):
    theme_id = api.get(f"/campaigns/{campaign.slug}/themes").json()[1]["id"]
    response = api.post(f"/campaigns/{campaign.slug}/actions", {**VALID, "theme_id": theme_id}, token=alice_token)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending" and body["title"] == VALID["title"]
    assert body["theme"]["slug"] == "espaces-verts"
    assert body["body_html"] == "<p>Pour les <em>anciens</em> du quartier.</p>"
    assert body["supported_by_me"] is False and body["rejection_reason"] is None
    action = Action.objects.get(pk=body["id"])
    assert action.status == ActionStatus.PENDING and action.author.email == "alice@example.org"
    # the author sees it; others do not
    assert api.get(f"/campaigns/{campaign.slug}/actions/{action.pk}", token=alice_token).status_code == 200
    assert api.get(f"/campaigns/{campaign.slug}/actions/{action.pk}").status_code == 404


def test_a_signed_in_person_joins_by_proposing(api, campaign, other_campaign, eve_token, resident_elsewhere):
    assert api.post(f"/campaigns/{campaign.slug}/actions", VALID, token=eve_token).status_code == 201
    assert Membership.objects.filter(user=resident_elsewhere, campaign=campaign).exists()


def test_propose_with_invalid_fields_is_400_and_writes_nothing(api, campaign, alice_token):
    before = AuditEntry.objects.count()
    response = api.post(f"/campaigns/{campaign.slug}/actions",
                        {"title": "Bof", "summary": "court", "theme_id": 999999}, token=alice_token)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_fields"
    assert set(body["errors"]) == {"title", "summary", "theme"}
    assert all(isinstance(m, str) and m for m in body["errors"].values())
    assert not Action.objects.exists()
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("payload, field", [
    ({"summary": VALID["summary"]}, "title"),
    ({**VALID, "theme_id": "mobilité"}, "theme_id"),
    ({**VALID, "title": ["a", "b"]}, "title"),
])
def test_propose_with_a_malformed_body_is_422_and_writes_nothing(api, campaign, alice_token, payload, field):
    response = api.post(f"/campaigns/{campaign.slug}/actions", payload, token=alice_token)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Action.objects.exists()


def test_propose_with_a_body_that_is_not_json_is_400(api, campaign, alice_token, client):
    response = client.post(f"{BASE}/campaigns/{campaign.slug}/actions", "title=x", content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {alice_token}")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    assert not Action.objects.exists()


def test_candidate_cannot_propose(api, campaign, claire_token):
    response = api.post(f"/campaigns/{campaign.slug}/actions", VALID, token=claire_token)
    assert response.status_code == 403
    assert not Action.objects.exists()


def test_propose_anonymously_is_401(api, campaign):
    assert api.post(f"/campaigns/{campaign.slug}/actions", VALID).status_code == 401
    assert not Action.objects.exists()


@override_settings(CONCERTO_RATE_LIMITS={"contribution": (1, 3600)})
def test_proposals_are_rate_limited(api, campaign, alice_token):
    assert api.post(f"/campaigns/{campaign.slug}/actions", VALID, token=alice_token).status_code == 201
    response = api.post(f"/campaigns/{campaign.slug}/actions", VALID, token=alice_token)
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert Action.objects.count() == 1


# --- Comments and reports -----------------------------------------------------------------------


def test_comment_201(api, published_action, alice_token):
    path = f"/campaigns/{published_action.campaign.slug}/actions/{published_action.pk}/comments"
    response = api.post(path, {"body": "  Je suis pour.  "}, token=alice_token)
    assert response.status_code == 201
    body = response.json()
    assert body["body"] == "Je suis pour." and body["author_name"] == "Alice" and body["status"] == "visible"
    assert api.get(path).json()["items"][0]["id"] == body["id"]


@pytest.mark.parametrize("payload, status", [({"body": "x"}, 400), ({}, 422), ({"body": None}, 422)])
def test_bad_comments_write_nothing(api, published_action, alice_token, payload, status):
    path = f"/campaigns/{published_action.campaign.slug}/actions/{published_action.pk}/comments"
    response = api.post(path, payload, token=alice_token)
    assert response.status_code == status
    assert not Comment.objects.exists()


def test_no_comment_on_a_pending_action(api, pending_action, alice_token, bob_token):
    path = f"/campaigns/{pending_action.campaign.slug}/actions/{pending_action.pk}/comments"
    assert api.post(path, {"body": "Bonne idée"}, token=bob_token).status_code == 404
    assert api.post(path, {"body": "Bonne idée"}, token=alice_token).status_code == 403
    assert not Comment.objects.exists()


def test_report_201_then_200(api, published_action, resident_alice, bob_token):
    comment = comment_add(user=resident_alice, action=published_action, body="Un commentaire")
    path = f"/campaigns/{published_action.campaign.slug}/comments/{comment.pk}/report"
    first = api.post(path, {"reason": "Hors sujet"}, token=bob_token)
    assert first.status_code == 201
    assert first.json() == {"comment_id": comment.pk, "reported": True, "created": True}
    assert api.post(path, token=bob_token).status_code == 200  # body optional
    report = CommentReport.objects.get()
    assert report.reason == "Hors sujet"
    comment.refresh_from_db()
    assert comment.open_report_count == 1


def test_report_own_comment_is_403_and_other_campaign_404(
    api, published_action, other_campaign, resident_alice, alice_token, bob_token
):
    comment = comment_add(user=resident_alice, action=published_action, body="Un commentaire")
    own = api.post(f"/campaigns/{published_action.campaign.slug}/comments/{comment.pk}/report", token=alice_token)
    assert own.status_code == 403
    elsewhere = api.post(f"/campaigns/{other_campaign.slug}/comments/{comment.pk}/report", token=bob_token)
    assert elsewhere.status_code == 404
    assert api.post(f"/campaigns/{published_action.campaign.slug}/comments/999999/report",
                    token=bob_token).status_code == 404
    assert not CommentReport.objects.exists()


def test_report_needs_a_token(api, published_action, resident_alice):
    comment = comment_add(user=resident_alice, action=published_action, body="Un commentaire")
    assert api.post(f"/campaigns/{published_action.campaign.slug}/comments/{comment.pk}/report").status_code == 401


def test_report_on_an_action_you_cannot_see_is_404(api, campaign, published_action, resident_alice, bob_token,
                                                    moderator_marc):
    comment = comment_add(user=resident_alice, action=published_action, body="Un commentaire")
    Action.objects.filter(pk=published_action.pk).update(status=ActionStatus.REJECTED)
    response = api.post(f"/campaigns/{campaign.slug}/comments/{comment.pk}/report", token=bob_token)
    assert response.status_code == 404
    assert not CommentReport.objects.exists()


def test_support_add_via_service_then_api_withdraw_keeps_count(api, published_action, resident_alice, alice_token):
    support_add(user=resident_alice, action=published_action)
    assert api.delete(support_path(published_action), token=alice_token).status_code == 204
    assert not Support.objects.exists()
