"""The volunteers API: the public call, volunteering with a token, the organisers' list."""

import pytest

from concerto.campaigns.models import Sector
from concerto.letters.models import CodeUse, Household, InvitationCode
from concerto.residents.models import Role
from concerto.residents.services import resident_verify_by_letter
from concerto.volunteers.defaults import call_defaults
from concerto.volunteers.models import Volunteer
from concerto.volunteers.services import call_configure, volunteer_save
from conftest import make_user

from .conftest import token_for

ANSWERS = {"age": "60-74", "genre": "autre", "logement": "autre", "anciennete": "moins-2", "numerique": "oui"}


def me_path(campaign):
    return f"/campaigns/{campaign.slug}/volunteers/me"


def payload(**changes):
    return {"talents": ["organisation"], "availability": ["atelier-1", "atelier-2"], "profile": dict(ANSWERS),
            "consent": True, **changes}


@pytest.fixture
def sector(campaign):
    return Sector.objects.create(campaign=campaign, code="place-amandiers", name="Place des Amandiers")


@pytest.fixture
def call(campaign, organiser_dina):
    return call_configure(user=organiser_dina, campaign=campaign, **{**call_defaults(campaign), "is_open": True})


@pytest.fixture
def ines(campaign, sector):
    user = make_user("ines@example.org", name="Inès")
    resident_verify_by_letter(user=user, campaign=campaign, sector=sector)
    return user


@pytest.fixture
def ines_token(ines):
    return token_for(ines)


def test_call_is_public_without_personal_data(api, campaign, call, ines_token):
    volunteer_save(user=make_letter_user(campaign), campaign=campaign, **payload())
    r = api.get(f"/campaigns/{campaign.slug}/volunteers/call")
    assert r.status_code == 200
    data = r.json()
    assert data["is_open"] is True
    assert [t["code"] for t in data["talents"]][:2] == ["dessin", "histoire"]
    assert [d["code"] for d in data["workshop_dates"]] == ["atelier-1", "atelier-2"]
    assert data["profile_questions"][0]["options"][0] == call.profile_questions[0]["options"][0]
    pseudonym = Volunteer.objects.get().pseudonym
    assert pseudonym not in r.content.decode() and "Jade" not in r.content.decode()


def make_letter_user(campaign):
    user = make_user("jade@example.org", name="Jade")
    resident_verify_by_letter(user=user, campaign=campaign)
    return user


def test_call_404_when_none(api, campaign):
    r = api.get(f"/campaigns/{campaign.slug}/volunteers/call")
    assert r.status_code == 404


def test_volunteer_201_then_200_then_withdraw(api, campaign, call, ines, ines_token):
    r = api.post(me_path(campaign), payload(), token=ines_token)
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["created"] is True and data["pseudonym"].startswith("V-")
    assert data["sector"] == "place-amandiers" and data["consent_version"] == 1
    r = api.post(me_path(campaign), payload(talents=["dessin", "langues"]), token=ines_token)
    assert r.status_code == 200 and r.json()["created"] is False
    assert r.json()["talents"] == ["dessin", "langues"]
    assert api.get(me_path(campaign), token=ines_token).json()["pseudonym"] == data["pseudonym"]
    r = api.delete(me_path(campaign), token=ines_token)
    assert r.status_code == 200 and r.json()["withdrawn_at"] is not None


@pytest.mark.parametrize("changes, field", [
    ({"consent": False}, "consent"),
    ({"talents": ["jonglage"]}, "talents"),
    ({"profile": {"age": "60-74"}}, "profile.genre"),
])
def test_bad_answers_400_with_field_errors(api, campaign, call, ines_token, changes, field):
    r = api.post(me_path(campaign), payload(**changes), token=ines_token)
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_fields" and field in r.json()["errors"]
    assert not Volunteer.objects.exists()


def test_volunteering_needs_a_token_and_a_letter(api, campaign, call, alice_token, claire_token):
    assert api.post(me_path(campaign), payload()).status_code == 401
    r = api.post(me_path(campaign), payload(), token=alice_token)
    assert r.status_code == 403 and r.json()["code"] == "not_letter_verified"
    r = api.post(me_path(campaign), payload(), token=claire_token)
    assert r.status_code == 403 and r.json()["code"] == "candidate_cannot_volunteer"
    assert not Volunteer.objects.exists()


def test_closed_call_403(api, campaign, organiser_dina, call, ines_token):
    call_configure(user=organiser_dina, campaign=campaign, **{**call_defaults(campaign), "is_open": False})
    r = api.post(me_path(campaign), payload(), token=ines_token)
    assert r.status_code == 403 and r.json()["code"] == "volunteering_closed"


def test_me_404_when_not_a_volunteer(api, campaign, call, ines_token):
    assert api.get(me_path(campaign), token=ines_token).status_code == 404
    assert api.delete(me_path(campaign), token=ines_token).status_code == 404


def test_list_is_for_the_campaigns_organisers_only(api, campaign, call, ines, ines_token, organiser_dina,
                                                   alice_token, marc_token, other_campaign):
    api.post(me_path(campaign), payload(), token=ines_token)
    path = f"/campaigns/{campaign.slug}/volunteers"
    assert api.get(path).status_code == 401
    other = make_user("olga@example.org", campaign=other_campaign, role=Role.ORGANISER)
    for token in (alice_token, marc_token, ines_token, token_for(other)):
        r = api.get(path, token=token)
        assert r.status_code == 404 and r.json()["code"] == "not_found"  # as the website answers
    r = api.get(path, token=token_for(organiser_dina), page_size=10)
    assert r.status_code == 200
    data = r.json()
    assert data["count"] == 1 and data["pages"] == 1
    item = data["items"][0]
    assert item["public_name"] == "Inès" and item["sector"] == "place-amandiers"
    assert item["profile"] == ANSWERS and item["talents"] == ["organisation"]
    assert item["withdrawn_at"] is None and item["consent_at"]
    assert "email" not in item


def test_list_is_paginated(api, campaign, call, organiser_dina):
    for i in range(3):
        user = make_user(f"p{i}@example.org")
        resident_verify_by_letter(user=user, campaign=campaign)
        volunteer_save(user=user, campaign=campaign, **payload())
    r = api.get(f"/campaigns/{campaign.slug}/volunteers", token=token_for(organiser_dina), page_size=2, page=2)
    assert r.status_code == 200
    assert r.json()["count"] == 3 and len(r.json()["items"]) == 1


def test_organisers_see_which_volunteers_share_a_household_letter(api, campaign, call, organiser_dina):
    household = Household.objects.create(campaign=campaign, name="", address_line1="3 rue des Lavandes",
                                         postcode="13090", city="Aix-en-Provence", key="3 lavandes")
    code = InvitationCode.objects.create(campaign=campaign, household=household, code="FOYERAPI1")
    for i in range(3):
        user = make_user(f"f{i}@example.org")
        resident_verify_by_letter(user=user, campaign=campaign)
        volunteer_save(user=user, campaign=campaign, **payload())
        if i < 2:
            CodeUse.objects.create(code=code, user=user)
    r = api.get(f"/campaigns/{campaign.slug}/volunteers", token=token_for(organiser_dina), page_size=1)
    assert r.status_code == 200
    seen = [api.get(f"/campaigns/{campaign.slug}/volunteers", token=token_for(organiser_dina), page_size=1,
                    page=n).json()["items"][0] for n in (1, 2, 3)]
    shared = [item for item in seen if item["household"] == household.pk]
    assert len(shared) == 2 and all(item["household_volunteers"] == 2 for item in shared)
    assert [item["household"] for item in seen if item not in shared] == [None]
