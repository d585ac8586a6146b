"""The room: joining by room code, the participant's wall page, the facilitator's console, the
projector view, and the posts they send (ideas, phase steps, names, timer, join requests).

Every page keeps its changing part in ``#wall-live``; ``?fragment=1`` returns only that element,
rendered for the person asking (``static/concerto/wall.js`` refetches it when the wall's version
grows). Every form works by plain POST then redirect; the wall's script asks for JSON.
"""

import uuid

import segno
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError, FieldErrors
from concerto.core.ratelimit import client_ip, hit

from .. import rules, selectors, services
from ..errors import NotAttendee, UnknownRoomCode
from ..models import IDEA_MAX_LENGTH, PHASE_ORDER, Attendee, JoinRequest, Phase, Prompt
from .common import error_json, remember_seat, seat_of, wants_json

# This device's pending join request per workshop (workshop id → device id), kept in the session.
SESSION_DEVICES = "workshop_join_devices"

# What the phase bar's buttons say will happen, and what the wall's live region announces.
STEP_SENTENCES = {
    Phase.PLANNED: gettext_lazy("The wall goes back to “not started”: nobody can post."),
    Phase.COLLECT: gettext_lazy("Participants post their ideas; nobody sees the others' ideas yet."),
    Phase.REVEAL: gettext_lazy("Everyone sees all the ideas (without names unless you show them); "
                               "participants can no longer add ideas."),
    Phase.CLUSTER: gettext_lazy("The ideas are grouped into themes."),
    Phase.VOTE: gettext_lazy("Participants place their dots."),
    Phase.SHEETS: gettext_lazy("The vote closes and its results are shown."),
    Phase.CLOSED: gettext_lazy("The wall closes and the minutes are written."),
}
ANNOUNCEMENTS = {
    Phase.PLANNED: gettext_lazy("The workshop has not started yet."),
    Phase.COLLECT: gettext_lazy("You can post your ideas."),
    Phase.REVEAL: gettext_lazy("The ideas are revealed."),
    Phase.CLUSTER: gettext_lazy("The ideas are being grouped into themes."),
    Phase.VOTE: gettext_lazy("The dot-vote is open."),
    Phase.SHEETS: gettext_lazy("The vote is closed: the results are shown."),
    Phase.CLOSED: gettext_lazy("The workshop is closed."),
}


def _wall_url(workshop) -> str:
    return reverse("workshops:wall", args=[workshop.campaign.slug, workshop.pk])


def _console_url(workshop) -> str:
    return reverse("workshops:console", args=[workshop.campaign.slug, workshop.pk])


def _fragment(request) -> bool:
    return request.GET.get("fragment") == "1"


def _common(workshop) -> dict:
    return {"campaign": workshop.campaign, "workshop": workshop, "phase_label": workshop.get_phase_display(),
            "announcement": ANNOUNCEMENTS[workshop.phase], "prompts": Prompt.choices,
            "idea_max_length": IDEA_MAX_LENGTH}


# --- joining (site root) -------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def join(request):
    """Type the six characters shown on the screen."""
    context = {"code": request.GET.get("code", "")[:20]}
    if request.method == "POST":
        typed = request.POST.get("code", "")[:40]
        context["code"] = typed
        try:
            hit("room_code_ip", client_ip(request))
            workshop = selectors.workshop_by_room_code(typed)
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "workshops/wall/join.html", context, status=exc.status)
        return redirect("workshop_room:join_code", code=workshop.room_code)
    return render(request, "workshops/wall/join.html", context)


def _room(request, code):
    """The open workshop of this code; an unknown code counts against the address's budget (the
    QR target is a GET: codes cannot be tried in bulk through it either)."""
    try:
        return selectors.workshop_by_room_code(code)
    except UnknownRoomCode:
        hit("room_code_ip", client_ip(request))
        raise


def _devices(request) -> dict:
    return dict(request.session.get(SESSION_DEVICES) or {})


