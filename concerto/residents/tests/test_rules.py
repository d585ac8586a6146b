"""Roles per campaign: the predicates every permission is built from."""

import pytest
from django.contrib.auth.models import AnonymousUser

from concerto.residents import rules
from concerto.residents.models import Role, User
from concerto.residents.services import resident_join, role_grant_by_system
from conftest import make_user


def test_roles_of_lists_the_roles_held_in_that_campaign_only(campaign, other_campaign):
    dina = make_user("dina2@example.org", campaign=campaign, role=Role.ORGANISER)
    role_grant_by_system(campaign=campaign, user=dina, role=Role.MODERATOR)
    role_grant_by_system(campaign=other_campaign, user=dina, role=Role.CANDIDATE)

    assert rules.roles_of(dina, campaign) == {Role.ORGANISER, Role.MODERATOR}
    assert rules.roles_of(dina, other_campaign) == {Role.CANDIDATE}


def test_roles_of_is_empty_for_visitors_and_inactive_accounts(resident_alice, campaign):
    assert rules.roles_of(AnonymousUser(), campaign) == frozenset()
    assert rules.roles_of(None, campaign) == frozenset()
    resident_alice.is_active = False
    assert rules.roles_of(resident_alice, campaign) == frozenset()


def test_a_granted_role_takes_effect_at_once_for_the_same_user_object(resident_alice, campaign):
    assert not rules.is_moderator(resident_alice, campaign)  # loads and caches the roles
    role_grant_by_system(campaign=campaign, user=resident_alice, role=Role.MODERATOR)
    assert rules.is_moderator(resident_alice, campaign)


def test_roles_are_read_once_per_user_and_campaign(resident_alice, campaign, django_assert_num_queries):
    user = User.objects.get(pk=resident_alice.pk)
    with django_assert_num_queries(1):
        for _ in range(5):
            rules.is_resident(user, campaign)
            rules.is_staff_of(user, campaign)


@pytest.mark.parametrize(
    ("role", "organiser", "moderator", "staff", "resident"),
    [
        (Role.ORGANISER, True, True, True, False),
        (Role.MODERATOR, False, True, True, False),
        (Role.FACILITATOR, False, False, True, False),
        (Role.AMBASSADOR, False, False, True, False),
        (Role.CANDIDATE, False, False, False, False),
        (Role.RESIDENT, False, False, False, True),
    ],
)
def test_role_predicates(campaign, other_campaign, role, organiser, moderator, staff, resident):
    person = make_user(f"{role}@example.org", campaign=campaign, role=role)
    assert rules.is_organiser(person, campaign) is organiser
    assert rules.is_moderator(person, campaign) is moderator
    assert rules.is_staff_of(person, campaign) is staff
    assert rules.is_resident(person, campaign) is resident
    assert rules.has_role(person, campaign, role) is True
    assert rules.has_role(person, other_campaign, role) is False


def test_has_role_needs_one_of_the_roles_asked(ambassador_bruno, campaign):
    assert rules.has_role(ambassador_bruno, campaign, Role.ORGANISER, Role.AMBASSADOR)
    assert not rules.has_role(ambassador_bruno, campaign, Role.ORGANISER, Role.MODERATOR)
    assert not rules.has_role(ambassador_bruno, campaign)


def test_a_superuser_holds_every_staff_role_everywhere(campaign, other_campaign):
    admin = User.objects.create_superuser("root@example.org", "root-password-123")
    assert rules.has_role(admin, campaign, Role.ORGANISER)
    assert rules.is_moderator(admin, other_campaign)
    assert rules.is_staff_of(admin, other_campaign)
    # Being superuser does not make someone a resident who supports.
    assert not rules.is_resident(admin, campaign)


def test_an_inactive_superuser_holds_nothing(campaign):
    admin = User.objects.create_superuser("root@example.org", "root-password-123")
    admin.is_active = False
    assert not rules.has_role(admin, campaign, Role.ORGANISER)


def test_anybody_signed_in_may_join_a_campaign_open_to_email_joining(resident_elsewhere, campaign):
    assert rules.can_join_as_resident(resident_elsewhere, campaign)


def test_only_existing_residents_take_part_when_email_joining_is_off(resident_alice, resident_elsewhere, campaign):
    campaign.allow_email_join = False
    assert rules.can_join_as_resident(resident_alice, campaign)
    assert not rules.can_join_as_resident(resident_elsewhere, campaign)


def test_a_candidate_never_joins_as_resident(candidate_claire, campaign):
    assert not rules.can_join_as_resident(candidate_claire, campaign)
    # Even one who joined as a resident before being declared a candidate.
    lucas = make_user("lucas@example.org", campaign=campaign, role=Role.RESIDENT)
    role_grant_by_system(campaign=campaign, user=lucas, role=Role.CANDIDATE)
    assert not rules.can_join_as_resident(lucas, campaign)


def test_visitors_cannot_join(campaign):
    assert not rules.can_join_as_resident(AnonymousUser(), campaign)
    assert not rules.can_join_as_resident(None, campaign)


def test_joining_as_resident_is_idempotent(resident_alice, campaign):
    first = resident_join(user=resident_alice, campaign=campaign)
    again = resident_join(user=resident_alice, campaign=campaign)
    assert first.pk == again.pk
    assert rules.roles_of(resident_alice, campaign) == {Role.RESIDENT}


def test_a_candidate_is_refused_when_joining(candidate_claire, campaign):
    from concerto.residents.errors import CannotJoin

    with pytest.raises(CannotJoin) as exc:
        resident_join(user=candidate_claire, campaign=campaign)
    assert exc.value.code == "cannot_join"
    assert rules.roles_of(candidate_claire, campaign) == {Role.CANDIDATE}
