"""Who may support, comment, view and moderate: role × phase matrices."""

import pytest
from django.contrib.auth.models import AnonymousUser

from concerto.proposals.rules import (
    can_comment,
    can_moderate,
    can_support,
    can_take_part,
    can_view_action,
)
from concerto.proposals.services import action_create_published_by_system, action_propose
from concerto.residents.models import Role, User
from conftest import make_user

ROLES = [Role.RESIDENT, Role.ORGANISER, Role.FACILITATOR, Role.MODERATOR, Role.AMBASSADOR, Role.CANDIDATE]


def _person(campaign, role):
    return make_user(f"{role}-{campaign.slug}@example.org", campaign=campaign, role=role)


def _published(campaign):
    return action_create_published_by_system(
        campaign=campaign, title="Un composteur partagé", summary="Un composteur au pied des immeubles.",
        origin="workshop",
    )


# Anyone but a candidate may take part (staff join as residents), and only while participation is open.
TAKE_PART = {Role.RESIDENT: True, Role.ORGANISER: True, Role.FACILITATOR: True, Role.MODERATOR: True,
             Role.AMBASSADOR: True, Role.CANDIDATE: False}


@pytest.mark.parametrize("role", ROLES)
def test_taking_part_while_participation_is_open(campaign, role):
    person = _person(campaign, role)
    action = _published(campaign)
    assert can_take_part(person, campaign) is TAKE_PART[role]
    assert can_support(person, action) is TAKE_PART[role]
    assert can_comment(person, action) is TAKE_PART[role]


@pytest.mark.parametrize("role", ROLES)
def test_nobody_takes_part_while_participation_is_closed(closed_campaign, role):
    person = _person(closed_campaign, role)
    action = _published(closed_campaign)
    assert can_take_part(person, closed_campaign) is False
    assert can_support(person, action) is False
    assert can_comment(person, action) is False


def test_a_visitor_never_takes_part(campaign):
    assert can_take_part(AnonymousUser(), campaign) is False
    assert can_take_part(None, campaign) is False


def test_an_inactive_account_cannot_take_part(resident_alice, campaign):
    User.objects.filter(pk=resident_alice.pk).update(is_active=False)
    assert can_take_part(User.objects.get(pk=resident_alice.pk), campaign) is False


def test_an_unpublished_action_cannot_be_supported_or_commented(resident_alice, resident_bob, campaign):
    pending = action_propose(user=resident_bob, campaign=campaign, title="Une idée en attente",
                             summary="Une contribution pas encore modérée.")
    assert can_support(resident_alice, pending) is False
    assert can_comment(resident_alice, pending) is False


MODERATE = {Role.MODERATOR: True, Role.ORGANISER: True, Role.RESIDENT: False, Role.FACILITATOR: False,
            Role.AMBASSADOR: False, Role.CANDIDATE: False}


@pytest.mark.parametrize("role", ROLES)
def test_who_moderates(campaign, other_campaign, role):
    person = _person(campaign, role)
    assert can_moderate(person, campaign) is MODERATE[role]
    # A role in one campaign gives nothing in another.
    assert can_moderate(person, other_campaign) is False


def test_a_superuser_may_moderate_any_campaign(campaign):
    admin = User.objects.create_superuser("root@example.org", "root-password-123")
    assert can_moderate(admin, campaign) is True


@pytest.mark.parametrize("role", ROLES)
def test_a_pending_contribution_is_seen_by_its_author_and_moderators_only(campaign, resident_alice, role):
    pending = action_propose(user=resident_alice, campaign=campaign, title="Une idée en attente",
                             summary="Une contribution pas encore modérée.")
    person = _person(campaign, role)
    assert can_view_action(resident_alice, pending) is True
    assert can_view_action(person, pending) is MODERATE[role]
    assert can_view_action(AnonymousUser(), pending) is False


def test_a_published_action_is_public(campaign):
    assert can_view_action(AnonymousUser(), _published(campaign)) is True


# --- Why not support: the reason the support box shows ------------------------------------------


def test_support_refusal_names_the_reason_that_concerns_each_person(campaign, closed_campaign):
    from concerto.campaigns.models import SupportLevel
    from concerto.proposals.errors import (
        ActionNotSupportable,
        CannotSupport,
        LetterRequired,
        ParticipationClosed,
        SignInToSupport,
    )
    from concerto.proposals.rules import support_refusal

    resident = _person(campaign, Role.RESIDENT)
    action = _published(campaign)
    pending = action_propose(user=resident, campaign=campaign, title="Une boîte à livres",
                             summary="Une boîte à livres près de l'école.")
    assert support_refusal(resident, action) is None
    assert isinstance(support_refusal(resident, pending), ActionNotSupportable)
    assert isinstance(support_refusal(AnonymousUser(), action), SignInToSupport)
    assert isinstance(support_refusal(_person(campaign, Role.CANDIDATE), action), CannotSupport)
    assert isinstance(support_refusal(_person(closed_campaign, Role.RESIDENT), _published(closed_campaign)),
                      ParticipationClosed)
    campaign.support_level = SupportLevel.LETTER
    campaign.save(update_fields=["support_level"])
    action.campaign = campaign
    assert isinstance(support_refusal(resident, action), LetterRequired)  # joined by e-mail, not by letter


@pytest.mark.parametrize("role", ROLES)
def test_support_refusal_is_none_exactly_when_can_support(campaign, closed_campaign, role):
    from concerto.proposals.rules import support_refusal

    for where in (campaign, closed_campaign):
        person = _person(where, role)
        action = _published(where)
        assert (support_refusal(person, action) is None) is can_support(person, action)
