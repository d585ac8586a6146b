"""Every permission about workshops. Deny by default.

Who runs a wall: the campaign's organisers and facilitators. Who takes part: attendees (invited,
or let in by a facilitator) while the workshop is neither cancelled nor closed. The public sees a
workshop's date and place, and its minutes once it is closed.
"""

from concerto.campaigns.selectors import campaign_is_archived
from concerto.residents import rules as r
from concerto.residents.models import Role

from .models import REVEALED_PHASES, Phase


def can_manage_workshops(user, campaign) -> bool:
    """Create, edit, invite, cancel: organisers."""
    return r.is_organiser(user, campaign)


def can_run_workshop(user, workshop) -> bool:
    """Run the wall, the projector view and attendance: organisers and the campaign's facilitators."""
    return r.has_role(user, workshop.campaign, Role.ORGANISER, Role.FACILITATOR)


def can_view_workshop(user, workshop) -> bool:
    """Date, place and agenda are public once the workshop exists (the calendar shows them)."""
    return True


def can_view_minutes(user, workshop) -> bool:
    return workshop.phase == Phase.CLOSED or can_run_workshop(user, workshop)


def is_open_for_input(workshop) -> bool:
    return workshop.cancelled_at is None and workshop.phase != Phase.CLOSED and not campaign_is_archived(
        workshop.campaign)


def can_take_part(attendee, workshop) -> bool:
    """``attendee`` is the seat this device or account holds in the workshop (None if none)."""
    return attendee is not None and attendee.workshop_id == workshop.pk and is_open_for_input(workshop)


def can_see_peer_ideas(user, workshop) -> bool:
    return workshop.phase in REVEALED_PHASES or can_run_workshop(user, workshop)


def can_see_names(user, workshop) -> bool:
    """Facilitators always see who wrote what; peers only when the facilitator turned names on."""
    return can_run_workshop(user, workshop) or workshop.names_visible


def can_see_vote_totals(user, workshop) -> bool:
    """Votes stay hidden from everyone, facilitators included, until the vote is closed."""
    return workshop.phase in (Phase.SHEETS, Phase.CLOSED)
