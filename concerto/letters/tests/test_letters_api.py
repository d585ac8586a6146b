"""The letters API: organisers only (401 without a token, 404 for anyone else, as for a missing campaign), JSON
throughout."""

import json

import pytest

from concerto.joining import services as joining
from concerto.letters import services
from concerto.letters.codes import format_code
from concerto.letters.models import BatchStatus, InvitationCode, LetterBatch
from concerto.residents.models import Role
from concerto.residents.services import api_token_create
from conftest import make_user

from .test_import_flow import add_sectors, households_csv, import_households

BASE = "/api/v1/campaigns"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def token_for(user):
    return api_token_create(user=user, name="tests")[1]


def get(client, path, token=None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(BASE + path, params, **headers)


def post(client, path, data=None, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(BASE + path, json.dumps(data or {}), content_type="application/json", **headers)


@pytest.fixture
def setup(campaign, organiser_dina):
    add_sectors(campaign)
    import_households(organiser_dina, campaign, households_csv(3))
    batch = services.batch_create(user=organiser_dina, campaign=campaign, join_url="https://x.example/j/")
    return {"batch": batch, "token": token_for(organiser_dina)}


def endpoints(campaign, batch):
    slug = campaign.slug
    return [
        ("get", f"/{slug}/households"), ("get", f"/{slug}/letters/batches"),
        ("get", f"/{slug}/letters/batches/{batch.pk}"), ("get", f"/{slug}/letters/stats"),
        ("post", f"/{slug}/letters/batches"),
    ]


def call(client, method, path, token=None):
    return get(client, path, token) if method == "get" else post(client, path, {"scope": "all"}, token)


def test_anonymous_callers_get_401(client, campaign, setup):
    for method, path in endpoints(campaign, setup["batch"]):
        r = call(client, method, path)
        assert r.status_code == 401, path
        assert r.json()["code"] == "unauthorized"
    assert LetterBatch.objects.count() == 1


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.MODERATOR, Role.FACILITATOR, Role.AMBASSADOR,
                                  Role.CANDIDATE, "other_organiser"])
def test_everyone_but_organisers_gets_404_as_for_a_missing_campaign(client, campaign, other_campaign, setup, role):
    if role == "other_organiser":
        user = make_user("olga@example.org", campaign=other_campaign, role=Role.ORGANISER)
    else:
        user = make_user(f"{role}@example.org", campaign=campaign, role=role)
    token = token_for(user)
    for method, path in endpoints(campaign, setup["batch"]):
        r = call(client, method, path, token)
        assert r.status_code == 404, path
        assert r.json()["code"] == "not_found"
        assert "code" not in json.dumps(r.json().get("items", ""))
    assert LetterBatch.objects.count() == 1


def test_households_list_with_codes_for_organisers(client, campaign, setup, resident_alice):
    code = InvitationCode.objects.order_by("pk").first()
    joining.code_redeem(user=resident_alice, code=code)
    r = get(client, f"/{campaign.slug}/households", setup["token"], page_size=2)
    assert r.status_code == 200
    data = r.json()
    assert data["count"] == 3 and data["pages"] == 2 and len(data["items"]) == 2
    item = data["items"][0]
    assert set(item) >= {"id", "address_lines", "postcode", "city", "sector", "active_code", "code_uses"}
    codes = {format_code(c.code) for c in InvitationCode.objects.all()}
    assert item["active_code"] in codes
    used = get(client, f"/{campaign.slug}/households", setup["token"], used="used").json()
    assert used["count"] == 1 and used["items"][0]["code_uses"] == 1
    assert get(client, f"/{campaign.slug}/households", setup["token"], q="1 rue des lavandes").json()["count"] == 1
    assert get(client, f"/{campaign.slug}/households", setup["token"], used="bogus").status_code == 422


def test_batches_create_list_get_and_stats(client, campaign, setup):
    token = setup["token"]
    r = post(client, f"/{campaign.slug}/letters/batches", {"kind": "invitation", "scope": "all"}, token)
    assert r.status_code == 202
    created = r.json()
    assert created["total"] == 3 and created["kind"] == "invitation"
    assert created["status"] == BatchStatus.DONE and created["percent"] == 100
    assert created["download_url"].endswith(f"/courriers/lots/{created['id']}/telecharger/")
    r = post(client, f"/{campaign.slug}/letters/batches", {"scope": "new"}, token)
    assert r.status_code == 400 and r.json()["code"] == "nothing_to_print"
    assert post(client, f"/{campaign.slug}/letters/batches", {"kind": "reissue"}, token).status_code == 422
    listed = get(client, f"/{campaign.slug}/letters/batches", token).json()
    assert [b["id"] for b in listed["items"]] == [created["id"], setup["batch"].pk]
    one = get(client, f"/{campaign.slug}/letters/batches/{setup['batch'].pk}", token)
    assert one.status_code == 200 and one.json()["total"] == 3
    assert get(client, f"/{campaign.slug}/letters/batches/999999", token).status_code == 404
    stats = get(client, f"/{campaign.slug}/letters/stats", token).json()
    assert stats["households"] == 3 and stats["letters_sent"] == 0 and stats["codes_used"] == 0
    assert {row["sector"] for row in stats["by_sector"]} >= {"Avenue Saint-Jérôme", "Rue des Lavandes"}


def test_batch_of_another_campaign_is_not_found(client, campaign, other_campaign, setup):
    olga = make_user("olga@example.org", campaign=other_campaign, role=Role.ORGANISER)
    r = get(client, f"/{other_campaign.slug}/letters/batches/{setup['batch'].pk}", token_for(olga))
    assert r.status_code == 404
