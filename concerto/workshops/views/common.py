"""What every workshop view shares: the seat of the person asking, and the JSON/HTML answer rule.

A participant's device that joined without an account keeps its seat in the session
(``SESSION_SEATS``: workshop id → attendee id). Pages that the wall's script calls answer JSON when
asked (``Accept: application/json``), else they redirect back (POST-redirect-GET) so that every
form works without JavaScript.
"""

from django.http import JsonResponse

from ..selectors import seat_for

SESSION_SEATS = "workshop_seats"


def seat_of(request, workshop):
    return seat_for(request.user, workshop, request.session.get(SESSION_SEATS))


def remember_seat(request, attendee) -> None:
    seats = dict(request.session.get(SESSION_SEATS) or {})
    seats[str(attendee.workshop_id)] = attendee.pk
    request.session[SESSION_SEATS] = seats


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def error_json(error) -> JsonResponse:
    """A domain error as the wall's script reads it: its stable code and its translated sentence."""
    body = {"code": error.code, "message": str(error.message)}
    if getattr(error, "errors", None):
        body["errors"] = {k: str(v) for k, v in error.errors.items()}
    return JsonResponse(body, status=error.status)
