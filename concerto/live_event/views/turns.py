"""The speaking turns of a set and their corrections (issue 14, "Speaking time"): when the wrong
candidate's key was pressed, or a key when nobody spoke, a facilitator says who actually spoke (or
removes the turn) and why. Organisers and facilitators only (404 to anyone else, the sign-in page
for a visitor), like the control room.

The times stay the server's: a correction changes only whose turn it was. Each one goes into the
campaign's journal with the reason, and the fairness report's signature is recorded again
(``services.turn_correct``). The page lists the corrections already made, newest first.

A plain form posts here and comes back to the page (the turn's row, with a confirmation); a
``fetch`` asking for JSON gets ``{"ok": true, "seq": n, "turn": {...} | null}`` or the usual
``{"code", "message", "errors"}``. The API has the same act (``/api/v1/campaigns/<slug>/events/<id>/turns/<turn_id>/correct``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from concerto.campaigns.selectors import campaign_is_archived
from concerto.core.errors import DomainError, FieldErrors

from .. import report, selectors, services
from ..errors import CandidateInvalid
from .common import event_for_runner, int_or_none, json_error

# The choice "nobody spoke" in the form: the turn is removed.
NOBODY = "personne"


def _page(request, event, *, item_id="", rows=None, status=200, failed=None, errors=None, values=None):
    """``item_id``: the turns on that action of the running order only (their numbers stay the set's);
    ``rows``: ``selectors.turn_list`` when the caller has read it already."""
    turns = (selectors.turn_list(event) if rows is None else rows)[::-1]
    items = selectors.running_items(event)
    item = next((i for i in items if str(i.pk) == item_id), None)
    shown = [row for row in turns if row["turn"].item_id == item.pk] if item else turns
    return render(request, "live_event/turns.html", {
        "campaign": event.campaign, "event": event, "turns": shown, "total": len(turns), "items": items,
        "item": item,
        "corrections": report.turn_corrections(event), "candidates": selectors.candidate_list(event.campaign),
        "archived": campaign_is_archived(event.campaign), "nobody": NOBODY,
        "failed": failed, "failed_n": next((row["n"] for row in turns if row["turn"].pk == failed), None),
        "errors": errors or {}, "values": values or {},
    }, status=status)


@login_required
@require_GET
def turns(request, slug, pk):
    return _page(request, event_for_runner(request, slug, pk), item_id=request.GET.get("item", ""))


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def turn_correct(request, slug, pk, tid):
    """``candidate``: the id of who actually spoke, or ``personne`` (nobody: the turn is removed);
    ``reason``: required, up to 280 characters."""
    event = event_for_runner(request, slug, pk)
    choice = request.POST.get("candidate", "")
    reason = request.POST.get("reason", "")
    remove = choice == NOBODY
    candidate_id = None if remove else int_or_none(choice)
    rows = selectors.turn_list(event)
    before = next((row for row in rows if row["turn"].pk == tid), None)
    try:
        turn = services.turn_correct(actor=request.user, event=event, turn_id=tid, reason=reason,
                                     candidate_id=candidate_id, remove=remove)
    except DomainError as error:
        if _wants_json(request):
            return json_error(error)
        if error.status != 400:
            raise
        errors = (error.errors if isinstance(error, FieldErrors)
                  else {"candidate": error.message} if isinstance(error, CandidateInvalid) else {"turn": error.message})
        return _page(request, event, item_id=request.POST.get("item", ""), rows=rows, status=400, failed=tid, errors=errors,
                     values={"candidate": choice, "reason": reason})
    if _wants_json(request):
        event.refresh_from_db(fields=["seq"])
        return JsonResponse({"ok": True, "seq": event.seq, "turn": None if turn is None else {
            "id": turn.pk, "candidate": turn.candidate_id, "started_at": turn.started_at.isoformat(),
            "ended_at": turn.ended_at.isoformat() if turn.ended_at else None}})
    n = before["n"] if before else tid
    back = reverse("live_event:control_turns", args=[slug, pk])
    item = int_or_none(request.POST.get("item"))
    if item is not None:  # back to the action the list was filtered on
        back += f"?item={item}"
    if turn is not None and before is not None and before["candidate"].pk == turn.candidate_id:
        messages.info(request, _("Nothing changed: turn %(n)s already counts for %(name)s.")
                      % {"n": n, "name": turn.candidate.name})
        return redirect(back + f"#turn-{turn.pk}")
    if turn is None:
        messages.success(request, _("Turn %(n)s removed: its time no longer counts for anyone.") % {"n": n})
        return redirect(back + "#corrections")
    messages.success(request, _("Turn %(n)s now counts for %(name)s.") % {"n": n, "name": turn.candidate.name})
    return redirect(back + f"#turn-{turn.pk}")


urlpatterns = [
    path("direct/<int:pk>/regie/tours/", turns, name="control_turns"),
    path("direct/<int:pk>/regie/tours/<int:tid>/corriger/", turn_correct, name="control_turn_correct"),
]
