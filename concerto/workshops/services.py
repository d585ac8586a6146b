"""Writes about workshops: one function per thing a person does.

Every wall write runs under the workshop's row lock (``_locked``) and ends with ``_changed``, which
bumps ``Workshop.version``, writes the audit entry and publishes the live state after commit. So
the order of versions is the order of commits, and a reload shows what the stream announced.
"""

import secrets
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concerto.campaigns.selectors import campaign_is_archived
from concerto.core import live
from concerto.core.audit import log_action
from concerto.core.errors import FieldErrors, NotAllowed
from concerto.core.text import clean_line

from . import notifications, rules, tasks, tokens
from .errors import (
    AgendaItemNotFound,
    AlreadyCancelled,
    AttendeeNotFound,
    ClientIdConflict,
    IdeaEmpty,
    IdeaTooLong,
    NobodyToInvite,
    NoPanel,
    NotAttendee,
    NotFacilitator,
    PhaseLocked,
    PhaseStepInvalid,
    WorkshopCancelled,
    WorkshopOver,
)
from .live import topic
from .models import (
    IDEA_MAX_LENGTH,
    PHASE_ORDER,
    ROOM_CODE_ALPHABET,
    ROOM_CODE_LENGTH,
    AgendaItem,
    Attendance,
    Attendee,
    AttendeeSource,
    Idea,
    InvitationChannel,
    Phase,
    Prompt,
    Rsvp,
    Workshop,
)
from .tokens import token_hash  # noqa: F401 - kept where the others find it

# --- shared helpers ------------------------------------------------------------------------------


def _locked(workshop) -> Workshop:
    """The workshop row, locked until the transaction ends (call inside ``transaction.atomic``)."""
    return Workshop.objects.select_for_update().select_related("campaign").get(pk=workshop.pk)


def _changed(workshop, code: str, *, actor=None, target=None, **data) -> None:
    """Bump the version, log, and publish the new counts after commit. The row must be locked."""
    from .selectors import wall_counts

    workshop.version += 1
    Workshop.objects.filter(pk=workshop.pk).update(version=workshop.version)
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
        _changed(workshop, "workshops.invitation.reminded" if reminder else "workshops.invitation.sent",
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
        _changed(workshop, "workshops.invitation.reminded" if reminder else "workshops.invitation.sent",
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
        _changed(workshop, "workshops.attendee.answered", actor=by, target=attendee, rsvp=rsvp,
                 name_consent=bool(name_consent))
    attendee.workshop = workshop
    return attendee


def attendee_join(attendee) -> Attendee:
    """The invitee arrives on the wall through their personal link (the first time is recorded)."""
    with transaction.atomic():
        workshop = _locked(attendee.workshop)
        if not rules.can_take_part(attendee, workshop) or workshop.phase == Phase.PLANNED:
            raise PhaseLocked()
        attendee = Attendee.objects.select_for_update().get(pk=attendee.pk)
        if attendee.joined_at is None:
            attendee.joined_at = timezone.now()
            attendee.save(update_fields=["joined_at"])
            _changed(workshop, "workshops.attendee.joined", target=attendee, via="link")
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
            _changed(workshop, "workshops.attendance.set", actor=by, changed=len(changed))
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
            _changed(workshop, "workshops.idea.added", actor=by, target=idea, proxy=proxy,
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
