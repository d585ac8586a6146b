"""Who holds which role where. Every permission in Concerto is built from these predicates."""

from django.db.models import CharField, Exists, OuterRef, Value

from concerto.campaigns.models import Campaign
from concerto.campaigns.selectors import campaign_is_archived

from .models import (
    STAFF_ROLES,
    Membership,
    OrganisationMembership,
    OrganisationRole,
    Role,
    User,
    Verification,
)

# Marks, in ``_memberships``' one query, a row saying the user administers the campaign's organisation.
_ORG_ADMIN = "@organisation-admin"


def _memberships(user, campaign: Campaign) -> tuple[frozenset[str], str | None, bool]:
    """(roles, resident verification, administers the campaign's organisation) of the user in the
    campaign, loaded once per request and user, in one query."""
    cache = user.__dict__.setdefault("_concerto_roles", {})
    if campaign.pk in cache:
        return cache[campaign.pk]
    # A page's campaign carries the viewer's roles from the shared cache (concerto.core.state);
    # the snapshot answers only for the user it was read for.
    snapshot = campaign.__dict__.get("_concerto_state")
    cached = snapshot.get("roles", user.pk) if snapshot is not None else None
    if cached is not None:
        cache[campaign.pk] = cached
    else:
        admin = OrganisationMembership.objects.filter(
            user=user, organisation_id=campaign.organisation_id, role=OrganisationRole.ADMIN,
        ).values_list(Value(_ORG_ADMIN, output_field=CharField()), Value("", output_field=CharField()))
        rows = list(Membership.objects.filter(user=user, campaign=campaign).values_list("role", "verification")
                    .union(admin, all=True))
        roles = frozenset(role for role, _v in rows if role != _ORG_ADMIN)
        verification = next((v for role, v in rows if role == Role.RESIDENT), None)
        cache[campaign.pk] = (roles, verification, any(role == _ORG_ADMIN for role, _v in rows))
        if snapshot is not None:
            snapshot.put("roles", user.pk, cache[campaign.pk])
    return cache[campaign.pk]


def roles_of(user, campaign: Campaign) -> frozenset[str]:
    """The user's roles in the campaign."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    return _memberships(user, campaign)[0]


def verification_of(user, campaign: Campaign) -> str | None:
    """How the user's resident membership was verified ("email", "letter"), None if not a resident."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return _memberships(user, campaign)[1]


def is_letter_verified(user, campaign: Campaign) -> bool:
    return verification_of(user, campaign) == Verification.LETTER


def forget_roles(user) -> None:
    user.__dict__.pop("_concerto_roles", None)
    user.__dict__.pop("_concerto_org_admin", None)
    user.__dict__.pop("_concerto_organises", None)


def has_role(user, campaign: Campaign, *roles: str) -> bool:
    if user is not None and getattr(user, "is_superuser", False) and user.is_active:
        return True
    return bool(roles_of(user, campaign) & set(roles))


def is_organiser(user, campaign) -> bool:
    return has_role(user, campaign, Role.ORGANISER)


def is_moderator(user, campaign) -> bool:
    return has_role(user, campaign, Role.MODERATOR, Role.ORGANISER)


def can_grant_roles(user, campaign) -> bool:
    """Only the campaign's organisers hand out roles in it (moderator, ambassador, organiser...)."""
    return is_organiser(user, campaign)


def is_staff_of(user, campaign) -> bool:
    return has_role(user, campaign, Role.ORGANISER, Role.FACILITATOR, Role.MODERATOR, Role.AMBASSADOR)


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def administered_organisation_ids(user) -> frozenset[int]:
    """The organisations the user administers, loaded once per request and user."""
    if not _active(user):
        return frozenset()
    cached = user.__dict__.get("_concerto_org_admin")
    if cached is None:
        cached = user.__dict__["_concerto_org_admin"] = frozenset(
            OrganisationMembership.objects.filter(user=user, role=OrganisationRole.ADMIN)
            .values_list("organisation_id", flat=True))
    return cached


def is_platform_superuser(user) -> bool:
    return _active(user) and bool(getattr(user, "is_superuser", False))


def is_organisation_admin(user, organisation) -> bool:
    if is_platform_superuser(user):
        return True
    return organisation is not None and organisation.pk in administered_organisation_ids(user)


def can_create_campaign(user, organisation) -> bool:
    """Administrators of the organisation (and platform superusers) open its campaigns."""
    return is_organisation_admin(user, organisation)


def can_manage_campaign(user, campaign) -> bool:
    """The campaign's settings, consent texts, archive and launch checklist: its organisers and the
    administrators of its organisation (read with the roles: no query of its own)."""
    if is_organiser(user, campaign):
        return True
    return _active(user) and _memberships(user, campaign)[2]


def can_use_campaign_back_office(user) -> bool:
    """Who sees the list of campaigns to manage: superusers, organisation administrators, organisers."""
    if is_platform_superuser(user):
        return True
    if not _active(user):
        return False
    cached = user.__dict__.get("_concerto_organises")
    if cached is None:  # one query for the header of every page
        cached = user.__dict__["_concerto_organises"] = User.objects.filter(pk=user.pk).filter(
            Exists(OrganisationMembership.objects.filter(user=OuterRef("pk"), role=OrganisationRole.ADMIN))
            | Exists(Membership.objects.filter(user=OuterRef("pk"), role=Role.ORGANISER))).exists()
    return cached


def signs_in_with_password(user) -> bool:
    """Platform staff, organisation administrators and anyone with a team or candidate role in any
    campaign: a sign-in link alone (whoever reads the mailbox) must not open these accounts; they use their password."""
    if user.is_staff or user.is_superuser:
        return True
    if OrganisationMembership.objects.filter(user=user).exists():
        return True
    return Membership.objects.filter(user=user, role__in=[*STAFF_ROLES, Role.CANDIDATE]).exists()


def is_resident(user, campaign) -> bool:
    return Role.RESIDENT in roles_of(user, campaign)


def can_join_as_resident(user, campaign) -> bool:
    """Any signed-in person may join a campaign that accepts e-mail joining; candidates never."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if campaign_is_archived(campaign):
        return False
    roles = roles_of(user, campaign)
    if Role.CANDIDATE in roles:
        return False
    return Role.RESIDENT in roles or campaign.allow_email_join


def meets_support_level(user, campaign) -> bool:
    """The campaign may reserve supports and contributions to residents verified by letter."""
    if campaign.support_level == "letter":
        return is_letter_verified(user, campaign) or is_staff_of(user, campaign)
    return True
