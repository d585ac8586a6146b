"""Writes about workshops: one function per thing a person does.

Every wall write runs under the workshop's row lock (``_locked``) and ends with ``_changed``, which
bumps ``Workshop.version``, writes the audit entry and publishes the live state after commit. So
the order of versions is the order of commits, and a reload shows what the stream announced.
"""

import secrets
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.campaigns.selectors import campaign_is_archived
from concerto.core import live
from concerto.core.audit import log_action
from concerto.core.errors import FieldErrors, NotAllowed
from concerto.core.text import clean_block, clean_line, search_key

from . import notifications, rules, tasks, tokens
from .errors import (
    AgendaItemNotFound,
    AlreadyCancelled,
    AttendeeNotFound,
    AttendeeNotHere,
    ClientIdConflict,
    DotCountInvalid,
    IdeaEmpty,
    IdeaNotFound,
    IdeaTooLong,
    JoinRequestDecided,
    MergeInvalid,
    NameRequired,
    NobodyToInvite,
    NoPanel,
    NotAttendee,
    NotFacilitator,
    NotMerged,
    NotYourIdea,
    PhaseLocked,
    PhaseStepInvalid,
    SuggestionStale,
    ThemeNameEmpty,
    ThemeNameTaken,
    ThemeNameTooLong,
    ThemeNotFound,
    TooManyDots,
    TooManyDotsOnItem,
    VoteStarted,
    VoteTargetInvalid,
    VoteTimeOver,
    WorkshopCancelled,
    WorkshopOver,
)
from .live import topic
from .models import (
    DOTS_MAX,
    DOTS_MIN,
    IDEA_MAX_LENGTH,
    PHASE_ORDER,
    ROOM_CODE_ALPHABET,
    ROOM_CODE_LENGTH,
    AgendaItem,
    Attendance,
    Attendee,
    AttendeeSource,
    Dot,
    Idea,
    InvitationChannel,
    JoinRequest,
    Phase,
    Prompt,
    Rsvp,
    SuggestionDismissal,
    WallTheme,
    Workshop,
)
from .tokens import token_hash  # noqa: F401 - kept where the others find it

# --- shared helpers ------------------------------------------------------------------------------


def _locked(workshop) -> Workshop:
    """The workshop row, locked until the transaction ends (call inside ``transaction.atomic``)."""
    return Workshop.objects.select_for_update().select_related("campaign").get(pk=workshop.pk)


def _changed(workshop, code: str, *, actor=None, target=None, shared: bool = True, **data) -> None:
    """Bump the version, log, and publish the new counts after commit. The row must be locked.

    ``shared=False`` for a change only facilitators' screens show (a hidden idea, a dot, an answer):
    ``shared_version`` stays, so participants' pages and the projector do not refetch."""
    from .selectors import wall_counts

    workshop.version += 1
    if shared:
        workshop.shared_version += 1
    Workshop.objects.filter(pk=workshop.pk).update(version=workshop.version,
                                                   shared_version=workshop.shared_version)
    log_action(code, actor=actor, scope=workshop.campaign.slug, target=target or workshop,
               workshop=workshop.pk, **data)
    live.publish(topic(workshop), wall_counts(workshop), version=workshop.version)


def _require_runner(user, workshop) -> None:
    if not rules.can_run_workshop(user, workshop):
        raise NotFacilitator()


def _require_open(workshop) -> None:
    if workshop.cancelled_at is not None:
        raise WorkshopCancelled()
    if not rules.is_open_for_input(workshop):
        raise PhaseLocked()


def _require_phase(workshop, *phases) -> None:
    if workshop.phase not in phases:
        raise PhaseLocked()


def attendee_token_issue(attendee) -> str:
    """A new personal link secret for this attendee (the previous one stops working). Only its hash
    is stored: the secret goes into the invitation (e-mail or letter) and nowhere else."""
    return tokens.issue(attendee)


def new_room_code() -> str:
    return "".join(secrets.choice(ROOM_CODE_ALPHABET) for _ in range(ROOM_CODE_LENGTH))


# --- sessions ------------------------------------------------------------------------------------


def workshop_create(*, by, campaign, title, starts_at, ends_at, place, address="", access_notes="",
                    selection=None, agenda=(), facilitators=()) -> Workshop:
    """A new session, numbered after the campaign's last one, with a fresh room code.

    ``agenda``: ``(title, minutes)`` pairs in order. ``by=None`` only for the demo loader."""
    if by is not None and not rules.can_manage_workshops(by, campaign):
        raise NotAllowed(_("Only organisers can plan workshops."))
    fields = _session_fields(campaign, title=title, starts_at=starts_at, ends_at=ends_at, place=place,
                             address=address, access_notes=access_notes, selection=selection,
                             facilitators=facilitators)
    facilitators = fields.pop("facilitators")
    agenda = [_agenda_fields(t, m) for t, m in agenda]
    for _attempt in range(10):
        try:
            with transaction.atomic():
                number = (Workshop.objects.filter(campaign=campaign).order_by("-number")
                          .values_list("number", flat=True).first() or 0) + 1
                workshop = Workshop.objects.create(campaign=campaign, number=number, room_code=new_room_code(),
                                                   **fields)
                AgendaItem.objects.bulk_create(
                    AgendaItem(workshop=workshop, position=i, title=t, minutes=m)
                    for i, (t, m) in enumerate(agenda))
                if facilitators:
                    workshop.facilitators.set(facilitators)
                log_action("workshops.workshop.created", actor=by, scope=campaign.slug, target=workshop,
                           number=number)
                return workshop
        except IntegrityError:
            continue  # a room code or number taken by a concurrent create: draw again
    raise FieldErrors({"title": _("The workshop could not be created. Try again.")})


def short_name(display_name: str) -> str:
    """"Nadia Benali" → "Nadia B.": the form the room and the attendance list use."""
    words = clean_line(display_name or "").split(" ")
    words = [w for w in words if w]
    if not words:
        return ""
    if len(words) == 1:
        return words[0][:80]
    return f"{' '.join(words[:-1])} {words[-1][0]}."[:80]


def _session_fields(campaign, *, title, starts_at, ends_at, place, address, access_notes, selection,
                    facilitators) -> dict:
    """The session's facts, cleaned and checked (``FieldErrors`` naming every wrong field)."""
    from concerto.residents.selectors import team_members

    errors = {}
    title, place, address = clean_line(title or ""), clean_line(place or ""), clean_line(address or "")
    # Several lines allowed; each one cleaned like a line (no control characters nor bidi overrides).
    access_notes = "\n".join(clean_line(line) for line in (access_notes or "").splitlines()).strip()
    if not title:
        errors["title"] = _("Give the workshop a title.")
    elif len(title) > 140:
        errors["title"] = _("The title fits in 140 characters.")
    if not place:
        errors["place"] = _("Say where the workshop takes place.")
    elif len(place) > 140:
        errors["place"] = _("The place fits in 140 characters.")
    if len(address) > 200:
        errors["address"] = _("The address fits in 200 characters.")
    if len(access_notes) > 2000:
        errors["access_notes"] = _("The access notes fit in 2,000 characters.")
    if starts_at is None or ends_at is None:
        errors["date"] = _("Give the workshop's date, start and end times.")
    elif ends_at <= starts_at:
        errors["ends_at"] = _("The workshop must end after it starts.")
    elif ends_at - starts_at > timezone.timedelta(hours=12):
        errors["ends_at"] = _("A workshop lasts at most 12 hours.")
    if selection is not None and (selection.campaign_id != campaign.pk or selection.status != "drawn"):
        errors["selection"] = _("Choose a drawn panel of this campaign.")
    facilitators = list(facilitators or ())
    if facilitators:
        allowed = {m["user"].pk for m in team_members(campaign)
                   if {"facilitator", "organiser"} & {str(r) for r in m["roles"]}}
        if any(f.pk not in allowed for f in facilitators):
            errors["facilitators"] = _("Facilitators are chosen among the campaign's facilitators and organisers.")
    if errors:
        raise FieldErrors(errors)
    return {"title": title, "starts_at": starts_at, "ends_at": ends_at, "place": place, "address": address,
            "access_notes": access_notes, "selection": selection, "facilitators": facilitators}


