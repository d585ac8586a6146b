"""Reads about actions, built for the pages and API calls that use them (constant query counts)."""

from django.contrib.postgres.lookups import TrigramSimilar, TrigramWordSimilar
from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse

from concerto.campaigns.models import Campaign
from concerto.core import state
from concerto.core.journal import Target
from concerto.core.text import clean_line, search_key
from concerto.residents.selectors import public_roles_prefetch

from . import rules, similarity
from .errors import ActionNotFound, CommentNotFound, ThemeNotFound
from .models import (
    PUBLIC_STATUSES,
    Action,
    ActionStatus,
    Channel,
    Comment,
    CommentReport,
    CommentStatus,
    Origin,
    Support,
    Theme,
)

# Allow-lists: nothing from the request reaches order_by() or filter() unchecked.
SORTS = {"supports": ("-support_count", "-id"), "newest": ("-published_at", "-id")}
DEFAULT_SORT = "supports"
PUBLIC_STATUS_FILTERS = {s.value for s in PUBLIC_STATUSES}
SMALL_GROUP = 5
# Not counted as contributions: drafts, and those their author withdrew before moderation.
NOT_CONTRIBUTED = (ActionStatus.DRAFT, ActionStatus.WITHDRAWN)


def published_actions_by_id(campaign, ids) -> dict[int, Action]:
    """The campaign's published actions among ``ids`` (supports recorded offline name them by id)."""
    return {a.pk: a for a in Action.objects.filter(campaign=campaign, pk__in=list(ids),
                                                    status=ActionStatus.PUBLISHED).select_related("campaign")}


def published_actions(campaign) -> list[Action]:
    """The campaign's published actions, by theme then by publication (the synthesis' order)."""
    return list(Action.objects.filter(campaign=campaign, status=ActionStatus.PUBLISHED)
                .select_related("theme", "campaign").order_by("theme__position", "theme_id", "published_at", "pk"))


def themes_for(campaign) -> list[Theme]:
    snapshot = campaign.__dict__.get("_concerto_state")
    if snapshot is None:
        return list(Theme.objects.filter(campaign=campaign))
    # A page's campaign (campaign_for_page): this process's copy while no campaign data changed.
    return state.held("themes", campaign.pk, snapshot.token, lambda: list(Theme.objects.filter(campaign=campaign)))


def action_list(campaign, *, theme: str = "", origin: str = "", status: str = "", q: str = "",
                sort: str = DEFAULT_SORT):
    """Public actions of a campaign, filtered and sorted from allow-listed values only."""
    # Cards never show the description: leave the widest columns in the database.
    qs = Action.objects.filter(campaign=campaign).select_related("theme").defer("body", "body_html", "search_text")
    if status in PUBLIC_STATUS_FILTERS:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=PUBLIC_STATUSES)
    if theme:
        qs = qs.filter(theme__slug=theme)
    if origin in Origin.values:
        qs = qs.filter(origin=origin)
    for term in search_key(clean_line(q)).split()[:8]:
        qs = qs.filter(search_text__contains=term)
    return qs.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))


def action_list_home(campaign, limit: int = 5) -> list:
    """The first published actions in the list's default order, for the campaign's home page."""
    return list(action_list(campaign, status=ActionStatus.PUBLISHED)[:limit])


def action_get_for(user, campaign, action_id) -> Action:
    """Fetch-and-authorize: ``ActionNotFound`` for actions the user may not see (never reveal that they exist)."""
    # The search column and the merged-into action's long texts are never shown from here.
    action = (Action.objects.select_related("theme", "author", "merged_into")
              .defer("search_text", "merged_into__body", "merged_into__body_html", "merged_into__search_text")
              .filter(pk=action_id, campaign=campaign).first())
    return _visible_to(user, campaign, action)


def _visible_to(user, campaign, action: Action | None) -> Action:
    if action is None:
        raise ActionNotFound()
    action.campaign = campaign
    if not rules.can_view_action(user, action):
        raise ActionNotFound()
    return action


# What the support rules, the services and the audit entry read of an action; nothing else is
# loaded (the whole row with its three joins was a quarter of an API support write's time).
SUPPORT_FIELDS = ("id", "campaign_id", "status", "author_id", "support_count")


