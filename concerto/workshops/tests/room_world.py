"""A workshop with two invited residents and one facilitator, for the room's tests (joining,
collecting, revealing). Built through the services where they exist; the invitation itself is the
``sessions`` part's, so the attendees are made as its services would leave them."""

from datetime import timedelta

from django.utils import timezone

from concerto.workshops import services
from concerto.workshops.models import Attendee, AttendeeSource


def make_workshop(campaign, *, facilitators=(), title="Atelier du mardi"):
    start = timezone.now() + timedelta(hours=1)
    return services.workshop_create(by=None, campaign=campaign, title=title, starts_at=start,
                                    ends_at=start + timedelta(hours=2), place="Maison de quartier",
                                    facilitators=facilitators)


def invite(workshop, name, user=None, source=AttendeeSource.PANEL) -> Attendee:
    return Attendee.objects.create(workshop=workshop, name=name, user=user, source=source,
                                   email=user.email if user else "")


def to_phase(workshop, phase, by):
    """Step the wall forward, one phase at a time, to ``phase``."""
    from concerto.workshops.models import PHASE_ORDER

    workshop.refresh_from_db()
    while PHASE_ORDER.index(workshop.phase) < PHASE_ORDER.index(phase):
        workshop = services.workshop_phase_set(by=by, workshop=workshop,
                                               phase=PHASE_ORDER[PHASE_ORDER.index(workshop.phase) + 1])
    return workshop
