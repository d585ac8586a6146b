"""The cluster and dot-vote phases of the wall: themes, grouping, merging, suggestions, dots.

Thin views: authorize, call one service, answer. Facilitators' writes fetch the workshop with
``workshop_run_get`` (anyone else gets the 404 page, the one refusal rule). Every form is a plain
POST that redirects back (to ``next``, the page it came from); the wall's script may send the same
form with ``Accept: application/json`` and gets ``{"ok": true, "version": N, ...}`` or the error's
code and French sentence (``error_json``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError

from .. import rules, selectors, services
from ..errors import NotFacilitator, ThemeNameEmpty
from ..models import Attendee, Phase
from .common import error_json, seat_of, wants_json

# --- answering -----------------------------------------------------------------------------------


def _back(request, workshop):
    """Back to the page the form was on (``next``, a path of this site), else the wall page."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                                  require_https=request.is_secure()):
        return redirect(target)
    name = "workshops:console" if rules.can_run_workshop(request.user, workshop) else "workshops:wall"
    try:
        return redirect(reverse(name, args=[workshop.campaign.slug, workshop.pk]))
    except NoReverseMatch:  # the wall pages are another part's: until they exist, the campaign's home
        return redirect(reverse("dashboard:campaign_home", args=[workshop.campaign.slug]))


def _done(request, workshop, message="", status=200, **data):
    if wants_json(request):
        # The wall's version now (this write's, or a later one's): what the screens will have seen.
        workshop.refresh_from_db(fields=["version"])
        return JsonResponse({"ok": True, "version": workshop.version, **data}, status=status)
    if message:
        messages.success(request, message)
    return _back(request, workshop)


def _failed(request, workshop, error: DomainError):
    if wants_json(request):
        return error_json(error)
    messages.error(request, str(error.message))
    for text in (getattr(error, "errors", None) or {}).values():
        messages.error(request, str(text))
    return _back(request, workshop)


def _run(request, slug, workshop_id):
    return selectors.workshop_run_get(request.user, campaign_get(slug), workshop_id)


# --- cluster: themes, grouping, merging, editing --------------------------------------------------


@login_required
@require_POST
def theme_add(request, slug, workshop_id):
    workshop = _run(request, slug, workshop_id)
    try:
        theme = services.theme_create(by=request.user, workshop=workshop, name=request.POST.get("name", ""))
    except DomainError as error:
        return _failed(request, workshop, error)
    return _done(request, workshop, _("Theme « %(name)s » created.") % {"name": theme.name}, status=201,
                 theme=theme.pk)


@login_required
@require_POST
def theme_edit(request, slug, workshop_id, wall_theme_id):
    """One theme's buttons: rename (``name``), move up or down, delete (its ideas become ungrouped)."""
    workshop = _run(request, slug, workshop_id)
    action = request.POST.get("action", "rename")
    try:
        if action == "delete":
            services.theme_delete(by=request.user, workshop=workshop, theme_id=wall_theme_id)
            return _done(request, workshop, _("Theme deleted; its ideas are back among the ungrouped ones."))
        if action in ("up", "down"):
            services.theme_move(by=request.user, workshop=workshop, theme_id=wall_theme_id,
                                offset=-1 if action == "up" else 1)
            return _done(request, workshop)
        theme = services.theme_rename(by=request.user, workshop=workshop, theme_id=wall_theme_id,
                                      name=request.POST.get("name", ""))
    except DomainError as error:
        return _failed(request, workshop, error)
    return _done(request, workshop, _("Theme renamed « %(name)s ».") % {"name": theme.name})


