"""Writes about workshops: one function per thing a person does.

Every wall write runs under the workshop's row lock (``_locked``) and ends with ``_changed``, which
bumps ``Workshop.version``, writes the audit entry and publishes the live state after commit. So
the order of versions is the order of commits, and a reload shows what the stream announced.
"""

import hashlib
import secrets
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.core import live
from concerto.core.audit import log_action
from concerto.core.errors import FieldErrors, NotAllowed
from concerto.core.text import clean_block, clean_line

from . import rules
from .errors import (
    ClientIdConflict,
    IdeaEmpty,
    IdeaTooLong,
    NotAttendee,
    NotFacilitator,
    PhaseLocked,
    PhaseStepInvalid,
    WorkshopCancelled,
)
from .live import topic
from .models import (
    IDEA_MAX_LENGTH,
    PHASE_ORDER,
    ROOM_CODE_ALPHABET,
    ROOM_CODE_LENGTH,
    AgendaItem,
    Idea,
    Phase,
    Prompt,
    Workshop,
)

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


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def attendee_token_issue(attendee) -> str:
    """A new personal link secret for this attendee (the previous one stops working). Only its hash
    is stored: the secret goes into the invitation (e-mail or letter) and nowhere else."""
    token = secrets.token_urlsafe(24)
    type(attendee).objects.filter(pk=attendee.pk).update(token_hash=token_hash(token))
    attendee.token_hash = token_hash(token)
    return token


def new_room_code() -> str:
    return "".join(secrets.choice(ROOM_CODE_ALPHABET) for _ in range(ROOM_CODE_LENGTH))


# --- sessions ------------------------------------------------------------------------------------


def workshop_create(*, by, campaign, title, starts_at, ends_at, place, address="", access_notes="",
                    selection=None, agenda=(), facilitators=()) -> Workshop:
    """A new session, numbered after the campaign's last one, with a fresh room code.

    ``agenda``: ``(title, minutes)`` pairs in order. ``by=None`` only for the demo loader."""
    if by is not None and not rules.can_manage_workshops(by, campaign):
        raise NotAllowed(_("Only organisers can plan workshops."))
    errors = {}
    title, place = clean_line(title or ""), clean_line(place or "")
    if not title:
        errors["title"] = _("Give the workshop a title.")
    if not place:
        errors["place"] = _("Say where the workshop takes place.")
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        errors["ends_at"] = _("The workshop must end after it starts.")
    if errors:
        raise FieldErrors(errors)
    for _attempt in range(10):
        try:
            with transaction.atomic():
                number = (Workshop.objects.filter(campaign=campaign).order_by("-number")
                          .values_list("number", flat=True).first() or 0) + 1
                workshop = Workshop.objects.create(
                    campaign=campaign, number=number, title=title, starts_at=starts_at, ends_at=ends_at,
                    place=place, address=clean_line(address or ""), access_notes=access_notes or "",
                    selection=selection, room_code=new_room_code())
                AgendaItem.objects.bulk_create(
                    AgendaItem(workshop=workshop, position=i, title=clean_line(t), minutes=m)
                    for i, (t, m) in enumerate(agenda))
                if facilitators:
                    workshop.facilitators.set(facilitators)
                log_action("workshops.workshop.created", actor=by, scope=campaign.slug, target=workshop,
                           number=number)
                return workshop
        except IntegrityError:
            continue  # a room code or number taken by a concurrent create: draw again
    raise FieldErrors({"title": _("The workshop could not be created. Try again.")})


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