def _unknown_code_page(request, code, exc):
    return render(request, "workshops/wall/join.html", {"code": code[:20], "error": exc.message}, status=exc.status)


@never_cache
@require_http_methods(["GET", "POST"])
def join_code(request, code):
    """The QR code's target. Who is known takes their seat at once; anyone else gives a first name
    and waits for a facilitator (a resident of the campaign who is not invited too)."""
    try:
        workshop = _room(request, code)
    except DomainError as exc:
        return _unknown_code_page(request, code, exc)
    if code != workshop.room_code:
        return redirect("workshop_room:join_code", code=workshop.room_code)
    seat = seat_of(request, workshop)
    if seat is not None:
        services.attendee_join(attendee=seat)
        return redirect(_wall_url(workshop))
    if rules.can_run_workshop(request.user, workshop):
        return redirect(_console_url(workshop))
    if selectors.join_request_for_device(workshop, _devices(request).get(str(workshop.pk))) is not None:
        return redirect("workshop_room:join_wait", code=workshop.room_code)
    user = request.user
    context = {"workshop": workshop, "name": user.public_name if user.is_authenticated else ""}
    if request.method == "POST":
        context["name"] = request.POST.get("name", "")[:80]
        try:
            hit("room_request_ip", client_ip(request))
            join_request = services.join_request_create(workshop=workshop, name=context["name"],
                                                        device_id=uuid.uuid4())
        except DomainError as exc:
            context["error"] = exc.errors.get("name") if isinstance(exc, FieldErrors) else exc.message
            return render(request, "workshops/wall/join_name.html", context, status=exc.status)
        devices = _devices(request)
        devices[str(workshop.pk)] = str(join_request.device_id)
        request.session[SESSION_DEVICES] = devices
        return redirect("workshop_room:join_wait", code=workshop.room_code)
    return render(request, "workshops/wall/join_name.html", context)


@never_cache
@require_GET
def join_wait(request, code):
    """Waiting for a facilitator's answer. Admitted: the seat is this device's, on to the wall."""
    try:
        workshop = _room(request, code)
    except DomainError as exc:
        return _unknown_code_page(request, code, exc)
    join_request = selectors.join_request_for_device(workshop, _devices(request).get(str(workshop.pk)))
    if join_request is None:
        return redirect("workshop_room:join_code", code=workshop.room_code)
    if join_request.attendee is not None:
        remember_seat(request, join_request.attendee)
        devices = _devices(request)
        devices.pop(str(workshop.pk), None)
        request.session[SESSION_DEVICES] = devices
        services.attendee_join(attendee=join_request.attendee)
        messages.success(request, _("Welcome, %(name)s! You are in.") % {"name": join_request.attendee.name})
        return redirect(_wall_url(workshop))
    return render(request, "workshops/wall/join_wait.html", {"workshop": workshop, "join_request": join_request})


# --- the participant's wall page -----------------------------------------------------------------


def _composer(values=None, error=None, errors=None) -> dict:
    values = values or {}
    return {"composer": {
        "prompt": values.get("prompt") or Prompt.GOOD, "text": values.get("text", ""),
        "place": values.get("place", ""),
        # A double submit without JavaScript sends this id twice: one idea is stored.
        "client_id": values.get("client_id") or str(uuid.uuid4()),
        "error": error, "errors": errors or {},
    }}


def _wall_context(request, workshop, seat, **extra) -> dict:
    from .panels import phase_context

    context = {**_common(workshop), "seat": seat, "runner": False,
               "panel": f"workshops/wall/_seat_{workshop.phase}.html",
               "names": rules.can_see_names(request.user, workshop),
               **phase_context(request, workshop, seat=seat, runner=False)}
    if workshop.phase == Phase.COLLECT and "composer" not in extra:
        context.update(_composer())
    context.update(extra)
    return context


