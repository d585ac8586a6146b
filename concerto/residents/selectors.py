from django.db.models import Count, Prefetch, Q

from concerto.core.journal import Target

from .models import STAFF_ROLES, TEAM_ROLES, ApiToken, Membership, Role, TeamInvitation, User
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


def organised_campaign_ids(user) -> list[int]:
    """The campaigns the user organises (for the back office's list of campaigns)."""
    if user is None or not user.is_authenticated:
        return []
    return list(Membership.objects.filter(user=user, role=Role.ORGANISER).values_list("campaign_id", flat=True))


def team_counts(campaign) -> dict[str, int]:
    """Active people per team role in the campaign (the launch checklist), in one query."""
    return Membership.objects.filter(campaign=campaign, user__is_active=True).aggregate(
        **{role: Count("id", filter=Q(role=role)) for role in STAFF_ROLES})


def sector_membership_counts(campaign) -> dict[int, int]:
    """``{sector_id: residents}``: memberships that carry each sector of the campaign."""
    return dict(Membership.objects.filter(campaign=campaign, sector__isnull=False).order_by()
                .values("sector_id").annotate(n=Count("pk")).values_list("sector_id", "n"))
# --- The team ---------------------------------------------------------------------------------------


def team_members(campaign) -> list[dict]:
    """The campaign's team and candidates, one entry per person: ``{"user", "roles"}`` (roles in the
    order of ``TEAM_ROLES``), sorted by public name, in one query."""
    order = {role.value: i for i, role in enumerate(TEAM_ROLES)}
    people: dict[int, dict] = {}
    rows = (Membership.objects.filter(campaign=campaign, role__in=TEAM_ROLES).select_related("user")
            .order_by("user__display_name", "user_id"))
    for membership in rows:
        entry = people.setdefault(membership.user_id, {"user": membership.user, "roles": []})
        entry["roles"].append(Role(membership.role))
    for entry in people.values():
        entry["roles"].sort(key=order.__getitem__)
    return list(people.values())


def team_invitations_pending(campaign) -> list[TeamInvitation]:
    """Invitations neither accepted nor revoked (expired ones included, to be sent again), newest first."""
    return list(TeamInvitation.objects.filter(campaign=campaign, accepted_at=None, revoked_at=None)
                .select_related("invited_by").order_by("-sent_at", "-pk"))


def organiser_count(campaign) -> int:
    return Membership.objects.filter(campaign=campaign, role=Role.ORGANISER).count()


def user_by_email(email: str) -> User | None:
    """The account with this address in its normal form (exact match), or None."""
    return User.objects.filter(email=email).first() if email else None


def journal_targets_users(ids) -> dict[int, Target]:
    """Public names only (``core.journal``): the journal never shows an e-mail address."""
    return {u.pk: Target(u.public_name) for u in User.objects.filter(pk__in=ids)}


def user_get_with_role(campaign, user_id, role: str) -> User | None:
    """The active user with this role in the campaign, or None (an id from a form is untrusted)."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    return User.objects.filter(pk=user_id, is_active=True, memberships__campaign=campaign,
                               memberships__role=role).first()


def users_with_role(campaign, role: str) -> list[User]:
    """The campaign's active members with this role, by name (e.g. the ambassadors)."""
    return list(User.objects.filter(is_active=True, memberships__campaign=campaign, memberships__role=role)
                .order_by("display_name", "email"))


# -- dashboard --


def count_users_among(*id_queries) -> int:
    """Distinct accounts whose id is in any of the given subqueries of user ids, one query."""
    condition = Q()
    for ids in id_queries:
        condition |= Q(pk__in=ids)
    return User.objects.filter(condition).count() if id_queries else 0


def participant_sector_counts(campaign, *id_queries) -> dict[int | None, int]:
    """``{sector_id or None: residents}``: the campaign's residents among the given user ids, by the
    sector their membership carries (None: no sector known). One query."""
    condition = Q()
    for ids in id_queries:
        condition |= Q(user_id__in=ids)
    if not id_queries:
        return {}
    return dict(Membership.objects.filter(condition, campaign=campaign, role=Role.RESIDENT).order_by()
                .values_list("sector_id").annotate(n=Count("user_id", distinct=True)).values_list("sector_id", "n"))