def action_get_for_support(user, campaign, action_id) -> Action:
    """``action_get_for`` for the support writes (API and page form): the same refusals, a
    narrower row. Reading another column later costs a query of its own: add it above instead."""
    return _visible_to(user, campaign, Action.objects.only(*SUPPORT_FIELDS).filter(pk=action_id, campaign=campaign).first())


def comment_get_for(user, campaign, comment_id) -> Comment:
    """Fetch-and-authorize a comment: ``CommentNotFound`` unless its action is visible to the user."""
    comment = Comment.objects.select_related("action").filter(pk=comment_id, action__campaign=campaign).first()
    if comment is None:
        raise CommentNotFound()
    comment.action.campaign = campaign
    if not rules.can_view_action(user, comment.action):
        raise CommentNotFound()
    return comment


def supported_ids(user, action_ids, campaign=None) -> set[int]:
    """Of these actions, which ones the user supports (one query; own data only). With a page's
    campaign (``campaign_for_page``): from the user's cached supports in it (concerto.core.state)."""
    if user is None or not user.is_authenticated:
        return set()
    snapshot = campaign.__dict__.get("_concerto_state") if campaign is not None else None
    if snapshot is None:
        return set(Support.objects.filter(user=user, action_id__in=list(action_ids)).values_list("action_id", flat=True))
    mine = snapshot.get("supported", user.pk)
    if mine is None:
        mine = frozenset(Support.objects.filter(user=user, action__campaign_id=campaign.pk)
                         .values_list("action_id", flat=True))
        snapshot.put("supported", user.pk, mine)
    return {pk for pk in action_ids if pk in mine}


def visible_comments(action):
    """Comments with their authors and the authors' badged roles in the campaign (``public_roles``)."""
    return (Comment.objects.filter(action=action).select_related("author")
            .prefetch_related(public_roles_prefetch(action.campaign_id, "author__memberships"))
            .order_by("created_at", "id"))


def moderation_queue(campaign):
    """Pending contributions, and reported comments with their open reports (``open_reports``: the
    reasons the reporters chose and wrote, oldest first; never who reported)."""
    pending = (
        Action.objects.filter(campaign=campaign, status=ActionStatus.PENDING)
        .select_related("theme", "author").order_by("created_at", "id")
    )
    reported = (
        Comment.objects.filter(action__campaign=campaign, status=CommentStatus.VISIBLE, open_report_count__gt=0)
        .select_related("author", "action").order_by("-open_report_count", "created_at")
        .prefetch_related(Prefetch(
            "reports", queryset=CommentReport.objects.filter(resolved_at__isnull=True).order_by("created_at", "id"),
            to_attr="open_reports"))
    )
    return pending, reported


def moderation_waiting(campaign) -> int:
    """What waits for a moderator's decision: pending contributions plus reported comments (each
    counted once, however many reports it has), in one query."""
    pending = (Action.objects.filter(campaign=OuterRef("pk"), status=ActionStatus.PENDING)
               .order_by().values("campaign").annotate(n=Count("id")).values("n"))
    reported = (Comment.objects.filter(action__campaign=OuterRef("pk"), status=CommentStatus.VISIBLE,
                                       open_report_count__gt=0)
                .order_by().values("action__campaign").annotate(n=Count("id")).values("n"))
    row = (Campaign.objects.filter(pk=campaign.pk)
           .annotate(p=Coalesce(Subquery(pending), 0), r=Coalesce(Subquery(reported), 0))
           .values_list("p", "r").first())
    return sum(row) if row else 0


def pending_for_moderation(campaign, action_id) -> Action:
    """A pending contribution, for a moderator's page (the caller checked ``can_moderate``)."""
    action = (Action.objects.select_related("theme", "author")
              .filter(pk=action_id, campaign=campaign, status=ActionStatus.PENDING).first())
    if action is None:
        raise ActionNotFound()
    action.campaign = campaign
    return action


SIMILAR_MIN_CHARS = 3