@never_cache
@require_GET
def wall(request, slug, workshop_id):
    campaign = campaign_get(slug)
    workshop = selectors.workshop_get(campaign, workshop_id)
    seat = seat_of(request, workshop)
    if seat is None:
        if rules.can_run_workshop(request.user, workshop):
            return redirect(_console_url(workshop))
        if not rules.is_open_for_input(workshop):
            raise NotAttendee()
        return redirect("workshop_room:join_code", code=workshop.room_code)
    services.attendee_join(attendee=seat)
    context = _wall_context(request, workshop, seat)
    if _fragment(request):
        return render(request, "workshops/wall/_wall_live.html", context)
    return render(request, "workshops/wall/wall.html", context)


def _proxy_attendee(workshop, value):
    """The attendee a facilitator types for: an attendee of this workshop, or the team ("team")."""
    if value in ("", "team"):
        return None
    attendee = Attendee.objects.filter(workshop=workshop, pk=value).first() if str(value).isdigit() else None
    if attendee is None:
        raise FieldErrors({"attendee": _("Choose who this idea is from.")})
    return attendee


@require_POST
def idea_add(request, slug, workshop_id):
    campaign = campaign_get(slug)
    workshop = selectors.workshop_get(campaign, workshop_id)
    runner = rules.can_run_workshop(request.user, workshop)
    by = request.user if request.user.is_authenticated else None
    proxy = runner and "attendee" in request.POST
    values = {k: request.POST.get(k, "") for k in ("prompt", "text", "place", "client_id")}
    seat = None
    try:
        if proxy:
            attendee = _proxy_attendee(workshop, request.POST.get("attendee", ""))
        else:
            attendee = seat = seat_of(request, workshop)
            if seat is None and not runner:
                raise NotAttendee()
        idea, created = services.idea_add(workshop=workshop, attendee=attendee, by=by, **values)
    except DomainError as exc:
        if wants_json(request):
            return error_json(exc)
        if seat is not None:
            workshop.refresh_from_db()
            errors = exc.errors if isinstance(exc, FieldErrors) else {}
            context = _wall_context(request, workshop, seat, **_composer(values, exc.message, errors))
            return render(request, "workshops/wall/wall.html", context, status=exc.status)
        messages.error(request, exc.message)
        return redirect(_console_url(workshop) if runner else _wall_url(workshop))
    if wants_json(request):
        # ``version``: the wall's version after this idea (the live event that announces it).
        return JsonResponse({"ok": True, "id": idea.pk, "client_id": str(idea.client_id), "created": created,
                             "version": idea.workshop.version}, status=201 if created else 200)
    messages.success(request, _("Your idea is on the wall.") if not proxy and seat is not None
                     else _("The idea is on the wall."))
    return redirect(_wall_url(workshop) if seat is not None else _console_url(workshop))


def _my_idea_write(request, slug, workshop_id, idea_id, write):
    campaign = campaign_get(slug)
    workshop = selectors.workshop_get(campaign, workshop_id)
    seat = seat_of(request, workshop)
    by = request.user if request.user.is_authenticated else None
    try:
        if seat is None:
            raise NotAttendee()
        message = write(workshop, seat, by)
    except DomainError as exc:
        if wants_json(request):
            return error_json(exc)
        messages.error(request, exc.message)
    else:
        if wants_json(request):
            return JsonResponse({"ok": True})
        messages.success(request, message)
    return redirect(_wall_url(workshop))


@require_POST
def my_idea_edit(request, slug, workshop_id, idea_id):
    def write(workshop, seat, by):
        services.idea_edit(workshop=workshop, attendee=seat, idea_id=idea_id, by=by,
                           **{k: request.POST.get(k, "") for k in ("prompt", "text", "place")})
        return _("Your idea is changed.")

    return _my_idea_write(request, slug, workshop_id, idea_id, write)


@require_POST
def my_idea_delete(request, slug, workshop_id, idea_id):
    def write(workshop, seat, by):
        services.idea_delete(workshop=workshop, attendee=seat, idea_id=idea_id, by=by)
        return _("Your idea is deleted.")

    return _my_idea_write(request, slug, workshop_id, idea_id, write)


