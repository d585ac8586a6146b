"""API tokens expire and carry a scope: a read-only token is refused on every write (attack pass F16)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from concerto.core.errors import Invalid
from concerto.proposals.models import Support
from concerto.residents.models import ApiToken, TokenScope
from concerto.residents.services import api_token_create

pytestmark = pytest.mark.django_db


def _support_url(action):
    return f"/campaigns/{action.campaign.slug}/actions/{action.pk}/support"


def test_a_read_only_token_reads_but_every_write_is_refused_with_json(api, resident_alice, published_action):
    _token, secret = api_token_create(user=resident_alice, name="lecture", scope=TokenScope.READ)

    assert api.get("/me", token=secret).status_code == 200
    r = api.post(_support_url(published_action), token=secret)
    assert r.status_code == 403
    assert r["Content-Type"].startswith("application/json")
    assert r.json()["code"] == "token_read_only"
    assert not Support.objects.exists()
    assert api.delete(_support_url(published_action), token=secret).json()["code"] == "token_read_only"


def test_a_read_and_write_token_may_write(api, resident_alice, published_action):
    _token, secret = api_token_create(user=resident_alice, name="écriture", scope=TokenScope.WRITE)
    assert api.post(_support_url(published_action), token=secret).status_code == 201
    assert Support.objects.filter(user=resident_alice).count() == 1


def test_an_expired_token_is_refused(api, resident_alice):
    token, secret = api_token_create(user=resident_alice, name="vieux", days=30)
    assert api.get("/me", token=secret).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    r = api.get("/me", token=secret)
    assert r.status_code == 401
    assert r.json()["code"] == "unauthorized"


def test_a_token_lives_90_days_by_default_and_a_year_at_most(resident_alice):
    token, _secret = api_token_create(user=resident_alice, name="défaut")
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    for days in (0, 366, -1):
        with pytest.raises(Invalid) as exc:
            api_token_create(user=resident_alice, name="trop", days=days)
        assert exc.value.code == "token_days_invalid"
    with pytest.raises(Invalid) as exc:
        api_token_create(user=resident_alice, name="x", scope="admin")
    assert exc.value.code == "token_scope_invalid"


def test_issue_token_makes_read_only_tokens_unless_asked(resident_alice):
    call_command("issue_token", "alice@example.org", "--name", "a", stdout=StringIO(), stderr=StringIO())
    call_command("issue_token", "alice@example.org", "--name", "b", "--scope", "write", "--days", "7",
                 stdout=StringIO(), stderr=StringIO())
    a, b = ApiToken.objects.get(name="a"), ApiToken.objects.get(name="b")
    assert a.scope == TokenScope.READ and b.scope == TokenScope.WRITE
    assert b.expires_at - timezone.now() <= timedelta(days=7)


def test_mon_espace_creates_a_token_with_the_chosen_scope_and_validity(client, api, resident_alice,
                                                                       published_action):
    client.force_login(resident_alice)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("dashboard:me")).content.decode()
    assert 'name="scope"' in page and 'name="days"' in page
    client.post(reverse("dashboard:me_token_create"), {"name": "mon script", "scope": "read", "days": "30"})
    token = ApiToken.objects.get(user=resident_alice)
    assert token.scope == TokenScope.READ
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    page = client.get(reverse("dashboard:me")).content.decode()
    assert "Read only" in page and "valid until" in page
    # A form without the new fields (an older page) gets a read-only token valid 90 days.
    client.post(reverse("dashboard:me_token_create"), {"name": "ancien formulaire"})
    old = ApiToken.objects.get(name="ancien formulaire")
    assert old.scope == TokenScope.READ
    assert timedelta(days=89) < old.expires_at - timezone.now() <= timedelta(days=90)
    client.post(reverse("dashboard:me_token_create"), {"name": "trop long", "scope": "write", "days": "400"})
    assert not ApiToken.objects.filter(name="trop long").exists()