def similar_actions(campaign, text, limit=5, *, exclude_id=None) -> list[Action]:
    """Published actions of the campaign whose title is close to ``text``, closest first.

    Accent- and typo-tolerant: titles and text are compared without case nor accents
    (``Action.title_key``), by trigrams. PostgreSQL uses pg_trgm (its ``%`` and ``%>`` operators,
    the GIN index of migration 0005); SQLite computes the same trigrams in Python over the
    campaign's published titles (a few thousand at most). A title that contains the text as typed
    always counts, so a few letters find an action. Each action gets ``similarity`` (0 to 1)."""
    key = search_key(clean_line(text or ""))[:200].strip()
    if len(key) < SIMILAR_MIN_CHARS:
        return []
    published = Action.objects.filter(campaign=campaign, status=ActionStatus.PUBLISHED)
    if exclude_id is not None:
        published = published.exclude(pk=exclude_id)
    if connection.vendor == "postgresql":
        found = list(
            published.filter(Q(TrigramSimilar(F("title_key"), key)) | Q(TrigramWordSimilar(F("title_key"), key))
                             | Q(title_key__contains=key))
            .annotate(similarity=Greatest(
                TrigramSimilarity("title_key", key), TrigramWordSimilarity(key, "title_key"),
                Case(When(title_key__contains=key, then=Value(1.0)), default=Value(0.0), output_field=FloatField())))
            .only("id", "title", "support_count", "status", "campaign_id")
            .order_by("-similarity", "-support_count", "id")[:limit]
        )
        return found
    query = similarity.trigrams(key)
    scores = {}
    for pk, title_key in published.values_list("id", "title_key"):
        score = 1.0 if key in title_key else similarity.score(query, similarity.trigrams(title_key))
        if score > 0:
            scores[pk] = score
    best = sorted(scores, key=lambda pk: -scores[pk])[: limit * 4]
    found = list(published.filter(pk__in=best).only("id", "title", "support_count", "status", "campaign_id"))
    for action in found:
        action.similarity = scores[action.pk]
    found.sort(key=lambda a: (-a.similarity, -a.support_count, a.pk))
    return found[:limit]


def my_supports(user):
    return (
        Support.objects.filter(user=user).select_related("action", "action__campaign")
        .order_by("-created_at")
    )


def my_contributions(user):
    return (
        Action.objects.filter(author=user).select_related("campaign", "merged_into", "theme")
        .order_by("-created_at")
    )


def my_comments(user):
    return Comment.objects.filter(author=user).select_related("action", "action__campaign").order_by("-created_at")


def suppress_small(counts: dict) -> dict:
    """Breakdowns never reveal a group under 5 people: such cells become None ("fewer than 5").

    Secondary suppression: the total is public, so while the hidden cells add up to 1–4 (the
    total minus the shown cells would give them back), the smallest shown cell is hidden too.
    """
    shown = dict(counts)
    hidden = {k for k, v in counts.items() if 0 < v < SMALL_GROUP}
    while 0 < sum(counts[k] for k in hidden) < SMALL_GROUP:
        candidates = [k for k, v in counts.items() if k not in hidden and v > 0]
        if not candidates:
            break
        hidden.add(min(candidates, key=lambda k: counts[k]))
    for k in hidden:
        shown[k] = None
    return shown


def key_figures(campaign) -> dict:
    """The campaign home's figures in one query; supports summed from the counters, which services
    keep equal to COUNT(*) in the same transaction as the rows."""
    return Action.objects.filter(campaign=campaign).aggregate(
        supports=Coalesce(Sum("support_count"), 0),
        from_workshops=Count("id", filter=Q(origin=Origin.WORKSHOP, status__in=PUBLIC_STATUSES)),
        contributions=Count("id", filter=~Q(origin=Origin.WORKSHOP) & ~Q(status__in=NOT_CONTRIBUTED)),
    )


def participation_stats(campaign) -> dict:
    """Figures of the online participation phase. Exact counts from the rows themselves."""
    by_channel_rows = dict(
        Support.objects.filter(action__campaign=campaign)
        .values_list("channel").annotate(n=Count("id")).values_list("channel", "n")
    )
    by_channel = {c: by_channel_rows.get(c, 0) for c in Channel.values}
    action_counts = Action.objects.filter(campaign=campaign).aggregate(
        from_workshops=Count("id", filter=Q(origin=Origin.WORKSHOP, status__in=PUBLIC_STATUSES)),
        contributions=Count("id", filter=~Q(origin=Origin.WORKSHOP) & ~Q(status__in=NOT_CONTRIBUTED)),
        published=Count("id", filter=Q(status=ActionStatus.PUBLISHED)),
    )
    return {
        "supports": sum(by_channel.values()),
        "by_channel": by_channel,
        "actions_from_workshops": action_counts["from_workshops"],
        "contributions": action_counts["contributions"],
        "published_actions": action_counts["published"],
    }