# --- the facilitator's console -------------------------------------------------------------------


def _step(workshop, offset):
    index = PHASE_ORDER.index(workshop.phase) + offset
    if 0 <= index < len(PHASE_ORDER):
        phase = PHASE_ORDER[index]
        return {"value": phase.value, "label": phase.label, "sentence": STEP_SENTENCES[phase]}
    return None


def _console_context(request, workshop) -> dict:
    from .panels import phase_context

    counts = selectors.wall_counts(workshop)
    return {**_common(workshop), "seat": None, "runner": True, "counts": counts,
            "panel": f"workshops/wall/_panel_{workshop.phase}.html", "names": True,
            "next_step": _step(workshop, 1) if not workshop.cancelled_at else None,
            "previous_step": _step(workshop, -1) if not workshop.cancelled_at else None,
            "join_requests": selectors.pending_join_requests(workshop),
            "not_joined": selectors.attendees_not_joined(workshop),
            "attendees": selectors.attendees_of(workshop),
            "can_post_proxy": workshop.phase in (Phase.COLLECT, Phase.REVEAL, Phase.CLUSTER),
            "proxy_client_id": str(uuid.uuid4()),
            **phase_context(request, workshop, seat=None, runner=True)}


@never_cache
@require_GET
def console(request, slug, workshop_id):
    workshop = selectors.workshop_run_get(request.user, campaign_get(slug), workshop_id)
    context = _console_context(request, workshop)
    if _fragment(request):
        return render(request, "workshops/wall/_console_live.html", context)
    return render(request, "workshops/wall/console.html", context)


def _run(request, slug, workshop_id, act):
    """A console button: the act (a service call returning the sentence to show), then back."""
    workshop = selectors.workshop_run_get(request.user, campaign_get(slug), workshop_id)
    try:
        message = act(workshop)
    except DomainError as exc:
        if wants_json(request):
            return error_json(exc)
        messages.error(request, " ".join(str(v) for v in exc.errors.values())
                       if isinstance(exc, FieldErrors) else exc.message)
    else:
        if wants_json(request):
            return JsonResponse({"ok": True})
        messages.success(request, message)
    return redirect(_console_url(workshop))


@require_POST
def phase_set(request, slug, workshop_id):
    def act(workshop):
        workshop = services.workshop_phase_set(by=request.user, workshop=workshop, phase=request.POST.get("phase", ""))
        return _("The wall is now at the step “%(phase)s”.") % {"phase": workshop.get_phase_display()}

    return _run(request, slug, workshop_id, act)


@require_POST
def names_set(request, slug, workshop_id):
    def act(workshop):
        visible = request.POST.get("visible") == "1"
        services.workshop_names_set(by=request.user, workshop=workshop, visible=visible)
        return _("Names are shown to participants.") if visible else _("Names are hidden from participants.")

    return _run(request, slug, workshop_id, act)


@require_POST
def timer_set(request, slug, workshop_id):
    def act(workshop):
        raw = request.POST.get("minutes", "").strip()
        if request.POST.get("stop") or raw in ("", "0"):
            minutes = None
        elif raw.isdigit():
            minutes = int(raw)
        else:
            raise FieldErrors({"minutes": _("A timer lasts from 1 to 120 minutes.")})
        services.workshop_timer_set(by=request.user, workshop=workshop, minutes=minutes)
        return (_("The timer runs for %(n)d minutes.") % {"n": minutes}) if minutes else _("The timer is stopped.")

    return _run(request, slug, workshop_id, act)


