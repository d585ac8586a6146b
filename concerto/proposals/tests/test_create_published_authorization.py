"""Publishing an action directly is the organisers' act: no caller skips the check by leaving out ``by``."""

import pytest
from django.contrib.auth.models import AnonymousUser

from concerto.core.errors import NotAllowed
from concerto.core.models import AuditEntry
from concerto.proposals.models import Action, Origin
from concerto.proposals.services import action_create_published, action_create_published_by_system
from concerto.residents.models import Role
from conftest import make_user

FIELDS = {"title": "Un banc sous le platane", "summary": "Un banc à l'ombre pour les anciens du quartier.",
          "origin": Origin.WORKSHOP}


@pytest.fixture
def organiser_elsewhere(other_campaign):
    return make_user("oscar@example.org", campaign=other_campaign, role=Role.ORGANISER, password="oscar-password-1")


@pytest.mark.parametrize("who", ["resident", "moderator", "organiser_elsewhere", "anonymous", "nobody"])
def test_only_the_campaigns_organiser_may_publish_directly(
    who, campaign, resident_alice, moderator_marc, organiser_elsewhere
):
    by = {"resident": resident_alice, "moderator": moderator_marc, "organiser_elsewhere": organiser_elsewhere,
          "anonymous": AnonymousUser(), "nobody": None}[who]
    with pytest.raises(NotAllowed) as exc:
        action_create_published(by=by, campaign=campaign, **FIELDS)
    assert exc.value.code == "forbidden"
    assert not Action.objects.filter(campaign=campaign, title=FIELDS["title"]).exists()
    assert not AuditEntry.objects.filter(code="proposals.action.created").exists()


def test_the_actor_cannot_be_left_out(campaign):
    with pytest.raises(TypeError):
        action_create_published(campaign=campaign, **FIELDS)


def test_the_campaigns_organiser_publishes_and_is_the_audited_actor(campaign, organiser_dina):
    action = action_create_published(by=organiser_dina, campaign=campaign, **FIELDS)
    assert action.status == "published"
    entry = AuditEntry.objects.get(code="proposals.action.created")
    assert entry.actor == organiser_dina
    assert "via" not in entry.data


def test_the_internal_variant_is_audited_as_system(campaign):
    action = action_create_published_by_system(campaign=campaign, **FIELDS)
    assert action.status == "published"
    entry = AuditEntry.objects.get(code="proposals.action.created")
    assert entry.actor is None
    assert entry.data["via"] == "system"
