from django.db.models import Count, Q

from .models import ApiToken, Membership, Role


def my_memberships(user):
    return Membership.objects.filter(user=user).select_related("campaign").order_by("campaign__name", "role")


def my_tokens(user):
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def role_counts(campaign) -> dict[str, int]:
    """Number of people per role in the campaign, in one query."""
    return Membership.objects.filter(campaign=campaign).aggregate(
        **{role: Count("id", filter=Q(role=role)) for role in Role.values}
    )
