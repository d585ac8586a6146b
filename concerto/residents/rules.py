"""Who holds which role where. Every permission in Concerto is built from these predicates."""

from concerto.campaigns.models import Campaign

from .models import Membership, Role


def roles_of(user, campaign: Campaign) -> frozenset[str]:
    """The user's roles in the campaign, loaded once per request and user."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cache = user.__dict__.setdefault("_concerto_roles", {})
    if campaign.pk not in cache:
        cache[campaign.pk] = frozenset(
            Membership.objects.filter(user=user, campaign=campaign).values_list("role", flat=True)
        )
    return cache[campaign.pk]


def forget_roles(user) -> None:
    user.__dict__.pop("_concerto_roles", None)


def has_role(user, campaign: Campaign, *roles: str) -> bool:
    if user is not None and getattr(user, "is_superuser", False) and user.is_active:
        return True
    return bool(roles_of(user, campaign) & set(roles))


def is_organiser(user, campaign) -> bool:
    return has_role(user, campaign, Role.ORGANISER)


def is_moderator(user, campaign) -> bool:
    return has_role(user, campaign, Role.MODERATOR, Role.ORGANISER)


def is_staff_of(user, campaign) -> bool:
    return has_role(user, campaign, Role.ORGANISER, Role.FACILITATOR, Role.MODERATOR, Role.AMBASSADOR)


def is_resident(user, campaign) -> bool:
    return Role.RESIDENT in roles_of(user, campaign)


def can_join_as_resident(user, campaign) -> bool:
    """Any signed-in person may join a campaign that accepts e-mail joining; candidates never."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    roles = roles_of(user, campaign)
    if Role.CANDIDATE in roles:
        return False
    return Role.RESIDENT in roles or campaign.allow_email_join
