"""What every live-event view shares: fetch-and-authorize helpers and the JSON error answer."""

from django.http import JsonResponse

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError, FieldErrors
from concerto.core.http import require

from .. import rules, selectors
from ..errors import EventNotFound


def json_error(error: DomainError) -> JsonResponse:
    body = {"code": error.code, "message": str(error.message)}
    if isinstance(error, FieldErrors):
        body["errors"] = {k: str(v) for k, v in error.errors.items()}
        body["message"] = " ".join(body["errors"].values()) or body["message"]
    return JsonResponse(body, status=error.status)


def int_or_none(value):
    """A form's or a query's number, None when it is missing or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def event_for_runner(request, slug, pk):
    """The event, when the person runs the set (organiser or facilitator); 404 to anyone else."""
    campaign = campaign_get(slug)
    event = selectors.event_get(campaign, pk)
    require(rules.can_run_event(request.user, event), EventNotFound())
    return event


def event_for_viewer(request, slug, pk):
    campaign = campaign_get(slug)
    event = selectors.event_get(campaign, pk)
    require(rules.can_view_event(request.user, event), EventNotFound())
    return event
