"""A candidate's own page: their list's written reaction to each action of the running order.

Only the list's account (role CANDIDATE, linked to the candidate): 404 to anyone else, the sign-in
page for a visitor. They see and change their own reactions only; the others' are public on each
action's page once written, never here.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from concerto.campaigns.selectors import campaign_get, election_freeze
from concerto.core.errors import DomainError, FieldErrors
from concerto.core.http import require
from concerto.proposals import selectors as proposal_selectors

from .. import rules, selectors, services
from ..errors import EventNotFound, ItemInvalid
from ..models import IMPROVEMENT_MAX, WRITTEN_MAX, Stance


def _groups(actions, reactions, errors_for=None, posted=None):
    """The actions grouped by theme (in the order they come), each with its reaction or the posted values."""
    groups: list[dict] = []
    for action in actions:
        theme = action.theme.name if action.theme else _("Without theme")
        if not groups or groups[-1]["theme"] != theme:
            groups.append({"theme": theme, "rows": []})
        reaction = reactions.get(action.pk)
        row = {"action": action, "reaction": reaction, "errors": {},
               # What the form shows: what was just posted when it was refused, else what is stored.
               "values": {k: getattr(reaction, k) if reaction else "" for k in ("stance", "text", "improvement")}}
        if posted is not None and errors_for == action.pk:
            row["values"], row["errors"] = posted, posted.get("errors", {})
        groups[-1]["rows"].append(row)
    return groups


@login_required
@require_http_methods(["GET", "POST"])
def my_reactions(request, slug):
    campaign = campaign_get(slug)
    candidate = selectors.candidate_of(request.user, campaign)
    require(candidate is not None and rules.is_candidate(request.user, campaign), EventNotFound())
    actions = selectors.reaction_actions(campaign)
    status, errors_for, posted = 200, None, None
    if request.method == "POST":
        try:
            action_id = int(request.POST.get("action", ""))
        except ValueError:
            action_id = None
        action = next((a for a in actions if a.pk == action_id), None) or (
            proposal_selectors.published_actions_by_id(campaign, [action_id]).get(action_id) if action_id else None)
        try:
            if action is None:
                raise ItemInvalid()
            services.written_reaction_save(actor=request.user, candidate=candidate, action=action,
                                           stance=request.POST.get("stance", ""), text=request.POST.get("text", ""),
                                           improvement=request.POST.get("improvement", ""))
        except DomainError as exc:
            status = exc.status
            errors = ({k: str(v) for k, v in exc.errors.items()} if isinstance(exc, FieldErrors)
                      else {"form": str(exc.message)})
            errors_for = action.pk if action else None
            posted = {"stance": request.POST.get("stance", ""), "text": request.POST.get("text", ""),
                      "improvement": request.POST.get("improvement", ""), "errors": errors}
            if action is None:
                messages.error(request, errors.get("form", ""))
        else:
            messages.success(request, _("Your reaction to « %(title)s » is saved.") % {"title": action.title})
            return redirect(f"{request.path}#action-{action.pk}")
    return render(request, "live_event/candidate/my_reactions.html", {
        "campaign": campaign, "candidate": candidate,
        "groups": _groups(actions, selectors.reactions_of(candidate), errors_for, posted),
        "stances": Stance.choices, "frozen": election_freeze(campaign), "written_max": WRITTEN_MAX,
        "improvement_max": IMPROVEMENT_MAX}, status=status)


urlpatterns = [
    path("candidats/mes-reactions/", my_reactions, name="my_reactions"),
]
