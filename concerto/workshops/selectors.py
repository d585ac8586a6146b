"""Reads about workshops, built for the pages that use them."""

import unicodedata

from django.db.models import Count, Q, Sum

from . import rules
from .errors import UnknownRoomCode, WorkshopNotFound
from .models import (
    ROOM_CODE_ALPHABET,
    ROOM_CODE_LENGTH,
    Attendance,
    Attendee,
    Dot,
    Idea,
    Phase,
    Workshop,
)


def workshop_get(campaign, workshop_id) -> Workshop:
    """A workshop of this campaign (public facts only are shown from it without further checks)."""
    workshop = (Workshop.objects.select_related("campaign").filter(campaign=campaign, pk=workshop_id).first()
                if str(workshop_id).isdigit() else None)
    if workshop is None:
        raise WorkshopNotFound()
    return workshop


def workshop_run_get(user, campaign, workshop_id) -> Workshop:
    """Fetch-and-authorize for facilitators' pages: refused exactly like a missing workshop."""
    workshop = workshop_get(campaign, workshop_id)
    if not rules.can_run_workshop(user, workshop):
        raise WorkshopNotFound()
    return workshop


def normalise_room_code(typed: str) -> str:
    """Upper case, no spaces or dashes, compatibility forms folded (a full-width 'Ａ' is 'A')."""
    text = unicodedata.normalize("NFKC", typed or "").upper()
    return "".join(c for c in text if c.isalnum())


def workshop_by_room_code(typed: str) -> Workshop:
    code = normalise_room_code(typed)
    if len(code) != ROOM_CODE_LENGTH or any(c not in ROOM_CODE_ALPHABET for c in code):
        raise UnknownRoomCode()
    workshop = Workshop.objects.select_related("campaign").filter(room_code=code).first()
    if workshop is None or workshop.cancelled_at is not None or workshop.phase == Phase.CLOSED:
        raise UnknownRoomCode()
    return workshop


def seat_for(user, workshop, session_seats: dict | None = None) -> Attendee | None:
    """The attendee this person is in the workshop: by account, or by the seat this device was
    given when it joined (``session_seats``: workshop id → attendee id, kept in the session)."""
    if user is not None and user.is_authenticated:
        seat = Attendee.objects.filter(workshop=workshop, user=user).first()
        if seat is not None:
            return seat
    attendee_id = (session_seats or {}).get(str(workshop.pk))
    if attendee_id:
        return Attendee.objects.filter(workshop=workshop, pk=attendee_id).first()
    return None


def attendee_by_token(token: str) -> Attendee | None:
    """The attendee a personal link (invitation e-mail or letter) belongs to, if it is still valid."""
    import hashlib

    if not token or len(token) > 64:
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    return Attendee.objects.select_related("workshop", "workshop__campaign").filter(token_hash=digest).first()


def wall_counts(workshop) -> dict:
    """What the room may see at any moment: the live topic's state (``wall:<id>``). Two queries."""
    ideas = Idea.objects.filter(workshop=workshop, merged_into__isnull=True).count()
    people = Attendee.objects.filter(workshop=workshop).aggregate(
        joined=Count("id", filter=Q(joined_at__isnull=False), distinct=True),
        present=Count("id", filter=Q(attendance=Attendance.PRESENT), distinct=True),
        voters=Count("id", filter=Q(dots__isnull=False), distinct=True),
    )
    return {
        "v": workshop.version,
        "phase": workshop.phase,
        "ideas": ideas,
        "joined": people["joined"],
        "present": people["present"],
        "voters": people["voters"],
        "names": workshop.names_visible,
        "timer": workshop.timer_ends_at.isoformat() if workshop.timer_ends_at else None,
    }


def dots_used(attendee) -> int:
    return Dot.objects.filter(attendee=attendee).aggregate(n=Sum("count"))["n"] or 0
