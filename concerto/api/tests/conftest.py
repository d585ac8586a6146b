"""API test helpers: personal tokens for the shared personas, JSON requests with a Bearer header."""

import json

import pytest
from django.test import Client

from concerto.proposals.models import Origin, Theme
from concerto.proposals.services import action_create_published_by_system, action_propose
from concerto.residents.services import api_token_create

BASE = "/api/v1"


class Api:
    """A test client that speaks JSON and sends ``Authorization: Bearer`` when given a token."""

    def __init__(self, client: Client):
        self.client = client

    def _headers(self, token):
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def get(self, path, token=None, **params):
        return self.client.get(BASE + path, params, **self._headers(token))

    def post(self, path, data=None, token=None, **extra):
        body = "" if data is None else json.dumps(data)
        return self.client.post(BASE + path, body, content_type="application/json",
                                **self._headers(token), **extra)

    def delete(self, path, token=None):
        return self.client.delete(BASE + path, **self._headers(token))


@pytest.fixture
def api(client):
    return Api(client)


def token_for(user, name="tests") -> str:
    return api_token_create(user=user, name=name)[1]


@pytest.fixture
def alice_token(resident_alice):
    return token_for(resident_alice)


@pytest.fixture
def bob_token(resident_bob):
    return token_for(resident_bob)


@pytest.fixture
def eve_token(resident_elsewhere):
    return token_for(resident_elsewhere)


@pytest.fixture
def claire_token(candidate_claire):
    return token_for(candidate_claire)


@pytest.fixture
def marc_token(moderator_marc):
    return token_for(moderator_marc)


@pytest.fixture
def pending_action(campaign, resident_alice):
    """Alice's contribution, waiting for moderation."""
    return action_propose(
        user=resident_alice, campaign=campaign,
        title="Un composteur collectif", summary="Installer un composteur dans le square du quartier.",
        body="Près des jeux.", theme_id=None, place="Square Pasteur",
    )


def make_actions(campaign, n, *, prefix="Action numéro"):
    theme = Theme.objects.get(campaign=campaign, slug="mobilite")
    return [
        action_create_published_by_system(
            campaign=campaign, title=f"{prefix} {i}", summary=f"Résumé suffisamment long {i}",
            theme_id=theme.pk if i % 2 else None, origin=Origin.ONLINE if i % 3 else Origin.WORKSHOP,
        )
        for i in range(n)
    ]
