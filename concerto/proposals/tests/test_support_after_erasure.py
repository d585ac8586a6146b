"""Delete the account, sign up again with the same address, support again: still one support (F11)."""

import pytest
from django.test import Client
from django.urls import reverse

from concerto.dashboard.services import account_delete
from concerto.proposals.models import Action, Support
from concerto.proposals.services import support_add
from concerto.residents.models import TokenScope
from concerto.residents.services import (
    api_token_create,
    resident_create_without_email,
    resident_join,
)
from conftest import make_user

pytestmark = pytest.mark.django_db


def _supported_then_erased(campaign, action):
    first = make_user("Alice@example.org", campaign=campaign, role="resident")
    support_add(user=first, action=action)
    account_delete(user=first)
    again = make_user("alice@example.org")
    resident_join(user=again, campaign=campaign)
    return again


def _count(action):
    return Action.objects.get(pk=action.pk).support_count


def test_the_erased_support_keeps_a_keyed_hash_not_the_address(campaign, published_action):
    _supported_then_erased(campaign, published_action)
    support = Support.objects.get(action=published_action)
    assert support.user is None
    assert len(support.erased_address_hash) == 64
    assert "alice" not in support.erased_address_hash
    assert _count(published_action) == 1


def test_the_same_address_cannot_support_again_on_the_web(campaign, published_action):
    again = _supported_then_erased(campaign, published_action)
    client = Client()
    client.force_login(again)
    client.cookies["django_language"] = "en"
    r = client.post(reverse("proposals:support", args=[campaign.slug, published_action.pk]), {"op": "add"},
                    HTTP_HX_REQUEST="true")
    assert r.status_code == 403
    assert "already supported this action with an account that was deleted" in r.content.decode()
    assert _count(published_action) == 1
    assert Support.objects.filter(action=published_action).count() == 1


def test_the_same_address_cannot_support_again_through_the_api(client, campaign, published_action):
    again = _supported_then_erased(campaign, published_action)
    _token, secret = api_token_create(user=again, name="script", scope=TokenScope.WRITE)
    r = client.post(f"/api/v1/campaigns/{campaign.slug}/actions/{published_action.pk}/support",
                    HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert r.status_code == 403
    assert r.json()["code"] == "supported_before_erasure"
    assert _count(published_action) == 1


def test_other_actions_and_other_addresses_are_not_affected(campaign, published_action, resident_bob):
    again = _supported_then_erased(campaign, published_action)
    other = Action.objects.create(campaign=campaign, title="Une autre action", summary="Autre", status="published",
                                  author=resident_bob)
    assert support_add(user=again, action=other) is True
    assert support_add(user=resident_bob, action=published_action) is True
    assert _count(published_action) == 2


def test_accounts_without_an_address_keep_no_hash(campaign, published_action):
    pin_user = resident_create_without_email(display_name="Sans adresse")
    resident_join(user=pin_user, campaign=campaign)
    support_add(user=pin_user, action=published_action)
    account_delete(user=pin_user)
    assert Support.objects.get(action=published_action).erased_address_hash == ""
