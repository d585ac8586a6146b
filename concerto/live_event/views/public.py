"""The audience side of the live event: the public live page, the overlays for the mixing software,
and the audience question form.

Every page renders the full public state (``selectors.event_public_state``) on the server, so a
plain reload shows the latest state without JavaScript; with it, ``viewer.js`` / ``overlay.js``
open one EventSource on ``event:<id>`` and redraw from each state whose ``seq`` is higher.

Framing: these pages alone may be framed, by ``'self'`` and the origins the organisers listed
(``event.frame_origins``); every other page keeps ``frame-ancestors 'none'`` (settings). The live
page also allows its stream's origin in ``frame-src``.
"""

import uuid
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from concerto.campaigns.selectors import campaign_get
from concerto.core import ratelimit
from concerto.core.errors import DomainError, FieldErrors, RateLimited

from .. import rules, selectors, services
from ..models import QUESTION_MAX, Stance
from .common import event_for_viewer


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme != "https" or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _framable(response, event, *, stream: bool = False):
    """Let the organisers' sites (and the site itself) frame this page; nothing else changes.

    X-Frame-Options has no allow-list: with origins listed it is left out (the CSP decides, and
    browsers that know frame-ancestors ignore X-Frame-Options anyway); without, SAMEORIGIN says
    the same as ``frame-ancestors 'self'``."""
    origins = list(event.frame_origins or [])
    replace = {"frame-ancestors": ["'self'", *origins]}
    stream_origin = _origin(event.stream_url) if stream else None
    if stream_origin:
        replace["frame-src"] = [stream_origin]
    response._csp_replace = replace
    if origins:
        response.xframe_options_exempt = True
    else:
        response["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _labels() -> dict:
    """The words the scripts need (the state carries codes only)."""
    return {
        "stances": {value: str(label) for value, label in Stance.choices},
        "not_asked": "—",
        "on_air": _("The action on air: %(title)s"),
        "nothing_on_air": _("No action on air right now."),
        # The template's plural forms, for Intl.PluralRules in the script (French: 0 and 1 are "one").
        "supports_one": ngettext("%(count)s support", "%(count)s supports", 1),
        "supports_other": ngettext("%(count)s support", "%(count)s supports", 2),
        "presented_by": _("Presented by %(name)s"),
        "speaking": _("Speaking: %(name)s (%(list)s)"),
        "nobody_speaking": _("Nobody is speaking."),
        "status": {"scheduled": _("The show has not started yet."), "on_air": _("Live now."),
                   "ended": _("The show is over.")},
    }


def _context(event, state: dict) -> dict:
    """The state shaped for the templates: the same data the scripts redraw from."""
    stances = dict(Stance.choices)
    by_id = {c["id"]: c for c in state["candidates"]}
    on_air = state["on_air"]
    on_air_positions = state["positions"].get(str(on_air["item"]), {}) if on_air else {}

    def cell(item_id, candidate_id):
        p = state["positions"].get(str(item_id), {}).get(str(candidate_id))
        return None if p is None else {**p, "label": stances.get(p["stance"], p["stance"])}

    replies = []
    if on_air:
        for cid in on_air["reply_order"] or [c["id"] for c in state["candidates"]]:
            if cid in by_id:
                replies.append({"candidate": by_id[cid], "position": cell(on_air["item"], cid)})
    speaking = None
    if state["speaking"]:
        cid = state["speaking"]["candidate"]
        if cid in by_id:
            speaking = {"candidate": by_id[cid], "position": on_air_positions.get(str(cid)) and
                        cell(on_air["item"], cid)}
    rows = [{"item": item, "on_air": bool(on_air and on_air["item"] == item["id"]),
             "cells": [cell(item["id"], c["id"]) for c in state["candidates"]]} for item in state["items"]]
    totals = []
    for c in state["candidates"]:
        seconds = state["totals"].get(str(c["id"]), 0)
        if state["speaking"] and state["speaking"]["candidate"] == c["id"]:
            seconds += (parse_datetime(state["now"]) - parse_datetime(state["speaking"]["since"])).total_seconds()
        seconds = int(seconds)
        totals.append({"candidate": c, "seconds": seconds, "display": f"{seconds // 60}:{seconds % 60:02d}"})
    return {"event": event, "campaign": event.campaign, "state": state, "on_air": on_air, "replies": replies,
            "speaking": speaking, "rows": rows, "totals": totals, "labels": _labels(),
            "topic": selectors.topic(event)}


def _live_page(request, event, *, form=None, status=200):
    state = selectors.event_public_state(event)
    context = _context(event, state)
    user = request.user
    context.update({
        "current_url": reverse("live_event:live_event", args=[event.campaign.slug, event.pk]),
        "questions_open": event.questions_open and not state["frozen"] and event.status != "ended",
        "can_ask": rules.can_ask_question(user, event),
        "is_candidate": rules.is_candidate(user, event.campaign),
        "form": form or {"text": "", "errors": {}, "client_id": uuid.uuid4()},
        "question_max": QUESTION_MAX,
    })
    response = render(request, "live_event/public.html", context, status=status)
    return _framable(response, event, stream=True)


@require_GET
@never_cache
def live(request, slug):
    """The campaign's current live event (on air, else the next, else the last one)."""
    campaign = campaign_get(slug)
    event = selectors.event_current(campaign)
    if event is None:
        response = render(request, "live_event/public_none.html", {"campaign": campaign})
        return response
    return _live_page(request, selectors.event_get(campaign, event.pk))


@require_GET
@never_cache
def live_event(request, slug, pk):
    return _live_page(request, event_for_viewer(request, slug, pk))


def _overlay(template):
    @require_GET
    @never_cache
    def view(request, slug, pk):
        event = event_for_viewer(request, slug, pk)
        state = selectors.event_public_state(event)
        response = render(request, template, _context(event, state))
        return _framable(response, event)

    return view


overlay_lower_third = _overlay("live_event/overlay_lower_third.html")
overlay_reactions = _overlay("live_event/overlay_reactions.html")
overlay_times = _overlay("live_event/overlay_times.html")


@login_required
@require_POST
def question_ask(request, slug, pk):
    """A resident's question, held for the team. ``client_id`` is fixed when the page is drawn, so a
    double submit of the same form records one question. Counted per account (a community centre
    shares one address)."""
    event = event_for_viewer(request, slug, pk)
    text = request.POST.get("text", "")
    client_id = request.POST.get("client_id", "")
    try:
        kept_id = uuid.UUID(client_id)
    except ValueError:
        kept_id = uuid.uuid4()  # the form drawn again must be sendable
    # The same id in the form drawn again: fixing the text and sending still records one question.
    form = {"text": text, "errors": {}, "client_id": kept_id}
    slot = ratelimit.take("live_question", str(request.user.pk))
    try:
        if not slot.allowed:
            raise RateLimited(_("You have sent many questions: wait a few minutes before sending another."))
        _question, created = services.question_submit(
            actor=request.user, event=event, text=text, client_id=client_id,
            item_id=event.on_air_id)
    except FieldErrors as error:
        ratelimit.release(slot)
        form["errors"] = {k: str(v) for k, v in error.errors.items()}
        return _live_page(request, event, form=form, status=400)
    except DomainError as error:
        if slot.allowed:
            ratelimit.release(slot)
        form["errors"] = {"text": str(error.message)}
        return _live_page(request, event, form=form, status=error.status if error.status != 404 else 400)
    if not created:
        ratelimit.release(slot)
    messages.success(request, _("Your question was sent. The team will read it before it is shown."))
    return redirect(reverse("live_event:live_event", args=[slug, pk]) + "#question")


urlpatterns = [
    path("direct/", live, name="live"),
    path("direct/<int:pk>/", live_event, name="live_event"),
    path("direct/<int:pk>/question/", question_ask, name="question_ask"),
    path("direct/<int:pk>/incrustation/bandeau/", overlay_lower_third, name="overlay_lower_third"),
    path("direct/<int:pk>/incrustation/reactions/", overlay_reactions, name="overlay_reactions"),
    path("direct/<int:pk>/incrustation/temps/", overlay_times, name="overlay_times"),
]
