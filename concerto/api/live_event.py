"""The live event in the API: read the set like the public pages, and run it with a token.

Reads are public and anonymous, like the live page: the candidates of a campaign, its events, an
event's public state (``selectors.event_public_state``: the very state the live page and the
overlays receive on ``event:<id>``, numbered by ``seq``) and the positions matrix, which leaves out
what the eve-of-vote freeze hides.

Control is for the people who run the set (the campaign's facilitators and organisers), with a
personal token made for writing (a read-only token gets 403 ``token_read_only``): start, end, on
air, a position, the speaking clock, the list of speaking turns and their corrections. They call the
control room's services, so the checks, the audit trail and the live states are the same; anyone
else gets the JSON 404 of an event that does not exist. Every control answer carries the new public state.
"""

from datetime import datetime
from typing import Literal

from ninja import Field, Router, Schema

from concerto.campaigns.selectors import campaign_get
from concerto.core.http import require
from concerto.live_event import rules, selectors, services
from concerto.live_event.errors import EventNotFound

from .auth import OPTIONAL_AUTH_DOC, token_optional, token_required
from .schemas import NOT_FOUND, READ_ERRORS, WRITE_ERRORS

router = Router(tags=["live event"])

READ = {"auth": token_optional, "openapi_extra": OPTIONAL_AUTH_DOC}
CONTROL = {"auth": token_required}
StanceValue = Literal["commits", "favourable", "with_changes", "reserved", "unfavourable", "no_answer"]


class CandidateOut(Schema):
    id: int
    name: str
    list_name: str
    representative: str = Field(..., description="Who speaks for the list on the set, when not the candidate.")
    ballot_order: int = Field(..., description="Place on the official panel: every list is shown in this order.")
    photo_url: str | None
    photo_alt: str

    @staticmethod
    def resolve_photo_url(obj, context) -> str | None:
        return context["request"].build_absolute_uri(obj.photo.url) if obj.photo else None


class LiveEventOut(Schema):
    id: int
    title: str
    starts_at: datetime
    place: str
    stream_url: str
    status: Literal["scheduled", "on_air", "ended"]
    started_at: datetime | None
    ended_at: datetime | None
    questions_open: bool
    target_gap_seconds: int = Field(..., description="Equal time: the largest gap allowed between two lists.")
    order_published_at: datetime | None
    order_seed: str | None = Field(None, description="The reply order's seed, once published.")
    seq: int = Field(..., description="Number of the latest change of the set.")

    @staticmethod
    def resolve_order_seed(obj) -> str | None:
        return obj.order_seed if obj.order_published_at else None


class StateCandidateOut(Schema):
    id: int
    name: str
    list: str
    representative: str


class StateItemOut(Schema):
    id: int
    position: int
    action: int
    title: str
    theme: str
    presenter: str
    reply_order: list[int]


class StateOnAirOut(Schema):
    item: int
    action: int
    title: str
    theme: str
    presenter: str
    supports: int
    reply_order: list[int]
    since: str | None


class StateSpeakingOut(Schema):
    candidate: int
    since: str


class StateCellOut(Schema):
    stance: StanceValue
    summary: str | None = Field(None, description="What was said: for the action on air only (the positions "
                                                   "endpoint has every summary).")


class StateQuestionOut(Schema):
    id: int
    text: str
    item: int | None


class StateEventOut(Schema):
    id: int
    title: str


class LiveStateOut(Schema):
    """The full public state of the set, as the live page and the overlays receive it."""

    seq: int
    now: str
    status: Literal["scheduled", "on_air", "ended"]
    frozen: bool = Field(..., description="The eve-of-vote freeze is in force: no new position is shown.")
    event: StateEventOut
    candidates: list[StateCandidateOut]
    items: list[StateItemOut]
    on_air: StateOnAirOut | None
    speaking: StateSpeakingOut | None
    totals: dict[str, float] = Field(..., description="Seconds per candidate id, closed turns only.")
    positions: dict[str, dict[str, StateCellOut]] = Field(..., description="Item id → candidate id → position.")
    question: StateQuestionOut | None


