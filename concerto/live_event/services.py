"""Writes about the live event: one function per thing a person does.

Sections: candidates; events and their running order; the published reply order; the show (start,
on air, end); positions; speaking time. Each later part of the app adds its own section below.

Every change of the set takes the event's row lock (``_lock``), increases ``Event.seq`` and
publishes the full public state numbered by it once the transaction commits (``_changed``): the
screens apply a state only if its number is higher than the one they show, so a late message can
never move a screen back.
"""

import uuid
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.campaigns.selectors import campaign_is_archived, election_freeze
from concerto.core import live
from concerto.core.audit import log_action
from concerto.core.errors import FieldErrors, Invalid, NotAllowed
from concerto.core.http import require
from concerto.core.text import clean_block, clean_line
from concerto.proposals import selectors as proposal_selectors
from concerto.residents import services as residents

from . import order, report, rules, selectors
from .errors import (
    CandidateHasPositions,
    CandidateInvalid,
    ClientIdConflict,
    ClientIdInvalid,
    ElectionFreeze,
    EventEnded,
    EventNotFound,
    EventNotOnAir,
    ItemInvalid,
    NoCandidates,
    NotYourReaction,
    OrderAlreadyPublished,
    OrderNotPublished,
    QuestionsClosed,
    RunningOrderEmpty,
    StanceInvalid,
    SummaryTooLong,
)
from .models import (
    IMPROVEMENT_MAX,
    QUESTION_MAX,
    SUMMARY_MAX,
    WRITTEN_MAX,
    AirSpan,
    AudienceQuestion,
    Candidate,
    Event,
    EventStatus,
    Position,
    QuestionStatus,
    RunningItem,
    SpeakingTurn,
    Stance,
    WrittenReaction,
)

NAME_MAX = 120
LIST_MAX = 200
TITLE_MAX = 200
PRESENTER_MAX = 120


def _scope(campaign) -> str:
    # The campaign journal reads entries by the campaign's slug, as every other app writes them.
    return campaign.slug


def _client_uuid(value) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise ClientIdInvalid() from None


def _lock(event: Event) -> Event:
    """The event's row, locked until the end of the transaction: every change of the set goes
    through it, so ``seq`` numbers the changes in commit order."""
    locked = Event.objects.select_for_update().select_related("campaign").filter(pk=event.pk).first()
    if locked is None:
        raise EventNotFound()
    return locked


def _changed(event: Event) -> None:
    """One more change of the set: the next number, and the public and control-room states sent
    after commit (each screen keeps only a state with a higher number than the one it shows)."""
    event.seq += 1
    Event.objects.filter(pk=event.pk).update(seq=event.seq, updated_at=timezone.now())
    _send_after_commit(event.pk)


def _send_after_commit(event_pk: int) -> None:
    """The states are built once the transaction has committed, once per transaction and event: a
    transaction that changes the set many times (the demo loader's whole show, a retried batch)
    sends its last state only, and no state is built while the event's row lock is held. The state
    read after commit is at least as new as this change, with its own number."""
    connection = transaction.get_connection()
    if any(getattr(pending[1], "live_event_pk", None) == event_pk for pending in connection.run_on_commit):
        return

    def send():
        event = Event.objects.select_related("campaign").filter(pk=event_pk).first()
        if event is not None:
            live.publish_many([
                (selectors.topic(event), selectors.event_public_state(event), event.seq),
                (selectors.room_topic(event), selectors.event_room_state(event), event.seq),
            ])

    send.live_event_pk = event_pk
    transaction.on_commit(send, robust=True)


def _require_runner(actor, event: Event) -> None:
    # Staff-only: the same 404 whether the event exists or the person may not run it.
    require(rules.can_run_event(actor, event), EventNotFound)
    if event.status == EventStatus.ENDED or campaign_is_archived(event.campaign):
        raise EventEnded()


# --- Candidates ---------------------------------------------------------------------------------