def _require_manager(by, workshop) -> None:
    if not rules.can_manage_workshops(by, workshop.campaign):
        raise NotAllowed(_("Only organisers can plan workshops."))


def _require_not_cancelled(workshop) -> None:
    if workshop.cancelled_at is not None:
        raise WorkshopCancelled()


def workshop_update(*, by, workshop, title, starts_at, ends_at, place, address="", access_notes="",
                    selection=None, facilitators=()) -> Workshop:
    """Change the session's facts; the audit entry names the fields that changed."""
    _require_manager(by, workshop)
    fields = _session_fields(workshop.campaign, title=title, starts_at=starts_at, ends_at=ends_at, place=place,
                             address=address, access_notes=access_notes, selection=selection,
                             facilitators=facilitators)
    people = fields.pop("facilitators")
    with transaction.atomic():
        workshop = _locked(workshop)
        _require_not_cancelled(workshop)
        changed = [name for name, value in fields.items()
                   if (getattr(workshop, name + "_id") != (value.pk if value else None) if name == "selection"
                       else getattr(workshop, name) != value)]
        for name, value in fields.items():
            setattr(workshop, name, value)
        workshop.save(update_fields=[*fields, "updated_at"])
        before = set(workshop.facilitators.values_list("pk", flat=True))
        if before != {p.pk for p in people}:
            workshop.facilitators.set(people)
            changed.append("facilitators")
        _changed(workshop, "workshops.workshop.updated", actor=by, fields=changed)
    return workshop


def _agenda_fields(title, minutes) -> tuple[str, int]:
    errors = {}
    title = clean_line(title or "")
    if not title:
        errors["title"] = _("Name the activity.")
    elif len(title) > 140:
        errors["title"] = _("The activity's name fits in 140 characters.")
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        minutes = 0
    if not 1 <= minutes <= 600:
        errors["minutes"] = _("An activity lasts from 1 to 600 minutes.")
    if errors:
        raise FieldErrors(errors)
    return title, minutes


def _agenda_item(workshop, item_id) -> AgendaItem:
    item = (AgendaItem.objects.filter(workshop=workshop, pk=item_id).first()
            if str(item_id).isdigit() else None)
    if item is None:
        raise AgendaItemNotFound()
    return item


def _renumber(workshop, items) -> None:
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            AgendaItem.objects.filter(pk=item.pk).update(position=position)


def agenda_item_add(*, by, workshop, title, minutes) -> AgendaItem:
    _require_manager(by, workshop)
    title, minutes = _agenda_fields(title, minutes)
    with transaction.atomic():
        workshop = _locked(workshop)
        _require_not_cancelled(workshop)
        position = AgendaItem.objects.filter(workshop=workshop).count()
        item = AgendaItem.objects.create(workshop=workshop, position=position, title=title, minutes=minutes)
        _changed(workshop, "workshops.agenda.added", actor=by, target=item, minutes=minutes)
    return item


def agenda_item_update(*, by, workshop, item_id, title, minutes) -> AgendaItem:
    _require_manager(by, workshop)
    title, minutes = _agenda_fields(title, minutes)
    with transaction.atomic():
        workshop = _locked(workshop)
        _require_not_cancelled(workshop)
        item = _agenda_item(workshop, item_id)
        item.title, item.minutes = title, minutes
        item.save(update_fields=["title", "minutes"])
        _changed(workshop, "workshops.agenda.updated", actor=by, target=item, minutes=minutes)
    return item