class MatrixCellOut(Schema):
    candidate: int
    stance: StanceValue
    summary: str
    improvement: str


class MatrixRowOut(Schema):
    item: int
    position: int
    action: int
    title: str
    theme: str
    presenter: str
    reply_order: list[int]
    positions: list[MatrixCellOut]


class MatrixOut(Schema):
    event: int
    candidates: list[CandidateOut]
    items: list[MatrixRowOut]


class OnAirIn(Schema):
    step: Literal["next", "prev"] | None = Field(None, description="Next or previous action of the running order.")
    item: int | None = Field(None, description="An item of the running order (or neither field: nothing on air).")


class PositionIn(Schema):
    item: int
    candidate: int
    stance: StanceValue
    summary: str = Field("", max_length=2000)
    improvement: str = Field("", max_length=5000)
    client_id: str = Field(..., max_length=64, description="A UUID chosen by the client for this cell.")
    revision: int = Field(1, ge=1, description="Increase it on each edit: a lower one never overwrites.")


class SpeakingIn(Schema):
    candidate: int | None = Field(..., description="Who speaks now (the clock of the previous one stops); null: stop.")
    client_id: str | None = Field(None, max_length=64, description="A UUID per key press, required to start.")


class TurnOut(Schema):
    id: int
    number: int = Field(..., description="1, 2, … in the order the turns were taken.")
    candidate: int
    item: int | None = Field(..., description="The item of the running order on air then (null: none).")
    started_at: datetime
    ended_at: datetime | None = Field(..., description="Null while the turn runs.")
    seconds: float


class TurnCorrectIn(Schema):
    candidate: int | None = Field(None, description="Who actually spoke (a candidate of the campaign).")
    remove: bool = Field(False, description="Nobody spoke: the turn is removed (then leave candidate out).")
    reason: str = Field(..., max_length=2000, description="Why: required, up to 280 characters once cleaned; "
                                                         "kept in the campaign's journal.")


class ControlOut(Schema):
    outcome: Literal["done", "created", "updated", "stale"]
    state: LiveStateOut


def _event(slug, event_id):
    return selectors.event_get(campaign_get(slug), event_id)


def _answer(event, outcome="done") -> dict:
    event.refresh_from_db()
    return {"outcome": outcome, "state": selectors.event_public_state(event)}


# --- Reading ---------------------------------------------------------------------------------------

@router.get("/{slug}/candidates", response={200: list[CandidateOut], **READ_ERRORS, **NOT_FOUND},
            summary="The lists standing, in the order of the official panel", **READ)
def list_candidates(request, slug: str):
    return selectors.candidate_list(campaign_get(slug))


@router.get("/{slug}/events", response={200: list[LiveEventOut], **READ_ERRORS, **NOT_FOUND},
            summary="Live events of a campaign, in date order", **READ)
def list_events(request, slug: str):
    return selectors.event_list(campaign_get(slug))


@router.get("/{slug}/events/{event_id}", response={200: LiveEventOut, **READ_ERRORS, **NOT_FOUND},
            summary="One live event", **READ)
def get_event(request, slug: str, event_id: int):
    return _event(slug, event_id)


@router.get("/{slug}/events/{event_id}/state", response={200: LiveStateOut, **READ_ERRORS, **NOT_FOUND},
            summary="The full public state of the set, numbered by seq (what the live page shows)", **READ)
def get_state(request, slug: str, event_id: int):
    return selectors.event_public_state(_event(slug, event_id))


@router.get("/{slug}/events/{event_id}/positions", response={200: MatrixOut, **READ_ERRORS, **NOT_FOUND},
            summary="The action × candidate matrix of positions, with summaries and improvements", **READ)
def get_positions(request, slug: str, event_id: int):
    event = _event(slug, event_id)
    cells: dict[int, list] = {}
    for p in selectors.public_positions(event):
        cells.setdefault(p.item_id, []).append({"candidate": p.candidate_id, "stance": p.stance,
                                                "summary": p.summary, "improvement": p.improvement})
    return {
        "event": event.pk,
        "candidates": selectors.candidate_list(event.campaign),
        "items": [{"item": i.pk, "position": i.position, "action": i.action_id, "title": i.action.title,
                   "theme": i.action.theme.name if i.action.theme else "", "presenter": i.presenter,
                   "reply_order": i.reply_order, "positions": cells.get(i.pk, [])}
                  for i in selectors.running_items(event)],
    }


