"""The control room's actions, as small JSON POSTs (the contract the control room's script, the
browser tests and any external console use; docs/live-event.md lists them).

Each answers ``{"ok": true, "seq": n, ...}`` or ``{"code", "message"}`` with 400/403/404. Same-origin
``fetch`` with the CSRF token; the no-JavaScript forms of the control room post to the same URLs
with ``Accept: text/html`` and are redirected back to the control room.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from concerto.core.errors import DomainError

from .. import services
from ..errors import EventNotFound
from .common import event_for_runner, int_or_none, json_error


def _wants_html(request) -> bool:
    return "text/html" in request.headers.get("Accept", "") and request.headers.get("X-Requested-With") != "fetch"


def _back(request, slug, pk, anchor="") -> str:
    """The control room, on the screen of the action the form was about (``?item=``)."""
    url = reverse("live_event:control", args=[slug, pk])
    item = int_or_none(request.POST.get("item"))
    if item is not None:
        url += f"?item={item}"
    return url + (anchor or (f"#item-{item}" if item is not None else ""))


def _answer(request, slug, pk, fn):
    """Run ``fn(event)`` and answer JSON, or redirect back with a message for a plain form."""
    try:
        event = event_for_runner(request, slug, pk)
        extra = fn(event) or {}
    except DomainError as error:
        if _wants_html(request) and error.status == 400:
            messages.error(request, str(error.message) if not hasattr(error, "errors")
                           else " ".join(str(v) for v in error.errors.values()))
            return redirect(_back(request, slug, pk))
        if _wants_html(request):
            raise
        return json_error(error)
    if _wants_html(request):
        return redirect(_back(request, slug, pk, extra.pop("_anchor", "")))
    extra.pop("_anchor", None)
    event.refresh_from_db(fields=["seq"])
    return JsonResponse({"ok": True, "seq": event.seq, **extra})


@login_required
@require_POST
def start(request, slug, pk):
    return _answer(request, slug, pk, lambda e: services.event_start(actor=request.user, event=e) and None)


@login_required
@require_POST
def end(request, slug, pk):
    return _answer(request, slug, pk, lambda e: services.event_end(actor=request.user, event=e) and None)


@login_required
@require_POST
def on_air(request, slug, pk):
    """``step=next|prev``, or ``item=<id>`` (empty: nothing on air)."""
    def act(event):
        step = request.POST.get("step")
        if step in ("next", "prev"):
            event = services.on_air_step(actor=request.user, event=event, step=1 if step == "next" else -1)
        else:
            event = services.on_air_set(actor=request.user, event=event, item_id=int_or_none(request.POST.get("item")))
        return {"on_air": event.on_air_id}
    return _answer(request, slug, pk, act)


@login_required
@require_POST
def position(request, slug, pk):
    """``item``, ``candidate``, ``stance``, ``summary``, ``improvement``, ``client_id`` (UUID of the
    cell), ``revision`` (1, 2, … per cell). Answers the stored cell and ``outcome``."""
    def act(event):
        revision = int_or_none(request.POST.get("revision")) or 1
        stored, outcome = services.position_record(
            actor=request.user, event=event, item_id=int_or_none(request.POST.get("item")),
            candidate_id=int_or_none(request.POST.get("candidate")), stance=request.POST.get("stance", ""),
            summary=request.POST.get("summary", ""), improvement=request.POST.get("improvement", ""),
            client_id=request.POST.get("client_id", ""), revision=revision)
        return {"outcome": outcome, "position": {"item": stored.item_id, "candidate": stored.candidate_id,
                                                  "stance": stored.stance, "summary": stored.summary,
                                                  "improvement": stored.improvement, "revision": stored.revision,
                                                  "client_id": str(stored.client_id)},
                "_anchor": f"#cell-{stored.item_id}-{stored.candidate_id}"}
    return _answer(request, slug, pk, act)


@login_required
@require_POST
def speaking(request, slug, pk):
    """``candidate=<id>`` with ``client_id`` (UUID of the key press): that candidate speaks, the
    previous one stops; ``candidate=stop``: nobody speaks."""
    def act(event):
        if request.POST.get("candidate") == "stop":
            services.turn_stop(actor=request.user, event=event)
            return {"speaking": None}
        turn = services.turn_start(actor=request.user, event=event,
                                   candidate_id=int_or_none(request.POST.get("candidate")),
                                   client_id=request.POST.get("client_id", ""))
        return {"speaking": turn.candidate_id, "since": turn.started_at.isoformat()}
    return _answer(request, slug, pk, act)


@login_required
@require_POST
def question(request, slug, pk, qid):
    """``do=approve|reject|show|hide`` on an audience question."""
    def act(event):
        do = request.POST.get("do")
        if do in ("approve", "reject"):
            services.question_decide(actor=request.user, event=event, question_id=qid, approve=do == "approve")
        elif do == "show":
            services.question_show(actor=request.user, event=event, question_id=qid)
        elif do == "hide":
            services.question_show(actor=request.user, event=event, question_id=None)
        else:
            raise EventNotFound()
        return {}
    return _answer(request, slug, pk, act)


urlpatterns = [
    path("direct/<int:pk>/regie/debut/", start, name="control_start"),
    path("direct/<int:pk>/regie/fin/", end, name="control_end"),
    path("direct/<int:pk>/regie/antenne/", on_air, name="control_on_air"),
    path("direct/<int:pk>/regie/position/", position, name="control_position"),
    path("direct/<int:pk>/regie/parole/", speaking, name="control_speaking"),
    path("direct/<int:pk>/regie/question/<int:qid>/", question, name="control_question"),
]
