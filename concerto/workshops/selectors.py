"""Reads about workshops, built for the pages that use them."""

import unicodedata
import uuid

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


# --- the room: what the wall pages show ----------------------------------------------------------


def wall_ideas(workshop) -> list:
    """The ideas on the wall (merged duplicates left out), in the wall's order, with what a card
    prints. Whether names are shown is the page's decision (``rules.can_see_names``)."""
    return list(Idea.objects.filter(workshop=workshop, merged_into__isnull=True)
                .select_related("attendee", "proxy_by", "theme")
                .order_by("theme__position", "theme_id", "position", "pk"))


def wall_groups(workshop) -> list[tuple]:
    """``(theme or None, ideas)`` in theme order; ideas without a theme last. One group (None) when
    no theme exists yet."""
    from .models import WallTheme

    ideas = wall_ideas(workshop)
    themes = list(WallTheme.objects.filter(workshop=workshop).order_by("position", "pk"))
    by_theme: dict = {t.pk: [] for t in themes}
    loose = []
    for idea in ideas:
        by_theme.get(idea.theme_id, loose).append(idea)
    groups = [(t, by_theme[t.pk]) for t in themes]
    if loose or not groups:
        groups.append((None, loose))
    return groups


def my_ideas(workshop, attendee) -> list:
    if attendee is None:
        return []
    return list(Idea.objects.filter(workshop=workshop, attendee=attendee).order_by("-created_at", "-pk"))


def pending_join_requests(workshop) -> list:
    from .models import JoinRequest

    return list(JoinRequest.objects.filter(workshop=workshop, attendee__isnull=True, refused_at__isnull=True)
                .order_by("created_at", "pk"))


def attendees_not_joined(workshop) -> list:
    return list(Attendee.objects.filter(workshop=workshop, joined_at__isnull=True).order_by("name", "pk"))


def attendees_of(workshop) -> list:
    return list(Attendee.objects.filter(workshop=workshop).order_by("name", "pk"))


def join_request_for_device(workshop, device_id):
    from .models import JoinRequest

    try:
        device_id = uuid.UUID(str(device_id))
    except ValueError:  # nothing, or a session value that is not ours
        return None
    return JoinRequest.objects.select_related("attendee").filter(workshop=workshop, device_id=device_id).first()
