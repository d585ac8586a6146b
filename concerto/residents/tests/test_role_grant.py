"""Roles are handed out by the campaign's organisers only; the loader's own grant says it is the system's."""

import pytest
from django.contrib.auth.models import AnonymousUser

from concerto.core.errors import NotAllowed
from concerto.core.models import AuditEntry
from concerto.residents.models import Membership, Role
from concerto.residents.services import role_grant, role_grant_by_system
from conftest import make_user


@pytest.fixture
def organiser_elsewhere(other_campaign):
    return make_user("oscar@example.org", campaign=other_campaign, role=Role.ORGANISER, password="oscar-password-1")


@pytest.fixture
def lea(db):
    return make_user("lea@example.org")


@pytest.mark.parametrize("who", ["resident", "moderator", "organiser_elsewhere", "anonymous", "nobody", "herself"])
def test_only_the_campaigns_organiser_may_grant_a_role(
    who, campaign, resident_alice, moderator_marc, organiser_elsewhere, lea
):
    by = {"resident": resident_alice, "moderator": moderator_marc, "organiser_elsewhere": organiser_elsewhere,
          "anonymous": AnonymousUser(), "nobody": None, "herself": lea}[who]
    before = AuditEntry.objects.filter(code="residents.role.granted").count()
    with pytest.raises(NotAllowed) as exc:
        role_grant(by=by, campaign=campaign, user=lea, role=Role.ORGANISER)
    assert exc.value.code == "forbidden"
    assert not Membership.objects.filter(user=lea, campaign=campaign).exists()
    assert AuditEntry.objects.filter(code="residents.role.granted").count() == before


def test_the_actor_cannot_be_left_out(campaign, lea):
    with pytest.raises(TypeError):
        role_grant(campaign=campaign, user=lea, role=Role.MODERATOR)


def test_the_campaigns_organiser_grants_and_is_the_audited_actor(campaign, organiser_dina, lea):
    role_grant(by=organiser_dina, campaign=campaign, user=lea, role=Role.MODERATOR)
    assert Membership.objects.filter(user=lea, campaign=campaign, role=Role.MODERATOR).exists()
    entry = AuditEntry.objects.filter(code="residents.role.granted", target=f"residents.user:{lea.pk}").get()
    assert entry.actor == organiser_dina
    assert "via" not in entry.data


def test_the_internal_variant_is_audited_as_system(campaign, lea):
    role_grant_by_system(campaign=campaign, user=lea, role=Role.ORGANISER)
    assert Membership.objects.filter(user=lea, campaign=campaign, role=Role.ORGANISER).exists()
    entry = AuditEntry.objects.filter(code="residents.role.granted", target=f"residents.user:{lea.pk}").get()
    assert entry.actor is None
    assert entry.data["via"] == "system"
