"""A small world for the security suite: every persona, every kind of object, a token each.

Built through the real services, like the root ``conftest.py`` personas it extends. Nothing here
is imported from another app's tests: the suite stands on its own.
"""

import hashlib
import secrets
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone

from concerto.proposals.models import Origin, Theme
from concerto.proposals.services import (
    action_create_published,
    action_propose,
    action_reject,
    comment_add,
    support_add,
)
from concerto.residents.models import SignInLink, User
from concerto.residents.services import api_token_create

ROLES = ["visitor", "resident", "resident_elsewhere", "ambassador", "candidate", "moderator", "facilitator",
         "organiser"]


class World(dict):
    """Objects by name; ``users[role]`` and ``tokens[role]`` (None for the visitor)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def client(self, role, **kwargs) -> Client:
        client = Client(**kwargs)
        if self.users[role] is not None:
            client.force_login(self.users[role])
        return client

    def auth(self, role) -> dict:
        token = self.tokens[role]
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}


def new_link(email: str, *, minutes: int = 15, next_url: str = "") -> str:
    """A sign-in link row as the service makes it; returns the clear secret."""
    secret = secrets.token_urlsafe(32)
    SignInLink.objects.create(email=email, token_hash=hashlib.sha256(secret.encode()).hexdigest(),
                              expires_at=timezone.now() + timedelta(minutes=minutes), next_url=next_url)
    return secret


@pytest.fixture
def world(campaign, other_campaign, published_action, resident_alice, resident_bob, resident_elsewhere,
          ambassador_bruno, candidate_claire, moderator_marc, facilitator_fanny, organiser_dina):
    users = {"visitor": None, "resident": resident_alice, "resident_elsewhere": resident_elsewhere,
             "ambassador": ambassador_bruno, "candidate": candidate_claire, "moderator": moderator_marc,
             "facilitator": facilitator_fanny, "organiser": organiser_dina}
    pending = action_propose(user=resident_bob, campaign=campaign, title="Proposition en attente secrète",
                             summary="Une proposition que seule la modération voit encore.",
                             body="Texte **en attente**.", place="Rue cachée")
    rejected = action_propose(user=resident_bob, campaign=campaign, title="Proposition refusée secrète",
                              summary="Une proposition que la modération a refusée.", place="Impasse refusée")
    action_reject(moderator=moderator_marc, campaign=campaign, action_id=rejected.pk,
                  reason="Hors du périmètre du quartier.")
    comment = comment_add(user=resident_bob, action=published_action, body="Un avis de Bob sur la traversée.")
    support_add(user=resident_bob, action=published_action)
    theme = Theme.objects.get(campaign=other_campaign, slug="mobilite")
    elsewhere_action = action_create_published(
        campaign=other_campaign, title="Une action d'un autre quartier", summary="Publiée dans l'autre campagne.",
        theme_id=theme.pk, origin=Origin.WORKSHOP)
    # Someone with a password and no role yet: signing in as them changes every role's session.
    User.objects.create_user("gaston@example.org", password="gaston-password-123")
    alice_token, _secret = api_token_create(user=resident_alice, name="script d'Alice")
    tokens = {role: (api_token_create(user=u, name="matrice")[1] if u is not None else None)
              for role, u in users.items()}
    cache.clear()  # the set-up above counted against rate limits
    return World(
        campaign=campaign, other_campaign=other_campaign, action=published_action, pending=pending,
        rejected=rejected, comment=comment, elsewhere_action=elsewhere_action, bob=resident_bob,
        alice_token=alice_token, users=users, tokens=tokens,
        link_secret=new_link("nouvelle-venue@example.org"),
    )


class _Undo(Exception):
    pass


@contextmanager
def undone():
    """Run a block inside a savepoint rolled back afterwards (and forget rate-limit counters), so each
    role of a matrix row acts on the same, untouched world."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass
    finally:
        cache.clear()
