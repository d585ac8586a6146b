"""A wall for the cluster and dot-vote tests: a workshop at a chosen phase, attendees, ideas.

Built through the real services where they exist (``workshop_create``, ``idea_add``); the phase is
then set directly, since walking the phase machine is the ``room`` part's business and tested there.
"""

import uuid
from datetime import timedelta

from django.utils import timezone

from ..models import Attendee, AttendeeSource, Idea, Workshop
from ..services import idea_add, workshop_create


def make_workshop(campaign, *, phase="cluster", facilitators=()) -> Workshop:
    start = timezone.now() + timedelta(hours=1)
    workshop = workshop_create(by=None, campaign=campaign, title="Atelier du quartier", starts_at=start,
                               ends_at=start + timedelta(hours=2), place="Maison des associations",
                               facilitators=facilitators)
    Workshop.objects.filter(pk=workshop.pk).update(phase=phase)
    workshop.refresh_from_db()
    return workshop


def make_attendee(workshop, name, *, user=None) -> Attendee:
    return Attendee.objects.create(workshop=workshop, name=name, user=user, source=AttendeeSource.PANEL)


def make_ideas(workshop, attendee, texts) -> list[Idea]:
    """Ideas posted while collecting (the phase is put back afterwards)."""
    phase = workshop.phase
    Workshop.objects.filter(pk=workshop.pk).update(phase="collect")
    ideas = [idea_add(workshop=workshop, attendee=attendee, prompt="propose", text=t, client_id=uuid.uuid4())[0]
             for t in texts]
    Workshop.objects.filter(pk=workshop.pk).update(phase=phase)
    workshop.refresh_from_db()
    return ideas


def set_phase(workshop, phase) -> None:
    Workshop.objects.filter(pk=workshop.pk).update(phase=phase)
    workshop.refresh_from_db()