# --- Running the set (facilitators and organisers, a token made for writing) ------------------------

@router.get("/{slug}/events/{event_id}/turns", response={200: list[TurnOut], **READ_ERRORS, **NOT_FOUND},
            summary="The speaking turns timed on the set, in order (for the people who run it)", **CONTROL)
def list_turns(request, slug: str, event_id: int):
    event = _event(slug, event_id)
    require(rules.can_run_event(request.auth, event), EventNotFound())
    return [{"id": row["turn"].pk, "number": row["n"], "candidate": row["turn"].candidate_id,
             "item": row["turn"].item_id, "started_at": row["turn"].started_at, "ended_at": row["turn"].ended_at,
             "seconds": round(row["seconds"], 1)} for row in selectors.turn_list(event)]


@router.post("/{slug}/events/{event_id}/turns/{turn_id}/correct", response={200: ControlOut, **WRITE_ERRORS},
             summary="Correct a turn timed by mistake: who actually spoke, or remove it; with a reason", **CONTROL)
def correct_turn(request, slug: str, event_id: int, turn_id: int, payload: TurnCorrectIn):
    event = _event(slug, event_id)
    services.turn_correct(actor=request.auth, event=event, turn_id=turn_id, reason=payload.reason,
                          candidate_id=None if payload.remove else payload.candidate, remove=payload.remove)
    return _answer(event)


@router.post("/{slug}/events/{event_id}/start", response={200: ControlOut, **WRITE_ERRORS},
             summary="Start the show (the reply order must be published)", **CONTROL)
def start(request, slug: str, event_id: int):
    event = _event(slug, event_id)
    services.event_start(actor=request.auth, event=event)
    return _answer(event)


@router.post("/{slug}/events/{event_id}/end", response={200: ControlOut, **WRITE_ERRORS},
             summary="End the show: the clock and the action on air stop, the record is closed", **CONTROL)
def end(request, slug: str, event_id: int):
    event = _event(slug, event_id)
    services.event_end(actor=request.auth, event=event)
    return _answer(event)


@router.post("/{slug}/events/{event_id}/on-air", response={200: ControlOut, **WRITE_ERRORS},
             summary="Put an action on air: the next, the previous, a given item, or none", **CONTROL)
def on_air(request, slug: str, event_id: int, payload: OnAirIn):
    event = _event(slug, event_id)
    if payload.step is not None:
        services.on_air_step(actor=request.auth, event=event, step=1 if payload.step == "next" else -1)
    else:
        services.on_air_set(actor=request.auth, event=event, item_id=payload.item)
    return _answer(event)


@router.post("/{slug}/events/{event_id}/positions", response={200: ControlOut, **WRITE_ERRORS},
             summary="Record a candidate's position on an action (a lower revision never overwrites)", **CONTROL)
def record_position(request, slug: str, event_id: int, payload: PositionIn):
    event = _event(slug, event_id)
    _position, outcome = services.position_record(
        actor=request.auth, event=event, item_id=payload.item, candidate_id=payload.candidate,
        stance=payload.stance, summary=payload.summary, improvement=payload.improvement,
        client_id=payload.client_id, revision=payload.revision)
    return _answer(event, outcome)


@router.post("/{slug}/events/{event_id}/speaking", response={200: ControlOut, **WRITE_ERRORS},
             summary="Start a candidate's speaking time (the previous one stops), or stop the clock", **CONTROL)
def speaking(request, slug: str, event_id: int, payload: SpeakingIn):
    event = _event(slug, event_id)
    if payload.candidate is None:
        services.turn_stop(actor=request.auth, event=event)
    else:
        services.turn_start(actor=request.auth, event=event, candidate_id=payload.candidate,
                            client_id=payload.client_id)
    return _answer(event)