def agenda_item_move(*, by, workshop, item_id, direction: str) -> AgendaItem:
    """One place up or down (the first cannot go up, the last cannot go down: nothing changes)."""
    _require_manager(by, workshop)
    if direction not in ("up", "down"):
        raise FieldErrors({"direction": _("Move an activity up or down.")})
    with transaction.atomic():
        workshop = _locked(workshop)
        _require_not_cancelled(workshop)
        item = _agenda_item(workshop, item_id)
        items = list(AgendaItem.objects.filter(workshop=workshop).order_by("position", "pk"))
        index = next(i for i, it in enumerate(items) if it.pk == item.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
            _renumber(workshop, items)
            _changed(workshop, "workshops.agenda.moved", actor=by, target=item, direction=direction)
    return item


def agenda_item_remove(*, by, workshop, item_id) -> None:
    _require_manager(by, workshop)
    with transaction.atomic():
        workshop = _locked(workshop)
        _require_not_cancelled(workshop)
        item = _agenda_item(workshop, item_id)
        title = item.title
        item.delete()
        _renumber(workshop, list(AgendaItem.objects.filter(workshop=workshop).order_by("position", "pk")))
        _changed(workshop, "workshops.agenda.removed", actor=by, title=title)


def workshop_cancel(*, by, workshop, reason: str, base_url: str = "") -> Workshop:
    """Cancel a session that has not started on the wall; every invitee with an e-mail is told why."""
    _require_manager(by, workshop)
    reason = clean_line(reason or "")
    if not reason:
        raise FieldErrors({"reason": _("Say why the workshop is cancelled: the invitees will read it.")})
    if len(reason) > 300:
        raise FieldErrors({"reason": _("The reason fits in 300 characters.")})
    with transaction.atomic():
        workshop = _locked(workshop)
        if workshop.cancelled_at is not None:
            raise AlreadyCancelled()
        if workshop.phase == Phase.CLOSED:
            raise WorkshopOver()
        workshop.cancelled_at = timezone.now()
        workshop.cancel_reason = reason
        workshop.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
        told = list(Attendee.objects.filter(workshop=workshop, invited_at__isnull=False).exclude(email="")
                    .values_list("pk", flat=True))
        _changed(workshop, "workshops.workshop.cancelled", actor=by, reason=reason, told=len(told))
        if told:
            workshop_id, language = workshop.pk, translation.get_language() or settings.LANGUAGE_CODE
            transaction.on_commit(lambda: tasks.send_workshop_cancellation.enqueue(
                workshop_id=workshop_id, attendee_ids=told, base_url=base_url, language=language))
    return workshop


def panel_invite(*, by, workshop, reserve_seat_ids=()) -> int:
    """Put the drawn panel (and the reserves the organiser picked) on the list of invitees.

    Idempotent: a person already on the list is not added twice. Name and e-mail come from the
    volunteer's account; the postal address from the household of their letter code, if any.
    Returns how many people were added."""
    from concerto.letters.selectors import households_joined_by
    from concerto.selection.selectors import seats_of

    _require_manager(by, workshop)
    if workshop.selection_id is None:
        raise NoPanel()
    wanted = {int(i) for i in reserve_seat_ids if str(i).isdigit()}
    with transaction.atomic():
        workshop = _locked(workshop)
        _require_not_cancelled(workshop)
        if workshop.phase == Phase.CLOSED:
            raise WorkshopOver()
        seats = [s for s in seats_of(workshop.selection)
                 if s.volunteer.user_id is not None
                 and (s.status == "selected" or (s.status == "reserve" and s.pk in wanted))]
        present = set(Attendee.objects.filter(workshop=workshop, user__isnull=False).values_list("user_id", flat=True))
        seats = [s for s in seats if s.volunteer.user_id not in present]
        households = households_joined_by(workshop.campaign, [s.volunteer.user_id for s in seats])
        added = []
        for seat in seats:
            user = seat.volunteer.user
            household = households.get(user.pk)
            added.append(Attendee(
                workshop=workshop, user=user, seat=seat,
                name=short_name(user.display_name) or seat.volunteer.pseudonym,
                email=user.email or "",
                postal_address="\n".join(household.address_lines) if household else "",
                source=AttendeeSource.PANEL if seat.status == "selected" else AttendeeSource.RESERVE))
        Attendee.objects.bulk_create(added)
        if added:
            _changed(workshop, "workshops.attendee.listed", actor=by, added=len(added),
                     reserves=sum(1 for a in added if a.source == AttendeeSource.RESERVE))
    return len(added)


def _to_reach(workshop, *, reminder: bool, email: bool):
    """Invitees (not walk-ins) reached by this send: first invitations, or reminders to those who
    were invited and did not say no."""
    qs = Attendee.objects.filter(workshop=workshop, source__in=[AttendeeSource.PANEL, AttendeeSource.RESERVE])
    qs = qs.exclude(email="") if email else qs.filter(email="")
    if reminder:
        return qs.filter(invited_at__isnull=False).exclude(rsvp=Rsvp.NO)
    return qs.filter(invited_at__isnull=True)


def invitations_send(*, by, workshop, base_url: str, reminder: bool = False) -> int:
    """E-mail the invitation (or the reminder) to every invitee with an address; the messages are
    written and sent in the background (``tasks.send_workshop_invitations``), each with a fresh
    personal link. Returns how many messages are queued."""
    _require_manager(by, workshop)
    with transaction.atomic():
        workshop = _locked(workshop)
        _require_not_cancelled(workshop)
        if workshop.phase == Phase.CLOSED:
            raise WorkshopOver()
        ids = list(_to_reach(workshop, reminder=reminder, email=True).values_list("pk", flat=True))
        if not ids:
            raise NobodyToInvite()
        now = timezone.now()
        if reminder:
            Attendee.objects.filter(pk__in=ids).update(reminded_at=now)
        else:
            Attendee.objects.filter(pk__in=ids).update(invited_at=now, invitation_channel=InvitationChannel.EMAIL)
        _changed(workshop, "workshops.invitation.reminded" if reminder else "workshops.invitation.sent", shared=False,
                 actor=by, channel="email", count=len(ids))
        workshop_id, language = workshop.pk, translation.get_language() or settings.LANGUAGE_CODE
        transaction.on_commit(lambda: tasks.send_workshop_invitations.enqueue(
            workshop_id=workshop_id, attendee_ids=ids, base_url=base_url, reminder=reminder, language=language))
    return len(ids)


def invitation_letters(*, by, workshop, base_url: str, reminder: bool = False) -> tuple[bytes, int]:
    """The printable letters (PDF) for the invitees without e-mail, each with a new personal link
    and its QR code (printing again replaces the links of the letters printed before)."""
    _require_manager(by, workshop)
    with transaction.atomic():
        workshop = _locked(workshop)
        _require_not_cancelled(workshop)
        if workshop.phase == Phase.CLOSED:
            raise WorkshopOver()
        attendees = list(_to_reach(workshop, reminder=reminder, email=False).order_by("name", "pk"))
        if not attendees:
            raise NobodyToInvite()
        now = timezone.now()
        pairs = [(a, tokens.issue(a)) for a in attendees]
        ids = [a.pk for a in attendees]
        if reminder:
            Attendee.objects.filter(pk__in=ids).update(reminded_at=now)
        else:
            Attendee.objects.filter(pk__in=ids).update(invited_at=now, invitation_channel=InvitationChannel.LETTER)
        pdf = notifications.letters_pdf(workshop, pairs, base_url=base_url, reminder=reminder)
        _changed(workshop, "workshops.invitation.reminded" if reminder else "workshops.invitation.sent", shared=False,
                 actor=by, channel="letter", count=len(ids))
    return pdf, len(ids)


def _require_answerable(workshop) -> None:
    _require_not_cancelled(workshop)
    if workshop.phase == Phase.CLOSED or campaign_is_archived(workshop.campaign):
        raise WorkshopOver()


def attendee_rsvp(*, attendee, rsvp: str, name_consent: bool, by=None) -> Attendee:
    """The invitee's answer (through their personal link, or signed in: ``by`` is then their account)."""
    if rsvp not in (Rsvp.YES, Rsvp.NO):
        raise FieldErrors({"rsvp": _("Say whether you will be there.")})
    if by is not None and attendee.user_id != by.pk:
        raise AttendeeNotFound()
    with transaction.atomic():
        workshop = _locked(attendee.workshop)
        _require_answerable(workshop)
        attendee = Attendee.objects.select_for_update().get(pk=attendee.pk)
        attendee.rsvp, attendee.rsvp_at, attendee.name_consent = rsvp, timezone.now(), bool(name_consent)
        attendee.save(update_fields=["rsvp", "rsvp_at", "name_consent"])
        _changed(workshop, "workshops.attendee.answered", shared=False, actor=by, target=attendee, rsvp=rsvp,
                 name_consent=bool(name_consent))
    attendee.workshop = workshop
    return attendee


def attendance_set(*, by, workshop, marks: dict) -> int:
    """Record who is present, excused or absent (``marks``: attendee id → value); returns how many
    rows changed. An unknown id or value is refused and nothing is changed."""
    allowed = {Attendance.PRESENT, Attendance.EXCUSED, Attendance.ABSENT, Attendance.UNKNOWN}
    clean = {}
    for key, value in (marks or {}).items():
        if not str(key).isdigit() or value not in allowed:
            raise FieldErrors({"attendance": _("Choose present, excused or absent for each person.")})
        clean[int(key)] = value
    with transaction.atomic():
        workshop = _locked(workshop)
        _require_runner(by, workshop)
        _require_not_cancelled(workshop)
        rows = {a.pk: a for a in Attendee.objects.filter(workshop=workshop, pk__in=list(clean))}
        if set(rows) != set(clean):
            raise AttendeeNotFound()
        changed = [pk for pk, value in clean.items() if rows[pk].attendance != value]
        for pk in changed:
            Attendee.objects.filter(pk=pk).update(attendance=clean[pk])
        if changed:
            _changed(workshop, "workshops.attendance.set", shared=False, actor=by, changed=len(changed))
    return len(changed)


def walk_in_add(*, by, workshop, name: str, email: str = "", name_consent: bool = False) -> Attendee:
    """Someone came without an invitation: on the list, present, ready to join the wall."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    name, email = clean_line(name or ""), (email or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Write the person's name (a first name is enough).")
    elif len(name) > 80:
        errors["name"] = _("The name fits in 80 characters.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("This e-mail address does not look right.")
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        workshop = _locked(workshop)
        _require_runner(by, workshop)
        _require_answerable(workshop)
        attendee = Attendee.objects.create(
            workshop=workshop, name=name, email=email, source=AttendeeSource.WALK_IN,
            attendance=Attendance.PRESENT, name_consent=bool(name_consent))
        _changed(workshop, "workshops.attendee.walked_in", actor=by, target=attendee)
    return attendee


# --- the phase machine ---------------------------------------------------------------------------


def workshop_phase_set(*, by, workshop, phase) -> Workshop:
    """Move the wall one phase forward or one back. Names are turned off again (anonymity is per
    phase); the vote's timer is cleared when leaving the vote."""
    with transaction.atomic():
        workshop = _locked(workshop)
        _require_runner(by, workshop)
        if workshop.cancelled_at is not None:
            raise WorkshopCancelled()
        if phase not in PHASE_ORDER:
            raise PhaseStepInvalid()
        step = PHASE_ORDER.index(phase) - PHASE_ORDER.index(workshop.phase)
        if step not in (1, -1):
            raise PhaseStepInvalid()
        previous = workshop.phase
        now = timezone.now()
        workshop.phase = phase
        workshop.phase_changed_at = now
        workshop.names_visible = False
        workshop.timer_ends_at = None
        workshop.closed_at = now if phase == Phase.CLOSED else None
        workshop.save(update_fields=["phase", "phase_changed_at", "names_visible", "timer_ends_at", "closed_at",
                                     "updated_at"])
        _changed(workshop, "workshops.phase.changed", actor=by, previous=previous, phase=phase,
                 back=step == -1)
        for hook in _PHASE_HOOKS:
            hook(workshop, previous)
    return workshop


# Functions called inside the phase change's transaction, ``hook(workshop, previous_phase)``
# (the minutes are queued when the wall closes).
_PHASE_HOOKS: list = []


def workshop_names_set(*, by, workshop, visible: bool) -> Workshop:
    with transaction.atomic():
        workshop = _locked(workshop)
        _require_runner(by, workshop)
        _require_open(workshop)
        workshop.names_visible = bool(visible)
        workshop.save(update_fields=["names_visible", "updated_at"])
        _changed(workshop, "workshops.names.shown" if visible else "workshops.names.hidden", actor=by,
                 phase=workshop.phase)
    return workshop


def workshop_timer_set(*, by, workshop, minutes: int | None) -> Workshop:
    """Start a countdown of ``minutes`` (1–120), or stop it (None or 0)."""
    if minutes not in (None, 0) and not (isinstance(minutes, int) and 1 <= minutes <= 120):
        raise FieldErrors({"minutes": _("A timer lasts from 1 to 120 minutes.")})
    with transaction.atomic():
        workshop = _locked(workshop)
        _require_runner(by, workshop)
        _require_open(workshop)
        workshop.timer_ends_at = timezone.now() + timezone.timedelta(minutes=minutes) if minutes else None
        workshop.save(update_fields=["timer_ends_at", "updated_at"])
        _changed(workshop, "workshops.timer.set", actor=by, minutes=minutes or 0)
    return workshop


# --- ideas ---------------------------------------------------------------------------------------


def _idea_fields(prompt, text, place) -> tuple[str, str, str]:
    text = clean_line(text or "")
    place = clean_line(place or "")
    if not text:
        raise IdeaEmpty()
    if len(text) > IDEA_MAX_LENGTH:
        raise IdeaTooLong(_("An idea fits in %(max)d characters; this one has %(n)d. Shorten it, or split it "
                            "into two ideas.") % {"max": IDEA_MAX_LENGTH, "n": len(text)})
    if len(place) > 140:
        raise FieldErrors({"place": _("The place fits in 140 characters.")})
    if prompt not in Prompt.values:
        raise FieldErrors({"prompt": _("Choose one of the three questions.")})
    return prompt, text, place


def _client_uuid(client_id) -> uuid.UUID:
    try:
        return uuid.UUID(str(client_id))
    except (TypeError, ValueError, AttributeError):
        raise FieldErrors({"client_id": _("This idea has no valid identifier: reload the page.")}) from None


def idea_add(*, workshop, attendee, prompt, text, place="", client_id, by=None) -> tuple[Idea, bool]:
    """Post an idea for ``attendee``: by the attendee (``by`` is their account or None for a device
    seat), or by a facilitator typing it for them (``by`` runs the workshop: a proxy entry).

    Exactly once: the same ``client_id`` sent again returns the stored idea and ``False``; sent again
    with different words it is refused (``client_id_conflict``). Ideas are taken while collecting;
    facilitators may also add them later, until the vote."""
    prompt, text, place = _idea_fields(prompt, text, place)
    client_id = _client_uuid(client_id)
    existing = Idea.objects.filter(client_id=client_id).first()
    if existing is not None:
        return _same_idea(existing, workshop, attendee, prompt, text, place), False
    proxy = by is not None and (attendee is None or attendee.user_id != by.pk) and rules.can_run_workshop(by, workshop)
    try:
        with transaction.atomic():
            workshop = _locked(workshop)
            _require_open(workshop)
            if proxy or (attendee is None and by is not None):
                _require_runner(by, workshop)
                _require_phase(workshop, Phase.COLLECT, Phase.REVEAL, Phase.CLUSTER)
            else:
                if not rules.can_take_part(attendee, workshop):
                    raise NotAttendee()
                _require_phase(workshop, Phase.COLLECT)
            position = Idea.objects.filter(workshop=workshop).count()
            idea = Idea.objects.create(
                workshop=workshop, attendee=attendee, proxy_by=by if proxy else None, prompt=prompt, text=text,
                place=place, client_id=client_id, position=position)
            _changed(workshop, "workshops.idea.added", shared=workshop.phase != Phase.COLLECT, actor=by, target=idea, proxy=proxy,
                     attendee=attendee.pk if attendee else None)
    except IntegrityError:
        # The same client id committed by a concurrent send (a retry racing the first one).
        existing = Idea.objects.filter(client_id=client_id).first()
        if existing is None:
            raise
        return _same_idea(existing, workshop, attendee, prompt, text, place), False
    return idea, True


def _same_idea(existing, workshop, attendee, prompt, text, place) -> Idea:
    if (existing.workshop_id != workshop.pk or existing.attendee_id != (attendee.pk if attendee else None)
            or (existing.prompt, existing.text, existing.place) != (prompt, text, place)):
        raise ClientIdConflict()
    return existing


# --- the room ------------------------------------------------------------------------------------
# Joining (a device or an account takes its seat), join requests the facilitator answers, and a
# participant's changes to their own ideas while the wall collects.


def attendee_join(*, attendee) -> Attendee:
    """The attendee took their seat on the wall (by account, personal link or admitted request).
    Only the first join is recorded and counted; later ones change nothing."""
    with transaction.atomic():
        workshop = _locked(attendee.workshop)
        if not rules.can_take_part(attendee, workshop):
            raise PhaseLocked()  # cancelled or closed: nobody takes a seat any more
        if attendee.joined_at is not None:
            return attendee
        now = timezone.now()
        # Conditional: two devices of the same person joining at once record one join.
        if Attendee.objects.filter(pk=attendee.pk, joined_at__isnull=True).update(joined_at=now):
            attendee.joined_at = now
            _changed(workshop, "workshops.attendee.joined", actor=attendee.user, target=attendee,
                     attendee=attendee.pk)
        else:
            attendee.refresh_from_db(fields=["joined_at"])
    return attendee


def join_request_create(*, workshop, name, device_id) -> JoinRequest:
    """Someone not recognised asks to join: they wait until a facilitator answers. The same device
    asking again gets its pending request back (a reload, a second tap)."""
    name = clean_line(name or "")[:80]
    if not name:
        raise NameRequired()
    device_id = _client_uuid(device_id)
    with transaction.atomic():
        workshop = _locked(workshop)
        if not rules.is_open_for_input(workshop):
            raise PhaseLocked()
        existing = JoinRequest.objects.filter(device_id=device_id).first()
        if existing is not None and existing.workshop_id == workshop.pk:
            return existing
        if existing is not None:
            raise FieldErrors({"name": _("This request could not be sent. Reload the page and try again.")})
        join_request = JoinRequest.objects.create(workshop=workshop, name=name, device_id=device_id)
        _changed(workshop, "workshops.join_request.created", target=join_request, name=name)
    return join_request


def _pending(workshop, join_request) -> JoinRequest:
    join_request = JoinRequest.objects.select_for_update().filter(pk=join_request.pk, workshop=workshop).first()
    if join_request is None or join_request.attendee_id or join_request.refused_at:
        raise JoinRequestDecided()
    return join_request


def _deciding(by, join_request, *, must_be_open: bool = True):
    """The locked workshop and the still-pending request, for a facilitator's answer to it."""
    workshop = _locked(join_request.workshop)
    _require_runner(by, workshop)
    if must_be_open:
        _require_open(workshop)
    return workshop, _pending(workshop, join_request)


def _let_in(by, workshop, join_request, attendee, code: str) -> JoinRequest:
    join_request.attendee = attendee
    join_request.save(update_fields=["attendee"])
    _changed(workshop, code, actor=by, target=join_request, attendee=attendee.pk)
    return join_request


def join_request_admit(*, by, join_request, attendee) -> JoinRequest:
    """Let the device in as one of the invited people who has not joined yet."""
    with transaction.atomic():
        workshop, join_request = _deciding(by, join_request)
        if (attendee is None or attendee.workshop_id != workshop.pk
                or Attendee.objects.filter(pk=attendee.pk, joined_at__isnull=False).exists()):
            raise AttendeeNotHere()
        return _let_in(by, workshop, join_request, attendee, "workshops.join_request.admitted")


def join_request_walk_in(*, by, join_request) -> JoinRequest:
    """Let the device in as a new attendee, a walk-in, under the name it gave (marked present)."""
    with transaction.atomic():
        workshop, join_request = _deciding(by, join_request)
        attendee = Attendee.objects.create(workshop=workshop, name=join_request.name, source=AttendeeSource.WALK_IN,
                                           rsvp=Rsvp.YES, attendance=Attendance.PRESENT)
        return _let_in(by, workshop, join_request, attendee, "workshops.join_request.walked_in")


def join_request_refuse(*, by, join_request) -> JoinRequest:
    with transaction.atomic():
        workshop, join_request = _deciding(by, join_request, must_be_open=False)
        join_request.refused_at = timezone.now()
        join_request.save(update_fields=["refused_at"])
        _changed(workshop, "workshops.join_request.refused", actor=by, target=join_request)
    return join_request


def _own_idea(workshop, attendee, idea_id) -> Idea:
    """The attendee's own idea, while the wall collects. Anyone else's (or a facilitator's note):
    ``not_your_idea``; after the collect: ``phase_locked`` (the room has seen it)."""
    if not rules.can_take_part(attendee, workshop):
        raise NotAttendee()
    idea = Idea.objects.select_for_update().filter(workshop=workshop, pk=idea_id).first() \
        if str(idea_id).isdigit() else None
    if idea is None or idea.attendee_id != attendee.pk:
        raise NotYourIdea()
    _require_phase(workshop, Phase.COLLECT)
    return idea


def idea_edit(*, workshop, attendee, idea_id, prompt, text, place="", by=None) -> Idea:
    """The author changes their idea while the wall collects (peers have not seen it yet)."""
    prompt, text, place = _idea_fields(prompt, text, place)
    with transaction.atomic():
        workshop = _locked(workshop)
        _require_open(workshop)
        idea = _own_idea(workshop, attendee, idea_id)
        if (idea.prompt, idea.text, idea.place) == (prompt, text, place):
            return idea
        idea.prompt, idea.text, idea.place, idea.edited_at = prompt, text, place, timezone.now()
        idea.save(update_fields=["prompt", "text", "place", "edited_at"])
        _changed(workshop, "workshops.idea.edited", shared=False, actor=by, target=idea, attendee=attendee.pk)
    return idea


def idea_delete(*, workshop, attendee, idea_id, by=None) -> None:
    """The author takes their idea back while the wall collects."""
    with transaction.atomic():
        workshop = _locked(workshop)
        _require_open(workshop)
        idea = _own_idea(workshop, attendee, idea_id)
        pk = idea.pk
        idea.delete()
        _changed(workshop, "workshops.idea.deleted", shared=False, actor=by, target=workshop, idea=pk, attendee=attendee.pk)
# --- themes and dots -----------------------------------------------------------------------------
# Grouping (cluster phase) and the dot-vote (vote phase). Every write locks the workshop row first:
# two facilitators dragging at once, or a participant's double click, are applied one after the
# other, and the dot limit is checked against committed dots only.

EDIT_PHASES = (Phase.REVEAL, Phase.CLUSTER)  # editing and merging ideas
GROUP_PHASES = (Phase.CLUSTER,)  # themes and grouping
THEME_NAME_MAX = 80


def _runner_write(by, workshop, phases) -> Workshop:
    """The locked workshop, after checking that ``by`` runs it and that the wall is at one of ``phases``."""
    workshop = _locked(workshop)
    _require_runner(by, workshop)
    _require_open(workshop)
    _require_phase(workshop, *phases)
    return workshop


def _idea_on_wall(workshop, idea_id, *, merged_ok=False) -> Idea:
    idea = Idea.objects.filter(workshop=workshop, pk=_int_or_none(idea_id)).first()
    if idea is None or (idea.merged_into_id is not None and not merged_ok):
        raise IdeaNotFound()
    return idea


def _theme_of(workshop, theme_id) -> WallTheme:
    theme = WallTheme.objects.filter(workshop=workshop, pk=_int_or_none(theme_id)).first()
    if theme is None:
        raise ThemeNotFound()
    return theme


def _int_or_none(value):
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _theme_name(workshop, name, *, exclude=None) -> str:
    name = clean_line(name or "")
    if not name:
        raise ThemeNameEmpty()
    if len(name) > THEME_NAME_MAX:
        raise ThemeNameTooLong()
    others = WallTheme.objects.filter(workshop=workshop).exclude(pk=exclude.pk if exclude else None)
    if any(search_key(n) == search_key(name) for n in others.values_list("name", flat=True)):
        raise ThemeNameTaken()
    return name


def _new_theme(workshop, name, *, from_suggestion=False) -> WallTheme:
    last = WallTheme.objects.filter(workshop=workshop).order_by("-position").values_list("position", flat=True).first()
    return WallTheme.objects.create(workshop=workshop, name=name, from_suggestion=from_suggestion,
                                    position=(last + 1) if last is not None else 0)


def theme_create(*, by, workshop, name) -> WallTheme:
    with transaction.atomic():
        workshop = _runner_write(by, workshop, GROUP_PHASES)
        theme = _new_theme(workshop, _theme_name(workshop, name))
        _changed(workshop, "workshops.theme.created", actor=by, target=theme, name=theme.name)
    return theme


def theme_rename(*, by, workshop, theme_id, name) -> WallTheme:
    with transaction.atomic():
        workshop = _runner_write(by, workshop, GROUP_PHASES)
        theme = _theme_of(workshop, theme_id)
        new = _theme_name(workshop, name, exclude=theme)
        if new != theme.name:
            old, theme.name = theme.name, new
            theme.save(update_fields=["name"])
            _changed(workshop, "workshops.theme.renamed", actor=by, target=theme, old=old, new=new)
    return theme


def theme_move(*, by, workshop, theme_id, offset: int) -> WallTheme:
    """Move a theme ``offset`` places in the wall's order (-1: one up, 1: one down); renumbers all."""
    with transaction.atomic():
        workshop = _runner_write(by, workshop, GROUP_PHASES)
        theme = _theme_of(workshop, theme_id)
        order = list(WallTheme.objects.filter(workshop=workshop).order_by("position", "pk"))
        index = next(i for i, t in enumerate(order) if t.pk == theme.pk)
        target = max(0, min(len(order) - 1, index + (_int_or_none(offset) or 0)))
        if target != index:
            order.insert(target, order.pop(index))
            for position, t in enumerate(order):
                if t.position != position:
                    WallTheme.objects.filter(pk=t.pk).update(position=position)
            _changed(workshop, "workshops.theme.moved", actor=by, target=theme, position=target)
    return theme


def theme_delete(*, by, workshop, theme_id) -> None:
    """Delete a theme: its ideas go back to the ungrouped ones (never deleted). Dots already put on it
    (after a step back from the vote) go with it: the audit entry counts them."""
    with transaction.atomic():
        workshop = _runner_write(by, workshop, GROUP_PHASES)
        theme = _theme_of(workshop, theme_id)
        ideas = Idea.objects.filter(theme=theme).update(theme=None)
        dots = Dot.objects.filter(theme=theme).aggregate(n=Sum("count"))["n"] or 0
        name, pk = theme.name, theme.pk
        theme.delete()
        _changed(workshop, "workshops.theme.deleted", actor=by, theme=pk, name=name, ideas=ideas, dots=dots)


def _move_dots(*, from_filter: dict, to: dict, workshop) -> None:
    """Dots follow an idea that joins a theme or another idea (possible after a step back from the
    vote): an attendee's dots on both are added, within the per-item maximum."""
    for dot in Dot.objects.filter(workshop=workshop, **from_filter):
        existing = Dot.objects.filter(workshop=workshop, attendee_id=dot.attendee_id, **to).first()
        if existing is None:
            Dot.objects.filter(pk=dot.pk).update(idea=to.get("idea"), theme=to.get("theme"))
            continue
        total = existing.count + dot.count
        if workshop.max_dots_per_item:
            total = min(total, workshop.max_dots_per_item)
        Dot.objects.filter(pk=existing.pk).update(count=total)
        dot.delete()


def idea_group(*, by, workshop, idea_id, theme_id=None, new_theme_name=None) -> Idea:
    """Put an idea into a theme (``theme_id``), into a new theme (``new_theme_name``), or out of any
    theme (neither). It goes to the end of its new column."""
    with transaction.atomic():
        workshop = _runner_write(by, workshop, GROUP_PHASES)
        idea = _idea_on_wall(workshop, idea_id)
        created = None
        if new_theme_name is not None and str(new_theme_name).strip():
            theme = created = _new_theme(workshop, _theme_name(workshop, new_theme_name))
            _changed(workshop, "workshops.theme.created", actor=by, target=theme, name=theme.name)
        elif theme_id not in (None, ""):
            theme = _theme_of(workshop, theme_id)
        else:
            theme = None
        if idea.theme_id == (theme.pk if theme else None):
            return idea
        previous = idea.theme_id
        last = (Idea.objects.filter(workshop=workshop, theme=theme).order_by("-position")
                .values_list("position", flat=True).first())
        idea.theme = theme
        idea.position = (last or 0) + 1
        idea.save(update_fields=["theme", "position"])
        if theme is not None:
            _move_dots(from_filter={"idea": idea}, to={"theme": theme}, workshop=workshop)
        _changed(workshop, "workshops.idea.grouped", actor=by, target=idea, previous=previous,
                 theme=theme.pk if theme else None, new_theme=created is not None)
    return idea


def idea_merge(*, by, workshop, idea_id, into_id) -> Idea:
    """Merge a duplicate into the idea kept on the wall. The duplicate keeps its row (counted in the
    minutes, ``merged_into``); duplicates already merged into it now point at the kept idea."""
    with transaction.atomic():
        workshop = _runner_write(by, workshop, EDIT_PHASES)
        duplicate = _idea_on_wall(workshop, idea_id)
        kept = _idea_on_wall(workshop, into_id)
        if kept.pk == duplicate.pk:
            raise MergeInvalid()
        Idea.objects.filter(merged_into=duplicate).update(merged_into=kept)
        duplicate.merged_into = kept
        duplicate.save(update_fields=["merged_into"])
        to = {"theme": kept.theme} if kept.theme_id else {"idea": kept}
        _move_dots(from_filter={"idea": duplicate}, to=to, workshop=workshop)
        _changed(workshop, "workshops.idea.merged", actor=by, target=duplicate, into=kept.pk)
    return duplicate


def idea_unmerge(*, by, workshop, idea_id) -> Idea:
    """Put a merged duplicate back on the wall, ungrouped (dots moved at merge time stay where they are)."""
    with transaction.atomic():
        workshop = _runner_write(by, workshop, EDIT_PHASES)
        idea = _idea_on_wall(workshop, idea_id, merged_ok=True)
        if idea.merged_into_id is None:
            raise NotMerged()
        into = idea.merged_into_id
        idea.merged_into = None
        idea.theme = None
        idea.save(update_fields=["merged_into", "theme"])
        _changed(workshop, "workshops.idea.unmerged", actor=by, target=idea, was_merged_into=into)
    return idea


def idea_correct(*, by, workshop, idea_id, text) -> Idea:
    """A facilitator corrects an idea's words (a typo, a name to take out); the audit keeps both texts."""
    with transaction.atomic():
        workshop = _runner_write(by, workshop, EDIT_PHASES)
        idea = _idea_on_wall(workshop, idea_id)
        _prompt, text, _place = _idea_fields(idea.prompt, text, idea.place)
        if text != idea.text:
            old = idea.text
            idea.text, idea.edited_at = text, timezone.now()
            idea.save(update_fields=["text", "edited_at"])
            _changed(workshop, "workshops.idea.edited", actor=by, target=idea, old=old, new=text)
    return idea


def suggestion_accept(*, by, workshop, idea_ids, name="", theme_id=None) -> WallTheme:
    """Accept a theme suggestion as the facilitator saw it: into the existing ``theme_id``, or a new
    theme called ``name`` (``from_suggestion``). Only ideas that are STILL ungrouped and on the wall
    move: an idea somebody placed since the suggestion was shown is never taken from its theme."""
    ids = {i for i in (_int_or_none(x) for x in idea_ids or ()) if i is not None}
    with transaction.atomic():
        workshop = _runner_write(by, workshop, GROUP_PHASES)
        free = list(Idea.objects.filter(workshop=workshop, pk__in=ids, theme__isnull=True,
                                        merged_into__isnull=True).order_by("position", "pk"))
        if not free:
            raise SuggestionStale()
        if theme_id not in (None, ""):
            theme, created = _theme_of(workshop, theme_id), False
        else:
            theme, created = _new_theme(workshop, _theme_name(workshop, name), from_suggestion=True), True
        last = (Idea.objects.filter(workshop=workshop, theme=theme).order_by("-position")
                .values_list("position", flat=True).first()) or 0
        for offset, idea in enumerate(free, start=1):
            Idea.objects.filter(pk=idea.pk).update(theme=theme, position=last + offset)
            _move_dots(from_filter={"idea": idea}, to={"theme": theme}, workshop=workshop)
        _changed(workshop, "workshops.suggestion.accepted", actor=by, target=theme, created=created,
                 ideas=[i.pk for i in free], skipped=sorted(ids - {i.pk for i in free}))
    return theme


def suggestion_dismiss(*, by, workshop, key) -> None:
    """Ignore a suggestion for this workshop (see ``SuggestionDismissal`` for why it is stored)."""
    key = str(key or "")[:200]
    if not key:
        raise SuggestionStale()
    with transaction.atomic():
        workshop = _runner_write(by, workshop, GROUP_PHASES)
        _dismissal, created = SuggestionDismissal.objects.get_or_create(workshop=workshop, key=key)
        if created:
            _changed(workshop, "workshops.suggestion.dismissed", shared=False, actor=by, key=key)


def vote_settings_set(*, by, workshop, dots_per_participant, max_dots_per_item=None) -> Workshop:
    """Dots per participant (1–99) and the optional maximum on one item: before the vote, or at its
    start while nobody has placed a dot (changing the rules mid-vote would be unfair)."""
    dots = _int_or_none(dots_per_participant)
    cap = _int_or_none(max_dots_per_item) if max_dots_per_item not in (None, "") else None
    errors = {}
    if dots is None or not DOTS_MIN <= dots <= DOTS_MAX:
        errors["dots_per_participant"] = _("Each participant gets from %(min)d to %(max)d dots.") % {
            "min": DOTS_MIN, "max": DOTS_MAX}
    if max_dots_per_item not in (None, "") and (cap is None or not DOTS_MIN <= cap <= DOTS_MAX):
        errors["max_dots_per_item"] = _("The maximum on one item is from %(min)d to %(max)d dots, or empty "
                                        "for no maximum.") % {"min": DOTS_MIN, "max": DOTS_MAX}
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        workshop = _runner_write(by, workshop, (Phase.PLANNED, Phase.COLLECT, Phase.REVEAL, Phase.CLUSTER,
                                                Phase.VOTE))
        if Dot.objects.filter(workshop=workshop).exists():
            raise VoteStarted()
        workshop.dots_per_participant, workshop.max_dots_per_item = dots, cap
        workshop.save(update_fields=["dots_per_participant", "max_dots_per_item", "updated_at"])
        _changed(workshop, "workshops.vote.configured", actor=by, dots=dots, max_per_item=cap)
    return workshop


def _vote_target(workshop, target) -> dict:
    """``theme:<id>`` or ``idea:<id>`` (an idea in no theme, not merged) → the Dot filter for it."""
    if isinstance(target, WallTheme | Idea):
        kind, ident = ("theme" if isinstance(target, WallTheme) else "idea"), target.pk
    else:
        kind, _sep, ident = str(target or "").partition(":")
    ident = _int_or_none(ident)
    if kind == "theme" and ident is not None:
        theme = WallTheme.objects.filter(workshop=workshop, pk=ident).first()
        if theme is not None:
            return {"theme": theme}
    if kind == "idea" and ident is not None:
        idea = Idea.objects.filter(workshop=workshop, pk=ident, theme__isnull=True, merged_into__isnull=True).first()
        if idea is not None:
            return {"idea": idea}
    raise VoteTargetInvalid()


def dot_set(*, workshop, attendee, target, count, by=None) -> int:
    """Set the ABSOLUTE number of dots ``attendee`` puts on ``target`` (0 takes them off); returns the
    dots the attendee has left. Absolute, so a retried click changes nothing.

    ``by``: the account acting (None for a device seat). When it is not the attendee's own account, it
    must run the workshop: a proxy entry (``proxy_by``), counted exactly like the attendee's own."""
    if isinstance(count, bool) or _int_or_none(count) is None or _int_or_none(count) < 0:
        raise DotCountInvalid()
    count = _int_or_none(count)
    with transaction.atomic():
        workshop = _locked(workshop)
        if attendee is None or attendee.workshop_id != workshop.pk:
            raise NotAttendee()
        proxy = by is not None and attendee.user_id != by.pk
        if proxy:
            _require_runner(by, workshop)
        _require_open(workshop)
        _require_phase(workshop, Phase.VOTE)
        if workshop.timer_ends_at is not None and timezone.now() >= workshop.timer_ends_at:
            raise VoteTimeOver()
        where = _vote_target(workshop, target)
        row = Dot.objects.filter(workshop=workshop, attendee=attendee, **where).first()
        previous = row.count if row else 0
        others = (Dot.objects.filter(workshop=workshop, attendee=attendee).exclude(pk=row.pk if row else None)
                  .aggregate(n=Sum("count"))["n"] or 0)
        budget = workshop.dots_per_participant
        if count == previous:
            return budget - others - previous
        if workshop.max_dots_per_item and count > workshop.max_dots_per_item:
            raise TooManyDotsOnItem(ngettext(
                "At most %(max)d dot on one item.", "At most %(max)d dots on one item.",
                workshop.max_dots_per_item) % {"max": workshop.max_dots_per_item})
        if others + count > budget:
            left = budget - others - previous
            raise TooManyDots(ngettext(
                "You have %(total)d dots in all; %(left)d is left: your dots were not changed.",
                "You have %(total)d dots in all; %(left)d are left: your dots were not changed.",
                left) % {"total": budget, "left": left})
        if count == 0:
            row.delete()
        elif row is None:
            Dot.objects.create(workshop=workshop, attendee=attendee, count=count,
                               proxy_by=by if proxy else None, **where)
        else:
            row.count, row.proxy_by = count, by if proxy else None
            row.save(update_fields=["count", "proxy_by", "updated_at"])
        item = where.get("theme") or where.get("idea")
        _changed(workshop, "workshops.dot.set", shared=False, actor=by, target=item, attendee=attendee.pk, count=count,
                 previous=previous, proxy=proxy, item=f"{'theme' if 'theme' in where else 'idea'}:{item.pk}")
    return budget - others - count
# --- action sheets -------------------------------------------------------------------------------
# Facilitators write the sheets "with the room" during the sheets phase; participants read them.
# A retained sheet is published once as an action of origin ``workshop`` (proposals), in one
# transaction per workshop: publishing again publishes nothing twice.

SHEET_TITLE_MIN, SHEET_TITLE_MAX = 5, 140  # the action's title limits (proposals.services)
SHEET_PROBLEM_MAX = 1500
SHEET_PROPOSAL_MIN, SHEET_PROPOSAL_MAX = 10, 2500  # the action's summary needs 10; body ≤ 5,000
SUMMARY_MAX = 300


def _sheet_fields(workshop, *, title, problem, proposal, place, actors, cost, horizon, theme_id, idea_ids) -> dict:
    from .models import Actor, CostRange, Horizon, WallTheme

    errors = {}
    title, place = clean_line(title or ""), clean_line(place or "")
    problem, proposal = clean_block(problem or ""), clean_block(proposal or "")
    if not title:
        errors["title"] = _("Give the sheet a title.")
    elif not SHEET_TITLE_MIN <= len(title) <= SHEET_TITLE_MAX:
        errors["title"] = _("The title has %(min)d to %(max)d characters.") % {
            "min": SHEET_TITLE_MIN, "max": SHEET_TITLE_MAX}
    if not problem:
        errors["problem"] = _("Describe the problem the room observed.")
    elif len(problem) > SHEET_PROBLEM_MAX:
        errors["problem"] = _("The problem observed fits in %(max)d characters.") % {"max": SHEET_PROBLEM_MAX}
    if not proposal:
        errors["proposal"] = _("Write what the room proposes.")
    elif not SHEET_PROPOSAL_MIN <= len(proposal) <= SHEET_PROPOSAL_MAX:
        errors["proposal"] = _("The proposal has %(min)d to %(max)d characters.") % {
            "min": SHEET_PROPOSAL_MIN, "max": SHEET_PROPOSAL_MAX}
    if len(place) > 140:
        errors["place"] = _("The place fits in 140 characters.")
    actors = list(dict.fromkeys(actors or []))
    if any(a not in Actor.values for a in actors):
        errors["actors"] = _("Choose who could act among the proposed answers.")
    if (cost or CostRange.UNKNOWN) not in CostRange.values:
        errors["cost"] = _("Choose one of the cost ranges.")
    if (horizon or Horizon.MANDATE) not in Horizon.values:
        errors["horizon"] = _("Choose one of the time horizons.")
    theme = None
    if theme_id not in (None, ""):
        theme = (WallTheme.objects.filter(workshop=workshop, pk=theme_id).first()
                 if str(theme_id).isdigit() else None)
        if theme is None:
            errors["theme"] = _("Choose one of this workshop's themes.")
    ids = {str(i) for i in (idea_ids or []) if str(i).strip()}
    ideas = []
    if ids:
        if not all(i.isdigit() for i in ids):
            errors["ideas"] = _("Link only ideas of this workshop's wall.")
        else:
            ideas = list(Idea.objects.filter(workshop=workshop, merged_into__isnull=True, pk__in=ids))
            if len(ideas) != len(ids):
                errors["ideas"] = _("Link only ideas of this workshop's wall.")
    if errors:
        raise FieldErrors(errors)
    return {"title": title, "problem": problem, "proposal": proposal, "place": place, "actors": actors,
            "cost": cost or CostRange.UNKNOWN, "horizon": horizon or Horizon.MANDATE, "theme": theme,
            "ideas": ideas}


def _sheet_locked(workshop, sheet_id):
    from .errors import SheetNotFound
    from .models import ActionSheet

    sheet = (ActionSheet.objects.select_for_update().filter(workshop=workshop, pk=sheet_id).first()
             if str(sheet_id).isdigit() else None)
    if sheet is None:
        raise SheetNotFound()
    return sheet


def _require_sheet_editable(sheet) -> None:
    from .errors import SheetPublished
    from .models import SheetStatus

    if sheet.status == SheetStatus.PUBLISHED or sheet.action_id is not None:
        raise SheetPublished()


def sheet_save(*, by, workshop, sheet_id=None, client_id=None, title, problem, proposal, place="", actors=(),
               cost="", horizon="", theme_id=None, idea_ids=()):
    """Create a sheet (``sheet_id`` None) or change one, during the sheets phase; returns
    ``(sheet, created)``. A create sent twice with the same ``client_id`` (the form's hidden uuid: a
    double click, a resent form) returns the first sheet, unchanged, and ``False``."""
    from .models import ActionSheet

    with transaction.atomic():
        workshop = _locked(workshop)
        _require_runner(by, workshop)
        _require_open(workshop)
        _require_phase(workshop, Phase.SHEETS)
        if sheet_id is None:
            # A form without its hidden uuid (an old page) still saves, without the double-submit guard.
            client_id = _client_uuid(client_id) if client_id else uuid.uuid4()
            existing = ActionSheet.objects.filter(client_id=client_id).first()
            if existing is not None:
                if existing.workshop_id != workshop.pk:
                    raise ClientIdConflict()
                return existing, False
        fields = _sheet_fields(workshop, title=title, problem=problem, proposal=proposal, place=place,
                               actors=actors, cost=cost, horizon=horizon, theme_id=theme_id, idea_ids=idea_ids)
        ideas = fields.pop("ideas")
        if sheet_id is None:
            position = ActionSheet.objects.filter(workshop=workshop).count()
            sheet = ActionSheet.objects.create(workshop=workshop, client_id=client_id, position=position,
                                               created_by=by, **fields)
            code = "workshops.sheet.created"
        else:
            sheet = _sheet_locked(workshop, sheet_id)
            _require_sheet_editable(sheet)
            for name, value in fields.items():
                setattr(sheet, name, value)
            sheet.save()
            code = "workshops.sheet.changed"
        sheet.ideas.set(ideas)
        _changed(workshop, code, actor=by, target=sheet, title=sheet.title)
    return sheet, sheet_id is None


def sheet_delete(*, by, workshop, sheet_id) -> None:
    from .models import ActionSheet

    with transaction.atomic():
        workshop = _locked(workshop)
        _require_runner(by, workshop)
        _require_open(workshop)
        _require_phase(workshop, Phase.SHEETS)
        sheet = _sheet_locked(workshop, sheet_id)
        _require_sheet_editable(sheet)
        title, pk = sheet.title, sheet.pk
        sheet.delete()
        # Close the gap so that positions stay 0..n-1.
        for i, other in enumerate(ActionSheet.objects.filter(workshop=workshop).order_by("position", "pk")):
            if other.position != i:
                ActionSheet.objects.filter(pk=other.pk).update(position=i)
        _changed(workshop, "workshops.sheet.deleted", actor=by, target=f"workshops.actionsheet:{pk}", title=title)


def sheet_move(*, by, workshop, sheet_id, direction: str) -> None:
    """One place up or down in the list (the order of the minutes and of publication)."""
    from .models import ActionSheet

    if direction not in ("up", "down"):
        raise FieldErrors({"direction": _("Move the sheet up or down.")})
    with transaction.atomic():
        workshop = _locked(workshop)
        _require_runner(by, workshop)
        _require_open(workshop)
        _require_phase(workshop, Phase.SHEETS)
        sheet = _sheet_locked(workshop, sheet_id)
        order = list(ActionSheet.objects.filter(workshop=workshop).order_by("position", "pk").values_list("pk", flat=True))
        i = order.index(sheet.pk)
        j = i - 1 if direction == "up" else i + 1
        if not 0 <= j < len(order):
            return
        order[i], order[j] = order[j], order[i]
        for position, pk in enumerate(order):
            ActionSheet.objects.filter(pk=pk).update(position=position)
        _changed(workshop, "workshops.sheet.moved", actor=by, target=sheet, direction=direction)


def sheet_status_set(*, by, workshop, sheet_id, status: str):
    """Draft → retained, and back; a published sheet stays published."""
    from .models import SheetStatus

    if status not in (SheetStatus.DRAFT, SheetStatus.RETAINED):
        raise FieldErrors({"status": _("A sheet is either a draft or retained.")})
    with transaction.atomic():
        workshop = _locked(workshop)
        _require_runner(by, workshop)
        _require_open(workshop)
        _require_phase(workshop, Phase.SHEETS)
        sheet = _sheet_locked(workshop, sheet_id)
        _require_sheet_editable(sheet)
        if sheet.status != status:
            sheet.status = status
            sheet.save(update_fields=["status", "updated_at"])
            _changed(workshop, "workshops.sheet.retained" if status == SheetStatus.RETAINED
                     else "workshops.sheet.unretained", actor=by, target=sheet)
    return sheet


def _summary_of(text: str) -> str:
    """At most 300 characters, cut on a word, with an ellipsis when cut."""
    text = clean_line(text)
    if len(text) <= SUMMARY_MAX:
        return text
    cut = text[:SUMMARY_MAX - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"


def sheet_action_body(sheet, workshop) -> str:
    """The action's description (Markdown), in the site's language: what the room wrote, who could
    act, cost, horizon, and the workshop it comes from."""
    from django.conf import settings
    from django.utils import formats, translation

    from .models import Actor, CostRange, Horizon

    with translation.override(settings.LANGUAGE_CODE):
        actors = ", ".join(str(Actor(a).label) for a in sheet.actors) or _("not said")
        date = formats.date_format(timezone.localtime(workshop.starts_at), "j F Y")
        lines = [
            "## " + _("Problem observed"), "", sheet.problem, "",
            "## " + _("Proposal"), "", sheet.proposal, "",
            "- **" + _("Who could act:") + "** " + actors,
            "- **" + _("Rough cost:") + "** " + str(CostRange(sheet.cost).label),
            "- **" + _("Time horizon:") + "** " + str(Horizon(sheet.horizon).label),
        ]
        if sheet.place:
            lines.append("- **" + _("Place:") + "** " + sheet.place)
        lines += ["", "*" + _("From workshop no. %(number)s of %(date)s.") % {
            "number": workshop.number, "date": date} + "*"]
    return "\n".join(lines)


def sheets_publish(*, by, workshop) -> list:
    """Publish every retained sheet not yet published as an action of origin ``workshop``; returns
    the sheets published now (none when run again). Allowed from the sheets phase on (after the
    wall closed too). If the participation phase is not open yet, the actions wait in the list."""
    from concerto.proposals.models import Origin
    from concerto.proposals.selectors import themes_for
    from concerto.proposals.services import action_create_published

    from .errors import NothingToPublish
    from .models import ActionSheet, SheetStatus

    with transaction.atomic():
        workshop = _locked(workshop)
        _require_runner(by, workshop)
        if workshop.cancelled_at is not None:
            raise WorkshopCancelled()
        _require_phase(workshop, Phase.SHEETS, Phase.CLOSED)
        sheets = list(ActionSheet.objects.select_for_update()
                      .filter(workshop=workshop, status=SheetStatus.RETAINED, action__isnull=True)
                      .order_by("position", "pk"))
        if not sheets:
            raise NothingToPublish()
        themes = {t.name.casefold(): t.pk for t in themes_for(workshop.campaign)}
        for sheet in sheets:
            theme_id = themes.get(sheet.theme.name.casefold()) if sheet.theme_id else None
            action = action_create_published(
                by=by, campaign=workshop.campaign, origin=Origin.WORKSHOP, title=sheet.title,
                summary=_summary_of(sheet.proposal), body=sheet_action_body(sheet, workshop),
                theme_id=theme_id, place=sheet.place)
            sheet.action = action
            sheet.status = SheetStatus.PUBLISHED
            sheet.save(update_fields=["action", "status", "updated_at"])
            log_action("workshops.sheet.published", actor=by, scope=workshop.campaign.slug, target=sheet,
                       workshop=workshop.pk, action=action.pk)
        _changed(workshop, "workshops.sheets.published", actor=by, count=len(sheets))
        # Published after the wall closed: the minutes link the new actions, render them again.
        _queue_minutes_on_close(workshop, workshop.phase)
    return sheets


# --- minutes -------------------------------------------------------------------------------------


def _queue_minutes_on_close(workshop, previous) -> None:
    """Closing the wall queues the minutes' PDF after commit (re-rendered at every close: a wall
    reopened and closed again gets a new PDF). ``version`` tells the task which state to render."""
    if workshop.phase != Phase.CLOSED:
        return
    from . import tasks

    pk, version = workshop.pk, workshop.version
    transaction.on_commit(lambda: tasks.render_minutes.enqueue(workshop_id=pk, version=version))


_PHASE_HOOKS.append(_queue_minutes_on_close)
