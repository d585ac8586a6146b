"""The page cache checks the host first and keys on a hash; oversized API bodies answer JSON (issue 8, F16)."""

import json

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from concerto.core.middleware import PublicPageCacheMiddleware
from concerto.residents.services import api_token_create

pytestmark = pytest.mark.django_db


@override_settings(CONCERTO_PUBLIC_CACHE_SECONDS=60, ALLOWED_HOSTS=["testserver"])
def test_a_cached_page_is_not_served_to_a_host_that_is_not_allowed(campaign, published_action):
    url = reverse("proposals:detail", args=[campaign.slug, published_action.pk])
    assert Client().get(url).status_code == 200  # now in the page cache
    assert Client().get(url, HTTP_HOST="evil.example").status_code == 400


@override_settings(CONCERTO_PUBLIC_CACHE_SECONDS=60)
def test_cache_keys_do_not_alias_when_headers_contain_the_separator():
    middleware = PublicPageCacheMiddleware(lambda request: None)
    factory = RequestFactory()
    one = factory.get("/c/quartier/actions/", HTTP_HX_REQUEST="a:b", HTTP_HX_TARGET="c")
    two = factory.get("/c/quartier/actions/", HTTP_HX_REQUEST="a", HTTP_HX_TARGET="b:c")
    assert middleware.key(one) != middleware.key(two)


def test_an_oversized_api_body_answers_json(client, campaign, resident_alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    _token, secret = api_token_create(user=resident_alice, name="script")
    body = json.dumps({"title": "x" * 20_000, "summary": "s", "body": ""})
    response = client.post(f"/api/v1/campaigns/{campaign.slug}/actions", data=body,
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "payload_too_large"


@pytest.mark.live
def test_an_oversized_api_body_answers_json_on_the_real_server(live):
    import urllib.error
    import urllib.request

    token = live.manage("issue_token", "habitant002@example.org", "--scope", "write").strip().splitlines()[-1]
    body = json.dumps({"title": "x" * 3_000_000, "summary": "s", "body": ""}).encode()
    request = urllib.request.Request(f"{live.url}/api/v1/campaigns/saint-jerome/actions", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310 - loopback only
    assert answer.value.code == 413
    assert answer.value.headers["Content-Type"].startswith("application/json")
    assert json.loads(answer.value.read())["code"] == "payload_too_large"