def theme_list(campaign) -> list[Theme]:
    """The campaign's themes in their order, each with ``action_count`` (every status)."""
    return list(Theme.objects.filter(campaign=campaign).annotate(action_count=Count("actions"))
                .order_by("position", "name", "pk"))


def theme_get(campaign, theme_id) -> Theme:
    theme = (Theme.objects.filter(campaign=campaign, pk=theme_id).annotate(action_count=Count("actions")).first()
             if str(theme_id).isdigit() else None)
    if theme is None:
        raise ThemeNotFound()
    return theme


def sector_action_counts(campaign) -> dict[int, int]:
    """``{sector_id: actions}`` placed in each sector of the campaign."""
    return dict(Action.objects.filter(campaign=campaign, sector__isnull=False).order_by()
                .values("sector_id").annotate(n=Count("pk")).values_list("sector_id", "n"))


# --- Names of actions and comments in the journal (``core.journal``) ----------------------------


def journal_targets_actions(ids) -> dict[int, Target]:
    found = {}
    for action in Action.objects.filter(pk__in=ids).select_related("campaign"):
        view = "proposals:detail" if action.is_public else "proposals:moderate_action"
        found[action.pk] = Target(action.title, reverse(view, args=[action.campaign.slug, action.pk]))
    return found


def journal_targets_comments(ids) -> dict[int, Target]:
    found = {}
    for comment in Comment.objects.filter(pk__in=ids).select_related("action__campaign"):
        action = comment.action
        found[comment.pk] = Target(action.title, reverse("proposals:detail", args=[action.campaign.slug, action.pk]))
    return found


def my_reports(user):
    """The comments this person reported ("Mes données"): the reason they gave, never who else did."""
    return (CommentReport.objects.filter(reporter=user).select_related("comment__action__campaign")
            .order_by("-created_at"))


# --- Where an action comes from (a note on its page) ------------------------------------------------
# An action of origin "workshop" was a workshop's action sheet; its page says which workshop, with
# a link to the minutes. proposals may not import workshops (apps depend one way: the layers
# contract), so workshops registers a function here when Django starts (WorkshopsConfig.ready):
# ``note(action) -> {"text": str, "url": str} | None``. Nothing registered, no note.
_ORIGIN_NOTES: list = []


def register_origin_note(note) -> None:
    if note not in _ORIGIN_NOTES:
        _ORIGIN_NOTES.append(note)


def origin_note(action) -> dict | None:
    """The first note a registered function gives for this action (only workshop actions ask)."""
    if action.origin != Origin.WORKSHOP:
        return None
    for note in _ORIGIN_NOTES:
        found = note(action)
        if found:
            return found
    return None


# --- What later apps add to an action's page (links at the foot of the action) -------------------
# The live event's « rewatch this action's time on the set (00:12:30) », for instance. Same reason
# as the origin note: proposals may not import those apps, so each registers a function here when
# Django starts: ``extra(action) -> list[{"text": str, "url": str}]``. Nothing registered, nothing.
_ACTION_EXTRAS: list = []


def register_action_extra(extra) -> None:
    if extra not in _ACTION_EXTRAS:
        _ACTION_EXTRAS.append(extra)


def action_extras(action) -> list[dict]:
    """Every link the registered functions give for this action, in registration order."""
    found = []
    for extra in _ACTION_EXTRAS:
        found.extend(extra(action) or [])
    return found


# Sections other apps add below a published action's text (live_event: the candidates' written
# reactions), registered at start-up like the origin notes, since proposals imports neither app:
# ``section(action) -> {"template": str, "context": dict, "key": hashable} | None``. The key says
# everything the section prints (it joins the shared page's key).
_ACTION_SECTIONS: list = []


def register_action_section(section) -> None:
    if section not in _ACTION_SECTIONS:
        _ACTION_SECTIONS.append(section)


def action_sections(action) -> list[dict]:
    if action.status != ActionStatus.PUBLISHED:
        return []
    return [found for section in _ACTION_SECTIONS if (found := section(action))]


# -- synthesis: amend --

def supports_of_actions(action_ids) -> list[dict]:
    """Who supported which action, and when (the synthesis's supporters' digest: which version each
    person supported). Erased accounts are left out."""
    return list(Support.objects.filter(action_id__in=list(action_ids), user__isnull=False)
                .values("user_id", "action_id", "created_at").order_by("user_id", "action_id"))


# -- synthesis opendata: supports counted by action and channel, for the open data ----------------