@require_POST
def join_request_decide(request, slug, workshop_id, request_id):
    def act(workshop):
        join_request = JoinRequest.objects.filter(workshop=workshop, pk=request_id).first()
        if join_request is None:
            from ..errors import JoinRequestDecided

            raise JoinRequestDecided()
        decision = request.POST.get("decision", "")
        if decision == "refuse":
            services.join_request_refuse(by=request.user, join_request=join_request)
            return _("%(name)s was not let in.") % {"name": join_request.name}
        if decision == "walk_in":
            services.join_request_walk_in(by=request.user, join_request=join_request)
            return _("%(name)s is in, as a walk-in.") % {"name": join_request.name}
        attendee_id = request.POST.get("attendee", "")
        attendee = (Attendee.objects.filter(workshop=workshop, pk=attendee_id).first()
                    if attendee_id.isdigit() else None)
        services.join_request_admit(by=request.user, join_request=join_request, attendee=attendee)
        return _("%(name)s is in, as %(attendee)s.") % {"name": join_request.name, "attendee": attendee.name}

    return _run(request, slug, workshop_id, act)


# --- the projector -------------------------------------------------------------------------------


def _qr_svg(url: str) -> str:
    """The room's QR code as inline SVG (no inline style: the CSP allows none). ``data-figure`` marks
    it as the page's own drawing for the XSS suite's scan, which flags any other <svg>."""
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2, dark="#000", light="#fff",
                                                omitsize=True, svgclass="qr-code")
    return svg.replace("<svg ", '<svg data-figure="qr" ', 1)


@never_cache
@require_GET
def projector(request, slug, workshop_id):
    workshop = selectors.workshop_run_get(request.user, campaign_get(slug), workshop_id)
    join_url = request.build_absolute_uri(reverse("workshop_room:join_code", args=[workshop.room_code]))
    context = {**_common(workshop), "counts": selectors.wall_counts(workshop), "join_url": join_url,
               "join_short_url": request.build_absolute_uri(reverse("workshop_room:join")),
               # The room sees the screen: names only when the facilitator turned them on.
               "names": workshop.names_visible,
               "groups": selectors.wall_groups(workshop) if workshop.is_revealed else []}
    if _fragment(request):
        return render(request, "workshops/wall/_projector_live.html", context)
    context["qr_svg"] = _qr_svg(join_url)
    return render(request, "workshops/wall/projector.html", context)


# --- phase panels (views/panels.py) --------------------------------------------------------------


def planned_context(request, workshop, *, seat, runner: bool) -> dict:
    return {}


def collect_context(request, workshop, *, seat, runner: bool) -> dict:
    if runner:
        return {"ideas": list(selectors.wall_ideas(workshop))[::-1]}  # newest first: they arrive on top
    return {"my_ideas": selectors.my_ideas(workshop, seat)}


def reveal_context(request, workshop, *, seat, runner: bool) -> dict:
    return {"groups": selectors.wall_groups(workshop),
            "names": runner or rules.can_see_names(request.user, workshop)}


urlpatterns = [
    path("ateliers/<int:workshop_id>/animation/", console, name="console"),
    path("ateliers/<int:workshop_id>/animation/etape/", phase_set, name="phase_set"),
    path("ateliers/<int:workshop_id>/animation/noms/", names_set, name="names_set"),
    path("ateliers/<int:workshop_id>/animation/minuteur/", timer_set, name="timer_set"),
    path("ateliers/<int:workshop_id>/animation/demandes/<int:request_id>/", join_request_decide,
         name="join_request_decide"),
    path("ateliers/<int:workshop_id>/mur/", wall, name="wall"),
    path("ateliers/<int:workshop_id>/mur/idees/", idea_add, name="idea_add"),
    path("ateliers/<int:workshop_id>/mur/mes-idees/<int:idea_id>/", my_idea_edit, name="my_idea_edit"),
    path("ateliers/<int:workshop_id>/mur/mes-idees/<int:idea_id>/supprimer/", my_idea_delete, name="my_idea_delete"),
    path("ateliers/<int:workshop_id>/salle/", projector, name="projector"),
]

room_urlpatterns = [
    path("atelier/", join, name="join"),
    path("atelier/<str:code>/", join_code, name="join_code"),
    path("atelier/<str:code>/attente/", join_wait, name="join_wait"),
]
