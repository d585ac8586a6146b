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
    AttendeeSource,
    Dot,
    Idea,
    Phase,
    Rsvp,
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


# --- sessions, invitations, attendance ------------------------------------------------------------


def _with_counts(qs):
    return qs.annotate(
        invited_count=Count("attendees", filter=Q(attendees__invited_at__isnull=False), distinct=True),
        present_count=Count("attendees", filter=Q(attendees__attendance=Attendance.PRESENT), distinct=True),
    )


def workshop_list(campaign) -> list[Workshop]:
    """The campaign's workshops in date order, each with ``invited_count`` and ``present_count``."""
    return list(_with_counts(Workshop.objects.filter(campaign=campaign).select_related("campaign"))
                .order_by("starts_at", "number"))


def workshop_public_get(campaign, workshop_id) -> Workshop:
    """A workshop with its counts, agenda and facilitators (public facts only)."""
    workshop = (_with_counts(Workshop.objects.select_related("campaign").filter(campaign=campaign, pk=workshop_id))
                .prefetch_related("agenda", "facilitators").first() if str(workshop_id).isdigit() else None)
    if workshop is None:
        raise WorkshopNotFound()
    return workshop


def workshop_manage_get(user, campaign, workshop_id) -> Workshop:
    """Fetch-and-authorize for organisers' pages: refused exactly like a missing workshop."""
    workshop = workshop_get(campaign, workshop_id)
    if not rules.can_manage_workshops(user, campaign):
        raise WorkshopNotFound()
    return workshop


def workshop_figures(campaign) -> dict:
    """``workshops``: sessions held (closed on the wall, not cancelled)."""
    held = Workshop.objects.filter(campaign=campaign, phase=Phase.CLOSED, cancelled_at__isnull=True).count()
    return {"workshops": held}


def agenda_of(workshop) -> dict:
    items = list(workshop.agenda.all())
    total = sum(item.minutes for item in items)
    length = int((workshop.ends_at - workshop.starts_at).total_seconds() // 60)
    return {"items": items, "total": total, "length": length, "over": total - length if total > length else 0,
            "left": length - total if total < length else 0}


def attendees_of(workshop) -> list[Attendee]:
    """Everyone on the list (organisers' and facilitators' pages only: names and e-mails)."""
    return list(Attendee.objects.filter(workshop=workshop).order_by("source", "name", "pk"))


def attendance_counts(workshop) -> dict:
    rows = Attendee.objects.filter(workshop=workshop).values("attendance").annotate(n=Count("pk"))
    counts = dict.fromkeys(Attendance.values, 0)
    counts.update({r["attendance"]: r["n"] for r in rows})
    counts["total"] = sum(counts[v] for v in Attendance.values)
    return counts


def invitation_summary(workshop) -> dict:
    """What the organisers' page needs to say what is left to send."""
    qs = Attendee.objects.filter(workshop=workshop).exclude(source=AttendeeSource.WALK_IN)
    return qs.aggregate(
        listed=Count("pk"),
        email_to_invite=Count("pk", filter=Q(invited_at__isnull=True) & ~Q(email="")),
        letter_to_invite=Count("pk", filter=Q(invited_at__isnull=True, email="")),
        invited=Count("pk", filter=Q(invited_at__isnull=False)),
        email_to_remind=Count("pk", filter=Q(invited_at__isnull=False) & ~Q(email="") & ~Q(rsvp=Rsvp.NO)),
        letter_to_remind=Count("pk", filter=Q(invited_at__isnull=False, email="") & ~Q(rsvp=Rsvp.NO)),
        yes=Count("pk", filter=Q(rsvp=Rsvp.YES)),
        no=Count("pk", filter=Q(rsvp=Rsvp.NO)),
        pending=Count("pk", filter=Q(rsvp=Rsvp.PENDING)),
    )


def reserve_choices(workshop) -> list:
    """Reserve seats of the workshop's panel not yet on the list (the organiser may invite them)."""
    from concerto.selection.selectors import seats_of

    if workshop.selection_id is None:
        return []
    listed = set(Attendee.objects.filter(workshop=workshop, user__isnull=False).values_list("user_id", flat=True))
    return [s for s in seats_of(workshop.selection)
            if s.status == "reserve" and s.volunteer.user_id is not None and s.volunteer.user_id not in listed]


def panel_choices(campaign) -> list:
    """Drawn selections of the campaign: the panels a workshop may invite."""
    from concerto.selection.selectors import drawn_selections

    return drawn_selections(campaign)


def facilitator_choices(campaign) -> list:
    """The campaign's facilitators and organisers (users), by public name."""
    from concerto.residents.selectors import team_members

    return [m["user"] for m in team_members(campaign)
            if {"facilitator", "organiser"} & {str(r) for r in m["roles"]}]


def my_invitations(user) -> list[Attendee]:
    """This person's seats in workshops not over yet (for their "My space" page)."""
    if user is None or not user.is_authenticated:
        return []
    return list(Attendee.objects.filter(user=user, workshop__cancelled_at__isnull=True)
                .exclude(workshop__phase=Phase.CLOSED).exclude(invited_at__isnull=True)
                .select_related("workshop", "workshop__campaign").order_by("workshop__starts_at"))


def my_seat(user, workshop) -> Attendee | None:
    if user is None or not user.is_authenticated:
        return None
    return Attendee.objects.filter(workshop=workshop, user=user).first()