def support_counts_by_action_channel(campaign) -> dict[int, dict[str, int]]:
    """Action id → channel → number of supports (every channel present, 0 when none), one query."""
    out: dict[int, dict[str, int]] = {}
    rows = (Support.objects.filter(action__campaign=campaign).values_list("action_id", "channel")
            .annotate(n=Count("id")).values_list("action_id", "channel", "n"))
    for action_id, channel, n in rows:
        out.setdefault(action_id, dict.fromkeys(Channel.values, 0))[channel] = n
    return out


# -- dashboard --
# The participation dashboard and the action's trace (``dashboard.selectors``): exact counts, grouped
# in the database, a constant number of queries whatever the campaign's size. The pages hide small
# groups themselves (``suppress_small``).


def channel_labels() -> dict[str, str]:
    """``{channel: label}`` in the order the pages list them."""
    return dict(Channel.choices)


def _contributed(campaign):
    return Action.objects.filter(campaign=campaign, author__isnull=False).exclude(
        origin=Origin.WORKSHOP).exclude(status__in=NOT_CONTRIBUTED)


def participant_figures(campaign) -> dict:
    """Residents who took part in the participation phase: ``participants`` (distinct accounts that
    supported an action by any channel or sent a contribution), ``supporters`` and ``contributors``,
    ``supporters_by_channel`` (distinct accounts per channel: one resident may count in two). Three
    queries. Supports of erased accounts (no account left) are counted in the supports, not here."""
    from concerto.residents.selectors import count_users_among

    supporter_ids, author_ids = participant_id_queries(campaign)
    rows = dict(Support.objects.filter(action__campaign=campaign, user__isnull=False).order_by()
                .values_list("channel").annotate(n=Count("user_id", distinct=True)).values_list("channel", "n"))
    counts = Support.objects.filter(action__campaign=campaign, user__isnull=False).aggregate(
        n=Count("user_id", distinct=True))
    contributors = _contributed(campaign).aggregate(n=Count("author_id", distinct=True))["n"]
    return {
        "participants": count_users_among(supporter_ids, author_ids),
        "supporters": counts["n"],
        "contributors": contributors,
        "supporters_by_channel": {c: rows.get(c, 0) for c in Channel.values},
    }


def participant_id_queries(campaign) -> tuple:
    """Two subqueries of user ids (supporters, contributors), for the apps that break participants
    down by what they hold (``residents.selectors.participant_sector_counts``)."""
    return (Support.objects.filter(action__campaign=campaign, user__isnull=False).values("user_id"),
            _contributed(campaign).values("author_id"))


def supports_by_day(campaign, action=None) -> list[tuple]:
    """``[(local day, channel, supports)]`` of the campaign (or of one action), one query."""
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    qs = Support.objects.filter(action__campaign=campaign)
    if action is not None:
        qs = qs.filter(action=action)
    return list(qs.order_by().annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
                .values_list("day", "channel").annotate(n=Count("pk")).values_list("day", "channel", "n"))


def action_support_counts(action) -> dict[str, int]:
    """``{channel: supports}`` of one action (every channel, 0 included), one query."""
    rows = dict(Support.objects.filter(action=action).order_by().values_list("channel")
                .annotate(n=Count("pk")).values_list("channel", "n"))
    return {c: rows.get(c, 0) for c in Channel.values}


def action_for_trace(campaign, action_id) -> Action:
    """A public (published or merged) action of the campaign for its trace page, else 404."""
    action = (Action.objects.filter(campaign=campaign, pk=action_id, status__in=PUBLIC_STATUSES)
              .select_related("campaign", "theme", "sector").first() if str(action_id).isdigit() else None)
    if action is None:
        raise ActionNotFound()
    return action
# -- documents (issue 15: the final plan's supports by channel per action) --

def supports_by_channel_per_action(campaign) -> dict[int, dict[str, int]]:
    """Action id → channel → supports (exact counts, every channel present), in one query. Pages
    that show them to anyone but the organisers pass each through ``suppress_small``."""
    out: dict[int, dict[str, int]] = {}
    for action_id, channel, n in (Support.objects.filter(action__campaign=campaign).order_by()
                                  .values_list("action_id", "channel").annotate(n=Count("id"))
                                  .values_list("action_id", "channel", "n")):
        out.setdefault(action_id, dict.fromkeys(Channel.values, 0))[channel] = n
    return out