@login_required
@require_POST
def idea_group(request, slug, workshop_id, idea_id):
    """"Ranger dans…": ``theme`` = a theme's id, ``new`` (then ``new_name``), or empty (no theme)."""
    workshop = _run(request, slug, workshop_id)
    choice = request.POST.get("theme", "")
    new_name = request.POST.get("new_name", "")
    try:
        if choice == "new" or (choice == "" and new_name.strip()):
            if not new_name.strip():
                raise ThemeNameEmpty()  # "New theme…" without a name: the idea stays where it is
            idea = services.idea_group(by=request.user, workshop=workshop, idea_id=idea_id, new_theme_name=new_name)
        else:
            idea = services.idea_group(by=request.user, workshop=workshop, idea_id=idea_id, theme_id=choice or None)
    except DomainError as error:
        return _failed(request, workshop, error)
    return _done(request, workshop, _("Idea moved."), theme=idea.theme_id)


@login_required
@require_POST
def idea_merge(request, slug, workshop_id, idea_id):
    workshop = _run(request, slug, workshop_id)
    try:
        services.idea_merge(by=request.user, workshop=workshop, idea_id=idea_id, into_id=request.POST.get("into"))
    except DomainError as error:
        return _failed(request, workshop, error)
    return _done(request, workshop, _("Ideas merged: the duplicate is kept in the minutes."))


@login_required
@require_POST
def idea_unmerge(request, slug, workshop_id, idea_id):
    workshop = _run(request, slug, workshop_id)
    try:
        services.idea_unmerge(by=request.user, workshop=workshop, idea_id=idea_id)
    except DomainError as error:
        return _failed(request, workshop, error)
    return _done(request, workshop, _("The idea is back on the wall, in no theme."))


@login_required
@require_POST
def idea_edit(request, slug, workshop_id, idea_id):
    workshop = _run(request, slug, workshop_id)
    try:
        services.idea_correct(by=request.user, workshop=workshop, idea_id=idea_id, text=request.POST.get("text", ""))
    except DomainError as error:
        return _failed(request, workshop, error)
    return _done(request, workshop, _("Idea corrected."))


@login_required
@require_POST
def suggestion(request, slug, workshop_id):
    """Accept (``ideas``, ``name`` or ``theme``) or ignore (``key``) one theme suggestion."""
    workshop = _run(request, slug, workshop_id)
    try:
        if request.POST.get("action") == "dismiss":
            services.suggestion_dismiss(by=request.user, workshop=workshop, key=request.POST.get("key", ""))
            return _done(request, workshop, _("Suggestion ignored."))
        theme = services.suggestion_accept(by=request.user, workshop=workshop,
                                           idea_ids=request.POST.get("ideas", "").split(","),
                                           name=request.POST.get("name", ""), theme_id=request.POST.get("theme"))
    except DomainError as error:
        return _failed(request, workshop, error)
    return _done(request, workshop, _("Suggestion accepted: theme « %(name)s ».") % {"name": theme.name},
                 theme=theme.pk)


# --- the dot-vote ----------------------------------------------------------------------------------


@login_required
@require_POST
def vote_settings(request, slug, workshop_id):
    """Dots per participant and the maximum on one item; a timer (minutes) may be started with them."""
    workshop = _run(request, slug, workshop_id)
    try:
        changed = (str(workshop.dots_per_participant) != request.POST.get("dots_per_participant", "")
                   or str(workshop.max_dots_per_item or "") != request.POST.get("max_dots_per_item", "").strip())
        if changed:
            services.vote_settings_set(by=request.user, workshop=workshop,
                                       dots_per_participant=request.POST.get("dots_per_participant", ""),
                                       max_dots_per_item=request.POST.get("max_dots_per_item", "").strip() or None)
        minutes = request.POST.get("timer_minutes", "").strip()
        if minutes:
            services.workshop_timer_set(by=request.user, workshop=workshop,
                                        minutes=int(minutes) if minutes.isdigit() else -1)
    except DomainError as error:
        return _failed(request, workshop, error)
    return _done(request, workshop, _("Vote settings saved."))


