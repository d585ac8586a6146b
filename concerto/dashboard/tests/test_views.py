"""Campaign home, healthz, “Mon espace”: data export, tokens and account deletion."""

import json

import pytest
from django.urls import reverse

from concerto.proposals.models import Action, Support
from concerto.proposals.services import action_propose, comment_add, support_add
from concerto.residents.models import ApiToken, User

pytestmark = pytest.mark.django_db


def test_home_pages_show_timeline_and_figures(client, campaign, published_action, resident_alice):
    support_add(user=resident_alice, action=published_action)
    assert campaign.name in client.get(reverse("dashboard:index")).content.decode()
    body = client.get(reverse("dashboard:campaign_home", args=[campaign.slug])).content.decode()
    assert "Participation" in body and "Plateau" in body
    assert "Sécuriser la traversée" in body


def test_unknown_campaign_is_a_404(client, db):
    assert client.get(reverse("dashboard:campaign_home", args=["nulle-part"])).status_code == 404


def test_healthz_reports_database(client, db):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["database"] is True


def test_my_space_needs_sign_in(client, db):
    r = client.get(reverse("dashboard:me"))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("residents:sign_in"))


def test_export_contains_only_my_data(client, campaign, resident_alice, resident_bob, published_action):
    support_add(user=resident_alice, action=published_action)
    support_add(user=resident_bob, action=published_action)
    action_propose(user=resident_alice, campaign=campaign, title="Un composteur collectif",
                   summary="Installer un composteur près des jardins familiaux.")
    client.force_login(resident_alice)
    r = client.get(reverse("dashboard:me_export"))
    data = json.loads(r.content)
    assert data["account"]["email"] == "alice@example.org"
    assert len(data["supports"]) == 1
    assert data["contributions"][0]["status"] == "pending"
    assert "bob@example.org" not in r.content.decode()


def test_token_is_shown_once_and_can_be_revoked(client, resident_alice):
    client.force_login(resident_alice)
    client.post(reverse("dashboard:me_token_create"), {"name": "mon script"})
    first = client.get(reverse("dashboard:me")).content.decode()
    token = ApiToken.objects.get(user=resident_alice)
    assert token.prefix in first and "cto_" in first
    second = client.get(reverse("dashboard:me")).content.decode()
    assert "shown only once" not in second and "affiché une seule fois" not in second
    client.post(reverse("dashboard:me_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_cannot_revoke_someone_elses_token(client, resident_alice, resident_bob):
    from concerto.residents.services import api_token_create

    token, _secret = api_token_create(user=resident_bob, name="bob")
    client.force_login(resident_alice)
    client.post(reverse("dashboard:me_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is None


def test_account_deletion_keeps_supports_counted_and_ends_the_session(
    client, resident_alice, published_action
):
    support_add(user=resident_alice, action=published_action)
    comment_add(user=resident_alice, action=published_action, body="Je suis pour.")
    client.force_login(resident_alice)
    r = client.post(reverse("dashboard:me_delete"), {"confirm": "nope"})
    assert r.status_code == 400
    assert User.objects.filter(pk=resident_alice.pk).exists()
    client.post(reverse("dashboard:me_delete"), {"confirm": "SUPPRIMER"})
    assert not User.objects.filter(email="alice@example.org").exists()
    published_action.refresh_from_db()
    assert published_action.support_count == 1
    assert Support.objects.filter(action=published_action, user__isnull=True).count() == 1
    assert client.get(reverse("dashboard:me")).status_code == 302
    assert Action.objects.filter(pk=published_action.pk).exists()
