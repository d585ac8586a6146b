from django.db.models import Count, Prefetch, Q

from concerto.core.journal import Target

from .models import STAFF_ROLES, ApiToken, Membership, Role, User
from .names import skeleton


def my_memberships(user):
    return Membership.objects.filter(user=user).select_related("campaign").order_by("campaign__name", "role")


def resident_memberships(user) -> list:
    """The user's resident memberships, with their campaign and sector, by campaign name."""
    return list(
        Membership.objects.filter(user=user, role=Role.RESIDENT)
        .select_related("campaign", "sector")
        .order_by("campaign__name")
    )


def my_tokens(user):
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def role_counts(campaign) -> dict[str, int]:
    """Number of people per role in the campaign, in one query."""
    return Membership.objects.filter(campaign=campaign).aggregate(
        **{role: Count("id", filter=Q(role=role)) for role in Role.values}
    )


def team_and_candidate_skeletons(*, exclude_user=None) -> set[str]:
    """Confusable skeletons of the public names of every team member and candidate, any campaign:
    no resident may take one (see services.public_name_clean)."""
    names = (User.objects.filter(memberships__role__in=[*STAFF_ROLES, Role.CANDIDATE]).exclude(display_name="")
             .exclude(pk=exclude_user).values_list("display_name", flat=True).distinct())
    return {skeleton(name) for name in names}


def resident_sector(user, campaign):
    """The sector of the household whose letter the resident joined with (None if unknown)."""
    membership = (Membership.objects.filter(user=user, campaign=campaign, role=Role.RESIDENT)
                  .select_related("sector").first())
    return membership.sector if membership else None


def campaign_ids_of(user) -> list[int]:
    return list(Membership.objects.filter(user=user).values_list("campaign_id", flat=True).distinct())


def resident_skeletons(campaign_ids, *, exclude_user=None) -> set[str]:
    """Confusable skeletons of the chosen public names of everyone in these campaigns."""
    names = (User.objects.filter(memberships__campaign_id__in=campaign_ids).exclude(display_name="")
             .exclude(pk=exclude_user).values_list("display_name", flat=True).distinct())
    return {skeleton(name) for name in names}


# Roles badged next to a person's public name wherever it is shown publicly (issue 8, F7).
BADGED_ROLES = [Role.ORGANISER, Role.FACILITATOR, Role.MODERATOR, Role.AMBASSADOR, Role.CANDIDATE]


def public_roles_prefetch(campaign_id, lookup: str = "memberships") -> Prefetch:
    """Prefetch, onto ``<user>.public_roles``, the user's badged memberships in one campaign:
    one query for a whole page of names."""
    queryset = Membership.objects.filter(campaign_id=campaign_id, role__in=BADGED_ROLES).order_by("role")
    return Prefetch(lookup, queryset=queryset, to_attr="public_roles")


def organiser_emails(campaign) -> list[str]:
    """The e-mail addresses of the campaign's active organisers, sorted, without duplicates."""
    return sorted(set(
        Membership.objects.filter(campaign=campaign, role=Role.ORGANISER, user__is_active=True)
        .exclude(user__email="").values_list("user__email", flat=True)
    ))


def journal_targets_users(ids) -> dict[int, Target]:
    """Public names only (``core.journal``): the journal never shows an e-mail address."""
    return {u.pk: Target(u.public_name) for u in User.objects.filter(pk__in=ids)}
