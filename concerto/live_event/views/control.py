"""The facilitator's control room (issue 14, "Control room"): the running order and what is on air,
one screen per action with every candidate's position, speaking time against equal time, and the
audience questions. Organisers and facilitators only (404 to anyone else, the sign-in page for a
visitor).

The page works without JavaScript: each change is a plain form posting to the JSON endpoints of
``control_api.py``, which redirect back here (``?item=`` keeps the action's screen). With
``static/concerto/live_event/control.js`` the same forms are sent by ``fetch``, the screens follow
the ``event:<id>`` and ``eventroom:<id>`` states, drafts live in localStorage until the server
acknowledges them, and the keyboard runs the show (shortcuts listed on the page).
"""

import uuid

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from concerto.campaigns.selectors import campaign_get
from concerto.core.http import require

from .. import rules, selectors
from ..errors import EventNotFound
from ..models import SUMMARY_MAX, EventStatus, QuestionStatus, Stance
from .common import event_for_runner, int_or_none

# The keys that start a candidate's clock: 1 to 9, in the action's reply order.
MAX_KEYED = 9


def _screens(event, items, candidates, matrix, totals):
    """One screen per action: its candidates in its reply order (the panel's order when the order
    is not published yet), each with the stored position and the values the plain form posts."""
    by_id = {c.pk: c for c in candidates}
    screens = []
    for item in items:
        ordered = [by_id[c] for c in item.reply_order if c in by_id]
        ordered += [c for c in candidates if c not in ordered]
        cells = []
        for n, candidate in enumerate(ordered, 1):
            stored = matrix.get((item.pk, candidate.pk))
            cells.append({
                "n": n, "key": str(n) if n <= MAX_KEYED else "", "candidate": candidate, "position": stored,
                "stance": stored.stance if stored else "", "summary": stored.summary if stored else "",
                "improvement": stored.improvement if stored else "",
                "client_id": str(stored.client_id) if stored else str(uuid.uuid4()),
                "revision": stored.revision if stored else 0,
                # A turn's own id: the position's stays the same across pages, a new turn needs a new one.
                "turn_client_id": str(uuid.uuid4()), "next_revision": (stored.revision if stored else 0) + 1,
                "item_seconds": totals.get(candidate.pk, {}).get("by_item", {}).get(item.pk, 0.0),
                "show_seconds": totals.get(candidate.pk, {}).get("total", 0.0),
            })
        screens.append({"item": item, "cells": cells,
                        "reply_names": [c.name for c in ordered] if item.reply_order else []})
    return screens


def _labels() -> dict[str, str]:
    """The sentences control.js writes (``%(name)s`` and the like are filled in by the script)."""
    return {
        "nobody": _("Nobody is speaking."),
        "speaking": _("%(name)s is speaking."),
        "saved": _("saved"),
        "pending": _("waiting to be sent"),
        "need_stance": _("choose a position to send it"),
        "error": _("not saved: %(message)s"),
        "counter": _("%(n)s of %(max)s characters"),
        "gap": _("Gap between the most and the least exposed: %(gap)s (target: at most %(target)s)."),
        "over": _("Above the target."),
        "near": _("Close to the target."),
        "within": _("Within the target."),
        "behind": _("Behind:"),
        "offline": _("Connection to the live updates lost: the screens may be out of date. Reconnecting…"),
        "online": _("Live updates connected again."),
        "failed": _("The server did not answer: try again."),
        "on_air": _("On air: %(title)s."),
    }


@login_required
@require_GET
def control(request, slug, pk):
    event = event_for_runner(request, slug, pk)
    items = selectors.running_items(event)
    candidates = selectors.candidate_list(event.campaign)
    totals = selectors.speaking_seconds(event)
    item_ids = [i.pk for i in items]
    wanted = int_or_none(request.GET.get("item"))
    shown = wanted if wanted in item_ids else (event.on_air_id or (item_ids[0] if item_ids else None))
    question_item = int_or_none(request.GET.get("questions"))
    questions = selectors.control_questions(event, question_item if question_item in item_ids else None)
    context = {"event": event, "questions": questions, "question_item": question_item,
               "QuestionStatus": QuestionStatus, "items": items}
    if request.GET.get("partial") == "questions":
        # control.js refreshes the questions panel when the waiting count changes.
        return render(request, "live_event/control_questions.html", {**context, "campaign": event.campaign})
    public = selectors.event_public_state(event)
    room = selectors.event_room_state(event)
    gap, target = room["gap"], room["target_gap"]
    shows = {c.pk: totals.get(c.pk, {}).get("total", 0.0) for c in candidates}
    least = min(shows.values()) if shows else 0.0
    return render(request, "live_event/control.html", {
        **context,
        "campaign": event.campaign,
        "screens": _screens(event, items, candidates, selectors.positions_matrix(event), totals),
        "shown": shown,
        "on_air": event.on_air_id,
        "candidates": candidates,
        "stances": Stance.choices,
        "summary_max": SUMMARY_MAX,
        "is_scheduled": event.status == EventStatus.SCHEDULED,
        "is_on_air": event.status == EventStatus.ON_AIR,
        "is_ended": event.status == EventStatus.ENDED,
        "gap": gap, "target_gap": target, "over_target": gap > target,
        "behind": [c for c in candidates if shows[c.pk] == least] if gap > 0 else [],
        "show_seconds": [(c, shows[c.pk]) for c in candidates],
        "public_state": public,
        "room_state": room,
        "speaking": next((c for c in candidates if public["speaking"]
                          and c.pk == public["speaking"]["candidate"]), None),
        "labels": _labels(),
    })


@login_required
@require_GET
def control_index(request, slug):
    """The campaign's events, for the people who run them: each one's control room."""
    campaign = campaign_get(slug)
    require(rules.can_run_events(request.user, campaign), EventNotFound())
    return render(request, "live_event/control_index.html",
                  {"campaign": campaign, "events": selectors.event_list(campaign)})


urlpatterns = [
    path("direct/regie/", control_index, name="control_index"),
    path("direct/<int:pk>/regie/", control, name="control"),
]