def _candidate_fields(campaign, *, name, list_name, representative, photo_alt, contact_email, exclude_pk=None):
    errors = {}
    name, list_name = clean_line(name or ""), clean_line(list_name or "")
    representative, photo_alt = clean_line(representative or ""), clean_line(photo_alt or "")
    contact_email = (contact_email or "").strip()
    if not name:
        errors["name"] = _("Give the candidate's name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("The name must fit in 120 characters.")
    elif Candidate.objects.filter(campaign=campaign, name__iexact=name).exclude(pk=exclude_pk).exists():
        errors["name"] = _("A candidate of this campaign already has this name.")
    if not list_name:
        errors["list_name"] = _("Give the name of the list.")
    elif len(list_name) > LIST_MAX:
        errors["list_name"] = _("The list name must fit in 200 characters.")
    if len(representative) > NAME_MAX:
        errors["representative"] = _("The name must fit in 120 characters.")
    if len(photo_alt) > 300:
        errors["photo_alt"] = _("The description of the photo must fit in 300 characters.")
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            errors["contact_email"] = _("Enter a valid e-mail address, such as name@example.org.")
    if errors:
        raise FieldErrors(errors)
    return {"name": name, "list_name": list_name, "representative": representative, "photo_alt": photo_alt,
            "contact_email": contact_email}


@transaction.atomic
def candidate_create(*, actor, campaign, name, list_name, representative="", photo_alt="", contact_email="",
                     ballot_order=None, user=None) -> Candidate:
    """A list standing in the election. ``ballot_order``: its place on the official panel (next free
    place when not given)."""
    require(rules.can_manage_live(actor, campaign), NotAllowed(_("Only the campaign's organisers manage the candidates.")))
    fields = _candidate_fields(campaign, name=name, list_name=list_name, representative=representative,
                               photo_alt=photo_alt, contact_email=contact_email)
    if ballot_order is None:
        last = Candidate.objects.filter(campaign=campaign).order_by("-ballot_order").first()
        ballot_order = (last.ballot_order + 1) if last else 1
    elif not isinstance(ballot_order, int) or ballot_order < 1 or Candidate.objects.filter(
            campaign=campaign, ballot_order=ballot_order).exists():
        raise FieldErrors({"ballot_order": _("Choose a free place on the official panel (1, 2, 3…).")})
    candidate = Candidate.objects.create(campaign=campaign, ballot_order=ballot_order, user=user, **fields)
    log_action("live.candidate_created", actor=actor, scope=_scope(campaign), target=candidate,
               name=candidate.name, list_name=candidate.list_name)
    return candidate


# --- Events and their running order -------------------------------------------------------------

def _origins(values) -> list[str]:
    """Origins allowed to frame the live pages: https://host[:port] only (no path, no wildcard),
    http only for localhost (a mixing computer's local page)."""
    out, bad = [], []
    for raw in values or []:
        value = (raw or "").strip().rstrip("/")
        if not value:
            continue
        parts = urlsplit(value)
        local = parts.hostname in ("localhost", "127.0.0.1")
        ok = (parts.scheme == "https" or (parts.scheme == "http" and local)) and parts.hostname and not (
            parts.path or parts.query or parts.fragment or parts.username or "*" in value)
        try:
            parts.port  # noqa: B018 - raises on a malformed port
        except ValueError:
            ok = False
        (out if ok else bad).append(value)
    if bad:
        raise FieldErrors({"frame_origins": _(
            "Give one site per line as https://name.example (no path, no *): %(values)s") % {"values": ", ".join(bad)}})
    return list(dict.fromkeys(out))


def _event_fields(*, title, starts_at, place, stream_url, frame_origins, target_gap_seconds) -> dict:
    errors = {}
    title = clean_line(title or "")
    if not title:
        errors["title"] = _("Give the event a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("The title must fit in 200 characters.")
    if starts_at is None:
        errors["starts_at"] = _("Give the date and time of the show.")
    stream_url = (stream_url or "").strip()
    if stream_url and urlsplit(stream_url).scheme != "https":
        errors["stream_url"] = _("The video address must start with https://.")
    try:
        origins = _origins(frame_origins)
    except FieldErrors as exc:
        errors.update(exc.errors)
        origins = []
    if not isinstance(target_gap_seconds, int) or not 0 <= target_gap_seconds <= 3600:
        errors["target_gap_seconds"] = _("Give the largest gap in seconds, between 0 and 3600.")
    if errors:
        raise FieldErrors(errors)
    return {"title": title, "starts_at": starts_at, "place": clean_line(place or ""), "stream_url": stream_url,
            "frame_origins": origins, "target_gap_seconds": target_gap_seconds}


@transaction.atomic
def event_create(*, actor, campaign, title, starts_at, place="", stream_url="", frame_origins=(),
                 target_gap_seconds=60, questions_open=False) -> Event:
    require(rules.can_manage_live(actor, campaign), NotAllowed(_("Only the campaign's organisers plan live events.")))
    fields = _event_fields(title=title, starts_at=starts_at, place=place, stream_url=stream_url,
                           frame_origins=frame_origins, target_gap_seconds=target_gap_seconds)
    event = Event.objects.create(campaign=campaign, questions_open=bool(questions_open), **fields)
    log_action("live.event_created", actor=actor, scope=_scope(campaign), target=event, title=event.title)
    return event


@transaction.atomic
def running_order_set(*, actor, event, items) -> list[RunningItem]:
    """The running order: ``items`` is a list of ``(action_id, presenter)`` in show order. It can
    change until the reply order is published (the reply order is drawn for these actions)."""
    require(rules.can_manage_live(actor, event.campaign), EventNotFound)
    event = _lock(event)
    if event.order_published_at is not None:
        raise OrderAlreadyPublished()
    ids = [int(a) for a, _p in items]
    if len(set(ids)) != len(ids):
        raise FieldErrors({"items": _("An action appears twice in the running order.")})
    actions = proposal_selectors.published_actions_by_id(event.campaign, ids)
    if set(actions) != set(ids):
        raise ItemInvalid()
    for _a, presenter in items:
        if len(clean_line(presenter or "")) > PRESENTER_MAX:
            raise FieldErrors({"items": _("A presenter's name must fit in 120 characters.")})
    RunningItem.objects.filter(event=event).delete()
    created = RunningItem.objects.bulk_create([
        RunningItem(event=event, action_id=a, position=i, presenter=clean_line(p or ""))
        for i, (a, p) in enumerate(items, 1)
    ])
    log_action("live.running_order_set", actor=actor, scope=_scope(event.campaign), target=event, actions=ids)
    _changed(event)
    return created


# --- The published reply order ------------------------------------------------------------------

@transaction.atomic
def event_order_publish(*, actor, event, seed: str | None = None) -> Event:
    """Draw the candidates' reply order for every action (a seeded Latin square) and publish it,
    with its seed, before the show. Once published it never changes."""
    require(rules.can_manage_live(actor, event.campaign), EventNotFound)
    event = _lock(event)
    if event.order_published_at is not None:
        raise OrderAlreadyPublished()
    items = list(RunningItem.objects.filter(event=event).order_by("position"))
    if not items:
        raise RunningOrderEmpty()
    candidate_ids = list(Candidate.objects.filter(campaign=event.campaign).order_by("ballot_order", "id")
                         .values_list("pk", flat=True))
    if len(candidate_ids) < 1:
        raise NoCandidates()
    seed = seed or order.new_seed()
    for item, reply in zip(items, order.reply_orders(seed, candidate_ids, len(items)), strict=True):
        item.reply_order = reply
    RunningItem.objects.bulk_update(items, ["reply_order"])
    event.order_seed, event.order_published_at = seed, timezone.now()
    event.save(update_fields=["order_seed", "order_published_at", "updated_at"])
    log_action("live.order_published", actor=actor, scope=_scope(event.campaign), target=event, seed=seed,
               candidates=candidate_ids)
    _changed(event)
    return event


# --- The show -----------------------------------------------------------------------------------

def _close_open(event: Event, now) -> None:
    SpeakingTurn.objects.filter(event=event, ended_at__isnull=True).update(ended_at=now)
    AirSpan.objects.filter(event=event, ended_at__isnull=True).update(ended_at=now)


@transaction.atomic
def event_start(*, actor, event) -> Event:
    _require_runner(actor, event)
    event = _lock(event)
    if event.status == EventStatus.ON_AIR:
        return event
    if event.order_published_at is None:
        raise OrderNotPublished()
    if election_freeze(event.campaign) is not None:
        raise ElectionFreeze()
    event.status, event.started_at = EventStatus.ON_AIR, timezone.now()
    event.save(update_fields=["status", "started_at", "updated_at"])
    log_action("live.event_started", actor=actor, scope=_scope(event.campaign), target=event)
    _changed(event)
    return event


@transaction.atomic
def event_end(*, actor, event) -> Event:
    """End of the show: the running clock and the action on air stop; the record is closed."""
    _require_runner(actor, event)
    event = _lock(event)
    now = timezone.now()
    _close_open(event, now)
    event.status, event.ended_at, event.on_air = EventStatus.ENDED, now, None
    event.save(update_fields=["status", "ended_at", "on_air", "updated_at"])
    log_action("live.event_ended", actor=actor, scope=_scope(event.campaign), target=event)
    report_sign(event=event, actor=actor)
    _changed(event)
    return event


@transaction.atomic
def on_air_set(*, actor, event, item_id) -> Event:
    """Put an action of the running order on air (``item_id`` None: none). The running clock stops:
    a candidate's turn belongs to one action."""
    _require_runner(actor, event)
    event = _lock(event)
    if event.status != EventStatus.ON_AIR:
        raise EventNotOnAir()
    item = None
    if item_id is not None:
        item = RunningItem.objects.filter(event=event, pk=item_id).first()
        if item is None:
            raise ItemInvalid()
    if (item.pk if item else None) == event.on_air_id:
        return event
    now = timezone.now()
    _close_open(event, now)
    if item is not None:
        AirSpan.objects.create(event=event, item=item, started_at=now)
    event.on_air = item
    event.save(update_fields=["on_air", "updated_at"])
    log_action("live.on_air", actor=actor, scope=_scope(event.campaign), target=event,
               item=item.pk if item else None, action=item.action_id if item else None)
    _changed(event)
    return event


@transaction.atomic
def on_air_step(*, actor, event, step: int) -> Event:
    """Next (+1) or previous (-1) action of the running order; from nothing on air, the first."""
    _require_runner(actor, event)
    items = list(RunningItem.objects.filter(event=event).order_by("position").values_list("pk", flat=True))
    if not items:
        raise RunningOrderEmpty()
    current = _lock(event).on_air_id
    if current not in items:
        target = items[0] if step >= 0 else items[-1]
    else:
        target = items[max(0, min(len(items) - 1, items.index(current) + (1 if step >= 0 else -1)))]
    return on_air_set(actor=actor, event=event, item_id=target)


# --- Positions ----------------------------------------------------------------------------------

@transaction.atomic
def position_record(*, actor, event, item_id, candidate_id, stance, summary="", improvement="", client_id,
                    revision=1) -> tuple[Position, str]:
    """A candidate's position on an action, as said on the set. Answers ``(position, outcome)``:
    ``created``, ``updated``, or ``stale`` when a newer revision of the cell is already stored (a
    retried save arriving late): the stored one wins and is returned."""
    _require_runner(actor, event)
    event = _lock(event)
    if election_freeze(event.campaign) is not None:
        raise ElectionFreeze()
    item = RunningItem.objects.filter(event=event, pk=item_id).select_related("action").first()
    if item is None:
        raise ItemInvalid()
    candidate = Candidate.objects.filter(campaign=event.campaign, pk=candidate_id).first()
    if candidate is None:
        raise CandidateInvalid()
    if stance not in Stance.values:
        raise StanceInvalid()
    summary, improvement = clean_line(summary or ""), clean_block(improvement or "")
    if len(summary) > SUMMARY_MAX:
        raise SummaryTooLong()
    if len(improvement) > IMPROVEMENT_MAX:
        raise FieldErrors({"improvement": _("The improvement must fit in 1000 characters.")})
    client_id = _client_uuid(client_id)
    if not isinstance(revision, int) or revision < 1:
        raise FieldErrors({"revision": _("This entry has no valid revision: reload the page and try again.")})
    now = timezone.now()
    existing = Position.objects.filter(item=item, candidate=candidate).first()
    if existing is None:
        try:
            with transaction.atomic():
                position = Position.objects.create(
                    item=item, candidate=candidate, stance=stance, summary=summary, improvement=improvement,
                    client_id=client_id, revision=revision, recorded_by=actor, recorded_at=now, updated_at=now)
        except IntegrityError:
            raise ClientIdConflict() from None
        outcome = "created"
    else:
        if existing.client_id != client_id and Position.objects.filter(client_id=client_id).exists():
            raise ClientIdConflict()
        if revision <= existing.revision:
            return existing, "stale"
        existing.stance, existing.summary, existing.improvement = stance, summary, improvement
        existing.revision, existing.recorded_by, existing.updated_at = revision, actor, now
        existing.save(update_fields=["stance", "summary", "improvement", "revision", "recorded_by", "updated_at"])
        position, outcome = existing, "updated"
    log_action("live.position_recorded", actor=actor, scope=_scope(event.campaign), target=position,
               event=event.pk, action=item.action_id, candidate=candidate.pk, stance=stance, revision=revision)
    _changed(event)
    return position, outcome


# --- Speaking time ------------------------------------------------------------------------------

@transaction.atomic
def turn_start(*, actor, event, candidate_id, client_id) -> SpeakingTurn:
    """One key: this candidate starts speaking, the one speaking stops. Times are the server's.
    A replay of the same ``client_id`` answers the turn it started."""
    _require_runner(actor, event)
    event = _lock(event)
    if event.status != EventStatus.ON_AIR:
        raise EventNotOnAir()
    client_id = _client_uuid(client_id)
    done = SpeakingTurn.objects.filter(client_id=client_id).first()
    if done is not None:
        if done.event_id != event.pk:
            raise ClientIdConflict()
        return done
    candidate = Candidate.objects.filter(campaign=event.campaign, pk=candidate_id).first()
    if candidate is None:
        raise CandidateInvalid()
    now = timezone.now()
    SpeakingTurn.objects.filter(event=event, ended_at__isnull=True).update(ended_at=now)
    turn = SpeakingTurn.objects.create(event=event, candidate=candidate, item_id=event.on_air_id, started_at=now,
                                       client_id=client_id, started_by=actor)
    log_action("live.turn_started", actor=actor, scope=_scope(event.campaign), target=event, candidate=candidate.pk,
               item=event.on_air_id)
    _changed(event)
    return turn


@transaction.atomic
def turn_stop(*, actor, event) -> SpeakingTurn | None:
    """Stop the running clock (nobody speaks). Nothing running: nothing changes."""
    _require_runner(actor, event)
    event = _lock(event)
    turn = SpeakingTurn.objects.filter(event=event, ended_at__isnull=True).first()
    if turn is None:
        return None
    turn.ended_at = timezone.now()
    turn.save(update_fields=["ended_at"])
    log_action("live.turn_stopped", actor=actor, scope=_scope(event.campaign), target=event,
               candidate=turn.candidate_id, seconds=round((turn.ended_at - turn.started_at).total_seconds(), 1))
    _changed(event)
    return turn


# --- Audience questions -------------------------------------------------------------------------

@transaction.atomic
def question_submit(*, actor, event, text, client_id, item_id=None) -> tuple[AudienceQuestion, bool]:
    """A viewer's question, held until a facilitator approves it. Answers ``(question, created)``;
    the same ``client_id`` again (a double tap, a retry) answers the first one."""
    client_id = _client_uuid(client_id)
    done = AudienceQuestion.objects.filter(client_id=client_id).first()
    if done is not None:
        if done.event_id != event.pk or done.author_id != getattr(actor, "pk", None):
            raise ClientIdConflict()
        return done, False
    require(rules.can_ask_question(actor, event), QuestionsClosed)
    text = clean_line(text or "")
    if not text:
        raise FieldErrors({"text": _("Write your question.")})
    if len(text) > QUESTION_MAX:
        raise FieldErrors({"text": _("Your question must fit in 280 characters.")})
    item = None
    if item_id not in (None, ""):
        item = RunningItem.objects.filter(event=event, pk=item_id).first()
        if item is None:
            raise ItemInvalid()
    try:
        with transaction.atomic():
            question = AudienceQuestion.objects.create(event=event, item=item, author=actor, text=text,
                                                       client_id=client_id, created_at=timezone.now())
    except IntegrityError:
        raise ClientIdConflict() from None
    log_action("live.question_submitted", actor=actor, scope=_scope(event.campaign), target=question, event=event.pk)
    live.publish(selectors.room_topic(event))
    return question, True


@transaction.atomic
def question_decide(*, actor, event, question_id, approve: bool) -> AudienceQuestion:
    """Approve (it may then be shown) or set aside a waiting question."""
    _require_runner(actor, event)
    event = _lock(event)
    question = AudienceQuestion.objects.filter(event=event, pk=question_id).first()
    if question is None:
        raise EventNotFound()
    question.status = QuestionStatus.APPROVED if approve else QuestionStatus.REJECTED
    question.decided_by, question.decided_at = actor, timezone.now()
    if not approve:
        question.shown_at = None
    question.save(update_fields=["status", "decided_by", "decided_at", "shown_at"])
    log_action("live.question_decided", actor=actor, scope=_scope(event.campaign), target=question,
               approved=approve)
    _changed(event)
    return question


@transaction.atomic
def question_show(*, actor, event, question_id=None) -> Event:
    """Put an approved question on screen (``question_id`` None: take it off)."""
    _require_runner(actor, event)
    event = _lock(event)
    if election_freeze(event.campaign) is not None and question_id is not None:
        raise ElectionFreeze()
    AudienceQuestion.objects.filter(event=event, shown_at__isnull=False).update(shown_at=None)
    if question_id is not None:
        shown = AudienceQuestion.objects.filter(event=event, pk=question_id, status=QuestionStatus.APPROVED).update(
            shown_at=timezone.now())
        if not shown:
            raise EventNotFound()
    log_action("live.question_shown", actor=actor, scope=_scope(event.campaign), target=event, question=question_id)
    _changed(event)
    return event


# --- Correcting a turn timed by mistake --------------------------------------------------------

REASON_MAX = 280


@transaction.atomic
def turn_correct(*, actor, event, turn_id, reason, candidate_id=None, remove=False) -> SpeakingTurn | None:
    """A facilitator's correction of a turn timed by mistake: the wrong candidate's key was pressed
    (``candidate_id``: the one who spoke), or a key was pressed when nobody spoke (``remove``). The
    times themselves are the server's and stay. A reason is required; the correction goes into the
    audit trail with the turn before and after, and once the show has ended the report's new
    signature is recorded too, so a change after the end is visible. Answers the corrected turn
    (None when removed)."""
    require(rules.can_run_event(actor, event), EventNotFound)
    if campaign_is_archived(event.campaign):
        raise EventEnded()
    event = _lock(event)
    reason = clean_line(reason or "")
    if not reason:
        raise FieldErrors({"reason": _("Say why the turn is corrected: the reason is kept in the journal.")})
    if len(reason) > REASON_MAX:
        raise FieldErrors({"reason": _("The reason must fit in 280 characters.")})
    try:
        turn = SpeakingTurn.objects.filter(event=event, pk=int(turn_id)).first()
    except (TypeError, ValueError):
        turn = None
    if turn is None:
        raise FieldErrors({"turn": _("This turn is not in this event's record: reload the page and try again.")})
    seconds = round(((turn.ended_at or timezone.now()) - turn.started_at).total_seconds(), 1)
    before = turn.candidate_id
    if remove:
        turn.delete()
        turn, after = None, None
    else:
        candidate = (Candidate.objects.filter(campaign=event.campaign, pk=candidate_id).first()
                     if isinstance(candidate_id, int) else None)
        if candidate is None:
            raise CandidateInvalid()
        if candidate.pk == before:
            return turn
        turn.candidate = candidate
        turn.save(update_fields=["candidate"])
        after = candidate.pk
    log_action(report.TURN_CORRECTED, actor=actor, scope=_scope(event.campaign), target=event, turn=int(turn_id),
               candidate_before=before, candidate_after=after, seconds=seconds, reason=reason)
    report_sign(event=event, actor=actor)
    _changed(event)
    return turn


# --- The fairness report's signature ------------------------------------------------------------

def report_sign(*, event, actor=None):
    """Record the SHA-256 of the fairness report's canonical CSV in the audit trail, once the show
    has ended: by ``event_end`` (the facilitator who ended it), else by the first reading of the
    report afterwards (no actor: the platform). A later reading whose digest differs from the last
    one recorded (a turn corrected after the end) records the new one, so the change shows in the
    trail and on the page. Nothing to authorize: it writes only what anyone can compute from the
    public report. Answers the new entry, or None when nothing changed."""
    if event.status != EventStatus.ENDED:
        return None
    target = report.report_target(event)
    digest = report.csv_digest(report.fairness_csv(report.fairness_report(event)))
    last = report.report_signatures(event)
    if last and last[-1].data.get("sha256") == digest:
        return None
    with transaction.atomic():
        locked = _lock(event)  # two first readers at once record one entry
        data = report.fairness_report(locked)
        digest = report.csv_digest(report.fairness_csv(data))
        last = report.report_signatures(locked)
        if last and last[-1].data.get("sha256") == digest:
            return None
        return log_action("live.report_signed", actor=actor, scope=_scope(locked.campaign), target=target,
                          sha256=digest, gap=data["gap"], target_gap=data["target_gap"], met=data["met"])


# --- Candidates (set-up) ------------------------------------------------------------------------

PHOTO_MAX_BYTES = 2 * 1024 * 1024
# The photo's kind is read from its first bytes, never from its name or the browser's word.
_PHOTO_KINDS = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"))


def photo_kind(upload) -> str | None:
    """``jpg``, ``png`` or ``webp`` from the file's content, or None for anything else."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, kind in _PHOTO_KINDS:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _photo_check(photo, photo_alt: str, had_photo: bool) -> dict:
    errors = {}
    if photo is not None:
        if photo.size > PHOTO_MAX_BYTES:
            errors["photo"] = _("The photo must weigh 2 MB at most.")
        elif photo_kind(photo) is None:
            errors["photo"] = _("The photo must be a JPEG, PNG or WebP image.")
    if (photo is not None or had_photo) and not photo_alt:
        errors["photo_alt"] = _("Describe the photo for people who cannot see it (for instance: "
                                "« Claire Martin, smiling, in front of the town hall »).")
    return errors


def _photo_save(candidate: Candidate, photo) -> None:
    kind = photo_kind(photo)
    # A name of our own: the uploaded name is never used on disk.
    candidate.photo.save(f"candidate-{candidate.pk}-{uuid.uuid4().hex[:8]}.{kind}", photo, save=False)


def _ballot_order(campaign, value, exclude_pk=None) -> int:
    if not isinstance(value, int) or not 1 <= value <= 99 or Candidate.objects.filter(
            campaign=campaign, ballot_order=value).exclude(pk=exclude_pk).exists():
        raise FieldErrors({"ballot_order": _("Choose a free place on the official panel (1, 2, 3…).")})
    return value


@transaction.atomic
def candidate_save(*, actor, campaign, candidate=None, name, list_name, representative="", photo=None,
                   photo_alt="", photo_remove=False, contact_email="", ballot_order=None) -> Candidate:
    """Add a candidate (``candidate`` None) or change one, with its photo (JPEG, PNG or WebP, 2 MB at
    most, read from its content; a description is required with a photo)."""
    require(rules.can_manage_live(actor, campaign), NotAllowed(_("Only the campaign's organisers manage the candidates.")))
    if candidate is not None and candidate.campaign_id != campaign.pk:
        raise CandidateInvalid()
    errors = {}
    try:
        fields = _candidate_fields(campaign, name=name, list_name=list_name, representative=representative,
                                   photo_alt=photo_alt, contact_email=contact_email,
                                   exclude_pk=candidate.pk if candidate else None)
    except FieldErrors as exc:
        errors.update(exc.errors)
        fields = {"photo_alt": clean_line(photo_alt or "")}
    had_photo = bool(candidate and candidate.photo) and not photo_remove
    errors.update({k: v for k, v in _photo_check(photo, fields["photo_alt"], had_photo).items() if k not in errors})
    if ballot_order is not None:
        try:
            ballot_order = _ballot_order(campaign, ballot_order, exclude_pk=candidate.pk if candidate else None)
        except FieldErrors as exc:
            errors.update(exc.errors)
    if errors:
        raise FieldErrors(errors)
    if candidate is None:
        candidate = candidate_create(actor=actor, campaign=campaign, ballot_order=ballot_order, **fields)
    else:
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        for key, value in fields.items():
            setattr(candidate, key, value)
        if ballot_order is not None:
            candidate.ballot_order = ballot_order
        candidate.save()
        log_action("live.candidate_updated", actor=actor, scope=_scope(campaign), target=candidate,
                   name=candidate.name, list_name=candidate.list_name)
    if photo_remove and candidate.photo and photo is None:
        candidate.photo.delete(save=False)
        candidate.photo = ""
        candidate.save(update_fields=["photo", "updated_at"])
    if photo is not None:
        old = candidate.photo.name if candidate.photo else ""
        _photo_save(candidate, photo)
        candidate.save(update_fields=["photo", "updated_at"])
        if old:
            transaction.on_commit(lambda: candidate.photo.storage.delete(old))
    return candidate


def candidate_update(*, actor, candidate, **fields) -> Candidate:
    return candidate_save(actor=actor, campaign=candidate.campaign, candidate=candidate, **fields)


@transaction.atomic
def candidate_delete(*, actor, candidate) -> None:
    """Remove a candidate added by mistake; refused once a position of theirs was recorded (the
    event's record and its fairness report keep them)."""
    campaign = candidate.campaign
    require(rules.can_manage_live(actor, campaign), NotAllowed(_("Only the campaign's organisers manage the candidates.")))
    candidate = Candidate.objects.select_for_update().filter(pk=candidate.pk, campaign=campaign).first()
    if candidate is None:
        raise CandidateInvalid()
    if candidate.positions.exists() or candidate.turns.exists():
        raise CandidateHasPositions()
    published = RunningItem.objects.filter(event__campaign=campaign, event__order_published_at__isnull=False)
    if any(candidate.pk in (reply or []) for reply in published.values_list("reply_order", flat=True)):
        raise CandidateHasPositions()
    name = candidate.name
    photo = candidate.photo.name if candidate.photo else ""
    candidate.delete()
    if photo:
        storage = Candidate._meta.get_field("photo").storage
        transaction.on_commit(lambda: storage.delete(photo))
    log_action("live.candidate_deleted", actor=actor, scope=_scope(campaign), target="", name=name)


def candidate_account_invite(*, actor, candidate, email, build_url) -> tuple[Candidate, str]:
    """Give a candidate's list its account: the address gets the CANDIDATE role through a team
    invitation (the person sets a password from the mailed link, as every team member does) and is
    linked to this candidate at once. Answers the candidate and the link (shown in the demo)."""
    campaign = candidate.campaign
    require(rules.can_manage_live(actor, campaign), NotAllowed(_("Only the campaign's organisers manage the candidates.")))
    try:
        email = residents.normalise_email(email or "")
    except Invalid as exc:
        raise FieldErrors({"email": exc.message}) from exc
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        account = residents.account_for_email(email=email, display_name=candidate.name)
        if Candidate.objects.filter(campaign=campaign, user=account).exclude(
                pk=candidate.pk).exists():
            raise FieldErrors({"email": _("This address already writes for another list of this campaign.")})
        url = ""
        if not rules.is_candidate(account, campaign):
            _invitation, url = residents.team_invite(by=actor, campaign=campaign, email=email, role="candidate",
                                                     build_url=build_url)
        candidate.user = account
        candidate.save(update_fields=["user", "updated_at"])
        log_action("live.candidate_account", actor=actor, scope=_scope(campaign), target=candidate, email=email)
    return candidate, url


# --- Events (set-up) ----------------------------------------------------------------------------

@transaction.atomic
def event_update(*, actor, event, title, starts_at, place="", stream_url="", frame_origins=(),
                 target_gap_seconds=60, questions_open=False) -> Event:
    """Change an event's details (not its running order: ``running_order_set``)."""
    require(rules.can_manage_live(actor, event.campaign), EventNotFound)
    event = _lock(event)
    if event.status == EventStatus.ENDED:
        raise EventEnded()
    fields = _event_fields(title=title, starts_at=starts_at, place=place, stream_url=stream_url,
                           frame_origins=frame_origins, target_gap_seconds=target_gap_seconds)
    for key, value in fields.items():
        setattr(event, key, value)
    event.questions_open = bool(questions_open)
    event.save()
    log_action("live.event_updated", actor=actor, scope=_scope(event.campaign), target=event, title=event.title)
    _changed(event)
    return event


# --- Written reactions --------------------------------------------------------------------------

@transaction.atomic
def written_reaction_save(*, actor, candidate, action, stance, text="", improvement="") -> WrittenReaction:
    """A candidate's own written reaction to a published action (one per action, changed in place).
    Refused for anyone but the list's account, and during the eve-of-vote freeze."""
    if election_freeze(candidate.campaign) is not None and candidate.user_id == getattr(actor, "pk", None):
        raise ElectionFreeze()
    require(rules.can_write_reaction(actor, candidate), NotYourReaction)
    if action.campaign_id != candidate.campaign_id or not proposal_selectors.published_actions_by_id(
            candidate.campaign, [action.pk]):
        raise ItemInvalid()
    errors = {}
    if stance not in Stance.values:
        errors["stance"] = StanceInvalid.message
    text, improvement = clean_block(text or ""), clean_block(improvement or "")
    if len(text) > WRITTEN_MAX:
        errors["text"] = _("Your reaction must fit in 2000 characters.")
    if len(improvement) > IMPROVEMENT_MAX:
        errors["improvement"] = _("The improvement must fit in 1000 characters.")
    if errors:
        raise FieldErrors(errors)
    now = timezone.now()
    reaction, created = WrittenReaction.objects.select_for_update().get_or_create(
        candidate=candidate, action=action,
        defaults={"stance": stance, "text": text, "improvement": improvement, "created_at": now, "updated_at": now})
    if not created:
        reaction.stance, reaction.text, reaction.improvement, reaction.updated_at = stance, text, improvement, now
        reaction.save(update_fields=["stance", "text", "improvement", "updated_at"])
    log_action("live.reaction_written", actor=actor, scope=_scope(candidate.campaign), target=reaction,
               action=action.pk, candidate=candidate.pk, stance=stance, created=created)
    return reaction