@require_POST
def dot_set(request, slug, workshop_id):
    """Set one's dots on one item (``target``, ``count`` absolute); with ``attendee``, a facilitator
    places them for that person (proxy). Open to device seats (no account): the seat is the permission."""
    workshop = selectors.workshop_get(campaign_get(slug), workshop_id)
    by = request.user if request.user.is_authenticated else None
    proxy_for = request.POST.get("attendee", "").strip()
    try:
        if proxy_for:
            if not rules.can_run_workshop(request.user, workshop):
                raise NotFacilitator()
            attendee = Attendee.objects.filter(workshop=workshop, pk=int(proxy_for) if proxy_for.isdigit() else None).first()
        else:
            attendee = seat_of(request, workshop)
            if attendee is not None and attendee.user_id is None:
                by = None  # a device seat: the person is the seat, whoever is signed in on this browser
        left = services.dot_set(workshop=workshop, attendee=attendee, target=request.POST.get("target", ""),
                                count=request.POST.get("count", ""), by=by)
    except DomainError as error:
        return _failed(request, workshop, error)
    return _done(request, workshop, left=left)


urlpatterns = [
    path("ateliers/<int:workshop_id>/mur/themes/", theme_add, name="theme_add"),
    path("ateliers/<int:workshop_id>/mur/themes/<int:wall_theme_id>/", theme_edit, name="theme_edit"),
    path("ateliers/<int:workshop_id>/mur/idees/<int:idea_id>/ranger/", idea_group, name="idea_group"),
    path("ateliers/<int:workshop_id>/mur/idees/<int:idea_id>/fusionner/", idea_merge, name="idea_merge"),
    path("ateliers/<int:workshop_id>/mur/idees/<int:idea_id>/defusionner/", idea_unmerge, name="idea_unmerge"),
    path("ateliers/<int:workshop_id>/mur/idees/<int:idea_id>/modifier/", idea_edit, name="idea_edit"),
    path("ateliers/<int:workshop_id>/mur/suggestions/", suggestion, name="suggestion"),
    path("ateliers/<int:workshop_id>/mur/vote/reglages/", vote_settings, name="vote_settings"),
    path("ateliers/<int:workshop_id>/mur/points/", dot_set, name="dot_set"),
]
room_urlpatterns: list = []


# --- what the phases add to the wall pages (views/panels.py) --------------------------------------


def cluster_context(request, workshop, *, seat, runner: bool) -> dict:
    """Facilitators: the board with every card's forms, and the suggestions. Participants: the
    themes forming, read-only (names only when the facilitator turned them on)."""
    board = selectors.cluster_board(workshop, names=runner or workshop.names_visible)
    context = {"workshop": workshop, "board": board, "next": request.path}
    if runner:
        context["suggestions"] = selectors.theme_suggestions(workshop)
    return context


def vote_context(request, workshop, *, seat, runner: bool) -> dict:
    items = selectors.vote_items(workshop)
    time_over = workshop.timer_ends_at is not None and timezone.now() >= workshop.timer_ends_at
    context = {"workshop": workshop, "items": items, "next": request.path, "time_over": time_over,
               "budget": workshop.dots_per_participant, "max_per_item": workshop.max_dots_per_item}
    if runner:
        progress = selectors.vote_progress(workshop)
        context.update(progress=progress, attendees=[r["attendee"] for r in progress["rows"]],
                       can_configure=workshop.phase == Phase.VOTE and progress["voters"] == 0,
                       dot_choices=range(0, (workshop.max_dots_per_item or workshop.dots_per_participant) + 1))
    else:
        mine = selectors.dots_by_target(seat)
        used = sum(mine.values())
        for item in items:
            item["mine"] = mine.get(item["target"], 0)
            item["minus"] = max(0, item["mine"] - 1)
            item["plus"] = item["mine"] + 1
            item["can_add"] = (used < workshop.dots_per_participant and not time_over
                               and (not workshop.max_dots_per_item or item["mine"] < workshop.max_dots_per_item))
        context.update(used=used, left=workshop.dots_per_participant - used, seat=seat)
    return context
