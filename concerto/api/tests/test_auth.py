"""Who the caller is: a Bearer token or nobody. Never the session cookie."""

from django.test import Client

from concerto.proposals.models import Support
from concerto.residents.models import ApiToken
from concerto.residents.services import api_token_revoke

from .conftest import BASE, Api


def test_reads_accept_anonymous_callers(api, published_action):
    response = api.get(f"/campaigns/{published_action.campaign.slug}/actions")
    assert response.status_code == 200
    assert response.json()["items"][0]["supported_by_me"] is None


def test_reads_accept_a_token(api, published_action, alice_token):
    response = api.get(f"/campaigns/{published_action.campaign.slug}/actions", token=alice_token)
    assert response.status_code == 200
    assert response.json()["items"][0]["supported_by_me"] is False


def test_a_revoked_token_is_refused_even_on_reads(api, published_action, resident_alice, alice_token):
    token = ApiToken.objects.get(user=resident_alice)
    api_token_revoke(user=resident_alice, token_id=token.pk)
    path = f"/campaigns/{published_action.campaign.slug}/actions"
    response = api.get(path, token=alice_token)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert api.post(f"{path}/{published_action.pk}/support", token=alice_token).status_code == 401
    assert not Support.objects.exists()


def test_a_token_of_a_deactivated_account_is_refused(api, campaign, resident_alice, alice_token):
    resident_alice.is_active = False
    resident_alice.save()
    assert api.get("/me", token=alice_token).status_code == 401


def test_unknown_or_malformed_credentials_are_refused(api, campaign, client):
    assert api.get("/campaigns", token="cto_not-a-real-token").status_code == 401
    assert api.get("/campaigns", token="").status_code == 200  # no header at all: anonymous
    basic = client.get(f"{BASE}/campaigns", HTTP_AUTHORIZATION="Basic YWxpY2U6c2VjcmV0")
    assert basic.status_code == 401
    empty = client.get(f"{BASE}/campaigns", HTTP_AUTHORIZATION="Bearer ")
    assert empty.status_code == 401


def test_writes_need_a_token_and_answer_json_401(api, published_action):
    response = api.post(f"/campaigns/{published_action.campaign.slug}/actions/{published_action.pk}/support")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["code"] == "unauthorized" and body["message"] and body["errors"] == {}
    assert not Support.objects.exists()


def test_the_session_cookie_is_ignored(published_action, resident_alice):
    """Signed in on the website is not signed in on the API: no cookie auth, hence no CSRF exposure."""
    browser = Client()
    browser.force_login(resident_alice)
    api = Api(browser)
    path = f"/campaigns/{published_action.campaign.slug}/actions/{published_action.pk}/support"
    assert api.post(path).status_code == 401
    assert api.get("/me").status_code == 401
    listing = api.get(f"/campaigns/{published_action.campaign.slug}/actions").json()
    assert listing["items"][0]["supported_by_me"] is None  # read as anonymous, not as Alice
    assert not Support.objects.exists()


def test_token_writes_need_no_csrf_token(published_action, alice_token):
    api = Api(Client(enforce_csrf_checks=True))
    path = f"/campaigns/{published_action.campaign.slug}/actions/{published_action.pk}/support"
    assert api.post(path, token=alice_token).status_code == 201


def test_a_token_beats_a_session_of_someone_else(published_action, resident_bob, alice_token):
    browser = Client()
    browser.force_login(resident_bob)
    me = Api(browser).get("/me", token=alice_token).json()
    assert me["email"] == "alice@example.org"
