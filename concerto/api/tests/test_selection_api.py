"""Selections through the API: public audit, drafts hidden, the draw for organisers only, in order."""

import pytest
from django.utils import timezone

from concerto.residents.models import Role
from concerto.selection.models import SelectionStatus
from concerto.selection.tests.factories import (
    announced_selection,
    computed_selection,
    create_selection,
    make_pool,
    published_selection,
)
from conftest import make_user

from .conftest import token_for


@pytest.fixture
def pool(campaign):
    return make_pool(campaign, 12)


@pytest.fixture
def dina_token(organiser_dina):
    return token_for(organiser_dina)


@pytest.fixture
def other_tokens(resident_alice, moderator_marc, other_campaign):
    olga = make_user("olga@example.org", campaign=other_campaign, role=Role.ORGANISER)
    return {"resident": token_for(resident_alice), "other staff": token_for(moderator_marc),
            "organiser elsewhere": token_for(olga)}


def test_list_shows_public_selections_and_drafts_to_organisers(api, campaign, pool, organiser_dina, dina_token,
                                                                other_tokens):
    draft = create_selection(campaign, organiser_dina, title="Brouillon")
    public = published_selection(campaign, organiser_dina, title="Publiée")
    path = f"/campaigns/{campaign.slug}/selections"
    for token in [None, *other_tokens.values()]:
        response = api.get(path, token=token)
        assert response.status_code == 200
        assert [s["id"] for s in response.json()] == [public.pk]
    items = api.get(path, token=dina_token).json()
    assert {s["id"] for s in items} == {draft.pk, public.pk}
    published = next(s for s in items if s["id"] == public.pk)
    assert published["pool_size"] == 12 and published["status"] == "published"
    assert published["pool_sha256"] == public.pool_sha256


def test_audit_document_is_public_once_published(api, campaign, pool, organiser_dina, dina_token, other_tokens):
    draft = computed_selection(campaign, organiser_dina)
    path = f"/campaigns/{campaign.slug}/selections/{draft.pk}"
    for token in [None, *other_tokens.values()]:
        response = api.get(path, token=token)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api.get(path, token=dina_token).status_code == 200
    public = published_selection(campaign, organiser_dina)
    document = api.get(f"/campaigns/{campaign.slug}/selections/{public.pk}").json()
    assert document["pool_sha256"] == public.pool_sha256
    assert document["draw"] is None
    assert len(document["pool"]) == 12
    assert "Personne" not in str(document) and "@example.org" not in str(document)


def test_unknown_selection_is_404(api, campaign, pool):
    assert api.get(f"/campaigns/{campaign.slug}/selections/999").status_code == 404


def test_draw_needs_an_organiser_token(api, campaign, pool, organiser_dina, other_tokens):
    """Anyone else is told what a selection that does not exist tells them: 404, the same body."""
    selection = announced_selection(campaign, organiser_dina)
    path = f"/campaigns/{campaign.slug}/selections/{selection.pk}/draw"
    missing = f"/campaigns/{campaign.slug}/selections/{selection.pk + 1000}/draw"
    assert api.post(path, {"random_value": "1 2 3"}).status_code == 401
    for who, token in other_tokens.items():
        response = api.post(path, {"random_value": "1 2 3"}, token=token)
        assert response.status_code == 404, who
        assert response.json() == api.post(missing, {"random_value": "1 2 3"}, token=token).json(), who
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.ANNOUNCED


def test_draw_in_order_only(api, campaign, pool, organiser_dina, dina_token):
    selection = published_selection(campaign, organiser_dina)
    path = f"/campaigns/{campaign.slug}/selections/{selection.pk}/draw"
    early = api.post(path, {"random_value": "1 2 3"}, token=dina_token)
    assert early.status_code == 409 and early.json()["code"] == "wrong_stage"
    from concerto.selection import services

    services.selection_announce(by=organiser_dina, selection=selection, random_source="Trois dés lancés",
                                witnesses="Maître Dupont", random_known_at=timezone.now(),
                                random_format={"kind": "lottery", "count": 5, "low": 1, "high": 49})
    empty = api.post(path, {"random_value": "  "}, token=dina_token)
    assert empty.status_code == 400 and "random_value" in empty.json()["errors"]
    drawn = api.post(path, {"random_value": "7 12 23 38 41"}, token=dina_token)
    assert drawn.status_code == 200
    body = drawn.json()
    assert body["status"] == "drawn" and body["random_value"] == "7-12-23-38-41" and body["ticket"]
    again = api.post(path, {"random_value": "7 12 23 38 41"}, token=dina_token)
    assert again.status_code == 409 and again.json()["code"] == "already_drawn"
    document = api.get(f"/campaigns/{campaign.slug}/selections/{selection.pk}").json()
    assert document["draw"]["random_value"] == "7-12-23-38-41"
    assert document["draw"]["panel_index"] == body["panel_index"]


def test_draw_of_a_draft_is_404_to_others(api, campaign, pool, organiser_dina, other_tokens):
    selection = computed_selection(campaign, organiser_dina)
    path = f"/campaigns/{campaign.slug}/selections/{selection.pk}/draw"
    for token in other_tokens.values():
        assert api.post(path, {"random_value": "1"}, token=token).status_code == 404


def test_api_refuses_a_value_outside_the_format(api, campaign, pool, organiser_dina, dina_token):
    selection = announced_selection(campaign, organiser_dina, count=5)
    path = f"/campaigns/{campaign.slug}/selections/{selection.pk}/draw"
    refused = api.post(path, {"random_value": "7 12 23 38 41 3"}, token=dina_token)
    assert refused.status_code == 400 and "random_value" in refused.json()["errors"]
    drawn = api.post(path, {"random_value": "Loto 41-38-23-12-07"}, token=dina_token)
    assert drawn.status_code == 200 and drawn.json()["random_value"] == "7-12-23-38-41"
    assert drawn.json()["random_format"] == {"kind": "lottery", "count": 5, "low": 1, "high": 49}
    document = api.get(f"/campaigns/{campaign.slug}/selections/{selection.pk}").json()
    assert document["meta"]["random_format"] == {"kind": "lottery", "count": 5, "low": 1, "high": 49} and document["draw"]["random_value"] == "7-12-23-38-41"
