"""Personal pages are never stored; fragments and pages at one URL are kept apart (issue 8, F14, F15).

The tests after the first that takes the security ``world`` take it too: the world (Alice, the
campaign…) stays in the database until the module's last test, so the root personas would clash."""

import pytest
from django.urls import reverse
from django.utils.cache import get_max_age

from concerto.residents.services import api_token_create, sign_in_link_request

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "") and "private" in response.get("Cache-Control", "")


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}


# --- F14: Vary on htmx ----------------------------------------------------------------------------


def test_action_list_page_and_fragment_vary_on_the_htmx_headers(client, campaign, published_action):
    url = reverse("proposals:list", args=[campaign.slug]) + "?theme="
    fragment = client.get(url, headers={"HX-Request": "true", "HX-Target": "results"})
    page = client.get(url)
    assert "<html" not in fragment.content.decode() and "<html" in page.content.decode()
    for response in (fragment, page):
        assert {"hx-request", "hx-target"} <= vary(response)


def test_htmx_support_answer_varies_on_the_htmx_headers(client, resident_alice, published_action):
    client.force_login(resident_alice)
    url = reverse("proposals:support", args=[published_action.campaign.slug, published_action.pk])
    response = client.post(url, {"op": "add"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and {"hx-request", "hx-target"} <= vary(response)


def test_selection_progress_varies_on_the_htmx_headers(world):
    w = world
    client = world.client("organiser")
    url = reverse("selection:progress", args=[w.campaign.slug, w["draft_selection"].pk])
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(url, headers=headers)
        assert {"hx-request", "hx-target"} <= vary(response), response.status_code


# --- F15: no-store on personal answers -----------------------------------------------------------


def test_my_pages_are_no_store(client, world):
    client.force_login(world.users["resident"])
    created = client.post(reverse("dashboard:me_token_create"), {"name": "script"}, follow=True)
    assert created.status_code == 200
    assert no_store(created)  # the page that shows the new token once
    for name in ("dashboard:me", "dashboard:me_export"):
        response = client.get(reverse(name))
        assert response.status_code == 200 and no_store(response), name


def test_staff_pages_with_households_codes_and_volunteers_are_no_store(world):
    w = world
    client = world.client("organiser")
    slug = w.campaign.slug
    urls = [
        reverse("letters:households", args=[slug]), reverse("letters:household", args=[slug, w["household"].pk]),
        reverse("letters:tracking", args=[slug]), reverse("letters:preview", args=[slug]),
        reverse("letters:batch", args=[slug, w["batch"].pk]),
        reverse("volunteering:list", args=[slug]),
        reverse("selection:manage", args=[slug, w["drawn_selection"].pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200 and no_store(response), url


def test_api_answers_to_a_token_are_no_store(client, world):
    _token, secret = api_token_create(user=world.users["resident"], name="script")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200 and no_store(response)


def test_anonymous_public_pages_stay_cacheable(client, world):
    response = client.get(reverse("proposals:detail", args=[world.campaign.slug, world.action.pk]))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "") and get_max_age(response) is None


def test_sign_in_link_page_is_no_store_although_anonymous(client):
    # It shows the address the link was sent to, and its URL is the secret itself.
    url = sign_in_link_request(email="zoe@example.org", ip="198.51.100.7", build_url=lambda s: f"/connexion/lien/{s}/")
    response = client.get(url)
    assert response.status_code == 200 and "zoe@example.org" in response.content.decode()
    assert no_store(response)
