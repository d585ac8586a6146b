"""Anonymous visitors may see counts up to a second old; signed-in residents always see exact counts."""

import pytest
from django.test import override_settings
from django.urls import reverse

from concerto.proposals.services import support_add

pytestmark = pytest.mark.django_db


@override_settings(CONCERTO_PUBLIC_CACHE_SECONDS=60)
def test_visitors_get_a_cached_page_and_residents_exact_counts(client, resident_alice, resident_bob,
                                                               published_action):
    url = reverse("proposals:detail", args=[published_action.campaign.slug, published_action.pk])
    assert "0 soutien" in client.get(url).content.decode()
    support_add(user=resident_bob, action=published_action)
    assert "0 soutien" in client.get(url).content.decode()  # cached for visitors
    client.force_login(resident_alice)
    assert "1 soutien" in client.get(url).content.decode()  # exact when signed in
    support_add(user=resident_alice, action=published_action)
    assert "2 soutiens" in client.get(url).content.decode()  # including right after one's own support


@override_settings(CONCERTO_PUBLIC_CACHE_SECONDS=60)
def test_cached_public_pages_carry_no_csrf_token_or_cookie(client, published_action):
    url = reverse("proposals:list", args=[published_action.campaign.slug])
    first = client.get(url)
    assert "csrfmiddlewaretoken" not in first.content.decode()
    assert "csrftoken" not in first.cookies
    assert client.get(url).content == first.content


@override_settings(CONCERTO_PUBLIC_CACHE_SECONDS=60)
def test_each_language_has_its_own_cached_page(client, published_action):
    url = reverse("proposals:list", args=[published_action.campaign.slug])
    assert '<html lang="fr">' in client.get(url).content.decode()
    client.cookies["django_language"] = "en"
    assert '<html lang="en">' in client.get(url).content.decode()
