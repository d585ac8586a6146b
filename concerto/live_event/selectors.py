"""Reads about the live event, built for the pages and the live states that use them.

Sections: lookups; the live states (public and control room); speaking time. Each later part of
the app adds its own section below.

The public state is what every public screen shows (live page, overlays): it carries everything
(the action on air, who speaks and since when, the matrix of positions, the totals, the question on
screen) with its number ``seq``, so a screen that reloads or missed messages is whole again from a
single state. Labels are not in it: each page carries its own translated labels for the codes.
"""

from datetime import timedelta

from django.utils import timezone

from concerto.campaigns.selectors import election_freeze
from concerto.proposals import selectors as proposal_selectors

from .errors import EventNotFound
from .models import (
    AirSpan,
    AudienceQuestion,
    Candidate,
    Event,
    EventStatus,
    Position,
    QuestionStatus,
    RunningItem,
    SpeakingTurn,
    WrittenReaction,
)


def topic(event) -> str:
    return f"event:{event.pk}"


def room_topic(event) -> str:
    return f"eventroom:{event.pk}"


# --- Lookups ------------------------------------------------------------------------------------

def event_get(campaign, event_id) -> Event:
    try:
        pk = int(event_id)
    except (TypeError, ValueError):
        raise EventNotFound() from None
    event = Event.objects.filter(campaign=campaign, pk=pk).select_related("campaign", "on_air").first()
    if event is None:
        raise EventNotFound()
    return event


def event_list(campaign) -> list[Event]:
    return list(Event.objects.filter(campaign=campaign).order_by("starts_at", "id"))


def event_current(campaign) -> Event | None:
    """The event the live page shows: the one on air, else the next scheduled, else the last ended."""
    events = event_list(campaign)
    for e in events:
        if e.status == EventStatus.ON_AIR:
            return e
    now = timezone.now()
    upcoming = [e for e in events if e.status == EventStatus.SCHEDULED and e.starts_at >= now - timedelta(hours=12)]
    if upcoming:
        return upcoming[0]
    ended = [e for e in events if e.status == EventStatus.ENDED]
    return ended[-1] if ended else (events[-1] if events else None)


def candidate_list(campaign) -> list[Candidate]:
    """In the order of the official panel: every page lists the candidates in this order."""
    return list(Candidate.objects.filter(campaign=campaign).order_by("ballot_order", "id"))


def candidate_of(user, campaign) -> Candidate | None:
    if user is None or not user.is_authenticated:
        return None
    return Candidate.objects.filter(campaign=campaign, user=user).first()


def running_items(event) -> list[RunningItem]:
    return list(RunningItem.objects.filter(event=event).select_related("action", "action__theme").order_by("position"))


# --- Speaking time ------------------------------------------------------------------------------

def speaking_seconds(event, now=None) -> dict[int, dict]:
    """Per candidate id: ``total`` seconds (the running turn counted up to ``now``) and ``by_item``
    (item id → seconds). Every candidate of the campaign appears, with 0 when they did not speak."""
    now = now or timezone.now()
    out = {c: {"total": 0.0, "by_item": {}} for c in Candidate.objects.filter(campaign_id=event.campaign_id)
           .values_list("pk", flat=True)}
    for t in SpeakingTurn.objects.filter(event=event).only("candidate_id", "item_id", "started_at", "ended_at"):
        seconds = max(0.0, ((t.ended_at or now) - t.started_at).total_seconds())
        row = out.setdefault(t.candidate_id, {"total": 0.0, "by_item": {}})
        row["total"] += seconds
        row["by_item"][t.item_id] = row["by_item"].get(t.item_id, 0.0) + seconds
    return out


def speaking_gap(totals: dict[int, dict]) -> float:
    """Seconds between the most and the least exposed candidate."""
    values = [row["total"] for row in totals.values()]
    return (max(values) - min(values)) if values else 0.0


# --- The live states ----------------------------------------------------------------------------

def _iso(dt) -> str | None:
    return dt.isoformat() if dt else None


def event_public_state(event, now=None) -> dict:
    """The full public state of the set (JSON-serialisable), numbered by ``event.seq``.

    During the eve-of-vote freeze positions recorded after the freeze began are left out (no new
    reaction is shown), and ``frozen`` says so."""
    now = now or timezone.now()
    freeze = election_freeze(event.campaign, now)
    freeze_start = freeze.freeze_window()[0] if freeze else None
    items = running_items(event)
    candidates = candidate_list(event.campaign)
    positions_q = Position.objects.filter(item__event=event)
    if freeze_start is not None:
        positions_q = positions_q.filter(recorded_at__lt=freeze_start)
    positions: dict[str, dict] = {}
    for p in positions_q.only("item_id", "candidate_id", "stance", "summary", "improvement"):
        cell = {"stance": p.stance}
        # What was said travels for the action on air only: every state goes to every viewer, and
        # 140 summaries would make each one some 30 KB (the matrix shows the stance alone).
        if p.item_id == event.on_air_id:
            cell["summary"] = p.summary
        positions.setdefault(str(p.item_id), {})[str(p.candidate_id)] = cell
    turn = SpeakingTurn.objects.filter(event=event, ended_at__isnull=True).first()
    totals = speaking_seconds(event, now)
    on_air = next((i for i in items if i.pk == event.on_air_id), None)
    span = AirSpan.objects.filter(event=event, ended_at__isnull=True).first() if on_air else None
    question = (AudienceQuestion.objects.filter(event=event, status=QuestionStatus.APPROVED, shown_at__isnull=False)
                .order_by("-shown_at").first())
    return {
        "seq": event.seq,
        "now": _iso(now),
        "status": event.status,
        "frozen": freeze is not None,
        "event": {"id": event.pk, "title": event.title},
        "candidates": [{"id": c.pk, "name": c.name, "list": c.list_name, "representative": c.representative}
                       for c in candidates],
        "items": [{"id": i.pk, "position": i.position, "action": i.action_id, "title": i.action.title,
                   "theme": i.action.theme.name if i.action.theme else "", "presenter": i.presenter,
                   "reply_order": i.reply_order} for i in items],
        "on_air": None if on_air is None else {
            "item": on_air.pk, "action": on_air.action_id, "title": on_air.action.title,
            "theme": on_air.action.theme.name if on_air.action.theme else "", "presenter": on_air.presenter,
            "supports": on_air.action.support_count, "reply_order": on_air.reply_order,
            "since": _iso(span.started_at if span else None)},
        "speaking": None if turn is None else {"candidate": turn.candidate_id, "since": _iso(turn.started_at)},
        # Closed turns only; a screen adds the running turn from ``speaking.since`` and ``now``.
        "totals": {str(c): round(row["total"] - ((now - turn.started_at).total_seconds()
                                                  if turn and turn.candidate_id == c else 0), 1)
                   for c, row in totals.items()},
        "positions": positions,
        "question": None if question is None else {"id": question.pk, "text": question.text,
                                                   "item": question.item_id},
    }


def event_room_state(event, now=None) -> dict:
    """What the control room adds to the public state: the gap against the target, questions waiting."""
    now = now or timezone.now()
    totals = speaking_seconds(event, now)
    return {
        "seq": event.seq,
        "now": _iso(now),
        "gap": round(speaking_gap(totals), 1),
        "target_gap": event.target_gap_seconds,
        "questions_waiting": AudienceQuestion.objects.filter(event=event, status=QuestionStatus.PENDING).count(),
        # Per action, finished turns only (control room section below).
        "item_totals": speaking_closed_by_item(event),
    }


def positions_matrix(event) -> dict[tuple[int, int], Position]:
    """(item id, candidate id) → position, for pages that render the matrix on the server."""
    return {(p.item_id, p.candidate_id): p for p in Position.objects.filter(item__event=event)}


# --- Control room -------------------------------------------------------------------------------

def control_questions(event, item_id=None) -> list[AudienceQuestion]:
    """The audience questions the facilitator still has to handle: waiting ones (approve or set
    aside) and approved ones (show, take off screen), oldest first; ``item_id`` keeps one action's."""
    questions = (AudienceQuestion.objects.filter(event=event, status__in=[QuestionStatus.PENDING,
                                                                          QuestionStatus.APPROVED])
                 .select_related("item", "item__action").order_by("created_at", "id"))
    if item_id is not None:
        questions = questions.filter(item_id=item_id)
    return list(questions)


def speaking_closed_by_item(event) -> dict[str, dict[str, float]]:
    """Item id → candidate id → seconds of finished turns (the control room adds the running turn
    itself, from ``speaking.since``, so that its clocks tick without a message a second)."""
    out: dict[str, dict[str, float]] = {}
    for t in SpeakingTurn.objects.filter(event=event, ended_at__isnull=False).only(
            "candidate_id", "item_id", "started_at", "ended_at"):
        row = out.setdefault(str(t.item_id or ""), {})
        row[str(t.candidate_id)] = round(row.get(str(t.candidate_id), 0.0)
                                         + max(0.0, (t.ended_at - t.started_at).total_seconds()), 1)
    return out


# --- Figures and the public matrix (stats, API) -------------------------------------------------

def live_event_figures(campaign) -> dict:
    """The campaign's figures for the stats, in one query: the lists standing, and their reactions
    (positions recorded on the set plus the candidates' written reactions)."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from concerto.campaigns.models import Campaign

    from .models import WrittenReaction

    def count(qs, by):
        per_campaign = qs.filter(**{by: OuterRef("pk")}).order_by().values(by).annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(per_campaign, output_field=IntegerField()), Value(0))

    row = Campaign.objects.filter(pk=campaign.pk).annotate(
        lists=count(Candidate.objects.all(), "campaign"),
        positions=count(Position.objects.all(), "item__event__campaign"),
        written=count(WrittenReaction.objects.all(), "candidate__campaign"),
    ).values("lists", "positions", "written").first() or {"lists": 0, "positions": 0, "written": 0}
    return {"candidates": row["lists"], "reactions": row["positions"] + row["written"]}


def public_positions(event, now=None) -> list[Position]:
    """The positions every visitor may read, in running order then panel order: during the
    eve-of-vote freeze, those recorded after it began are left out (as in ``event_public_state``)."""
    freeze = election_freeze(event.campaign, now or timezone.now())
    qs = Position.objects.filter(item__event=event).select_related("item", "candidate")
    if freeze is not None:
        qs = qs.filter(recorded_at__lt=freeze.freeze_window()[0])
    return list(qs.order_by("item__position", "candidate__ballot_order", "candidate_id"))


# --- Set-up: candidates, the published order, written reactions -------------------------------

def candidate_get(campaign, candidate_id) -> Candidate:
    try:
        pk = int(candidate_id)
    except (TypeError, ValueError):
        raise EventNotFound() from None
    candidate = Candidate.objects.filter(campaign=campaign, pk=pk).select_related("user").first()
    if candidate is None:
        raise EventNotFound()
    return candidate


def candidates_with_records(campaign) -> set[int]:
    """Candidates that can no longer be removed (positions, speaking time or a published order)."""
    ids = set(Position.objects.filter(candidate__campaign=campaign).values_list("candidate_id", flat=True))
    ids |= set(SpeakingTurn.objects.filter(candidate__campaign=campaign).values_list("candidate_id", flat=True))
    for reply in RunningItem.objects.filter(event__campaign=campaign, event__order_published_at__isnull=False
                                            ).values_list("reply_order", flat=True):
        ids |= set(reply or [])
    return ids


def published_order(event) -> dict:
    """The published reply order as a table: each action with its candidates in reply order, and per
    candidate how often they reply first and last (the fairness anyone can check)."""
    items = running_items(event)
    candidates = candidate_list(event.campaign)
    by_id = {c.pk: c for c in candidates}
    rows = [{"item": i, "replies": [by_id[c] for c in i.reply_order if c in by_id]} for i in items]
    counts = {c.pk: {"candidate": c, "first": 0, "last": 0} for c in candidates}
    for row in rows:
        if row["replies"]:
            counts[row["replies"][0].pk]["first"] += 1
            counts[row["replies"][-1].pk]["last"] += 1
    return {"rows": rows, "candidates": candidates, "counts": list(counts.values()),
            "verify": f"python -m concerto.live_event.order {event.order_seed} {len(items)} "
                      + " ".join(f'"{c.name}"' for c in candidates)}


def reaction_actions(campaign, event=None) -> list:
    """What a candidate reacts to in writing: the running order of ``event`` (the next or current
    event when not given) in show order, else every published action of the campaign by theme."""
    event = event or event_current(campaign)
    if event is not None:
        ids = list(RunningItem.objects.filter(event=event).order_by("position").values_list("action_id", flat=True))
        if ids:
            actions = proposal_selectors.published_actions_by_id(campaign, ids)
            return [actions[i] for i in ids if i in actions]
    return published_actions(campaign)


def published_actions(campaign) -> list:
    """Every published action of the campaign, by theme then title (the running order's choices)."""
    actions = list(proposal_selectors.action_list(campaign, status="published"))
    return sorted(actions, key=lambda a: (a.theme.name if a.theme else "", a.title.lower()))


def reactions_of(candidate) -> dict[int, WrittenReaction]:
    return {r.action_id: r for r in WrittenReaction.objects.filter(candidate=candidate)}


def written_reactions_for_action(action) -> list[dict]:
    """Every candidate of the campaign, in panel order, with their written reaction or None (the page
    says « no written answer » explicitly: the same line for everyone)."""
    candidates = candidate_list(action.campaign)
    if not candidates:
        return []
    found = {r.candidate_id: r for r in WrittenReaction.objects.filter(action=action)}
    return [{"candidate": c, "reaction": found.get(c.pk)} for c in candidates]


def action_reactions_section(action) -> dict | None:
    """For ``proposals.selectors.register_action_section``: every candidate's written reaction, in
    panel order, on the action's page; nothing when the campaign has no candidate."""
    rows = written_reactions_for_action(action)
    if not rows:
        return None
    key = tuple((r["candidate"].pk, r["candidate"].name, r["candidate"].list_name,
                 *((r["reaction"].stance, r["reaction"].text, r["reaction"].improvement) if r["reaction"] else ()))
                for r in rows)
    return {"template": "live_event/_written_reactions.html", "context": {"rows": rows}, "key": key}


# -- synthesis: amend --

def improvements(campaign) -> list[dict]:
    """Every improvement a candidate suggested, said on the set (a recorded position) or written (a
    written reaction), for the synthesis's amendments: one dict each, oldest first."""
    found = []
    for p in (Position.objects.filter(item__event__campaign=campaign).exclude(improvement="")
              .select_related("item").order_by("recorded_at", "pk")):
        found.append({"source": "live", "position_id": p.pk, "written_reaction_id": None,
                      "candidate_id": p.candidate_id, "action_id": p.item.action_id,
                      "text": p.improvement.strip(), "at": p.recorded_at})
    for r in (WrittenReaction.objects.filter(candidate__campaign=campaign).exclude(improvement="")
              .order_by("created_at", "pk")):
        found.append({"source": "written", "position_id": None, "written_reaction_id": r.pk,
                      "candidate_id": r.candidate_id, "action_id": r.action_id,
                      "text": r.improvement.strip(), "at": r.created_at})
    return [f for f in found if f["text"] and f["action_id"]]


# -- synthesis opendata: written reactions for the public positions page and the open data --------

def public_written_reactions(campaign, now=None) -> list[WrittenReaction]:
    """Every written reaction of the campaign's candidates, in panel order then by action; during the
    eve-of-vote freeze, those written or changed after it began are left out (as positions are)."""
    freeze = election_freeze(campaign, now or timezone.now())
    qs = WrittenReaction.objects.filter(candidate__campaign=campaign).select_related("candidate")
    if freeze is not None:
        qs = qs.filter(updated_at__lt=freeze.freeze_window()[0])
    return list(qs.order_by("candidate__ballot_order", "candidate_id", "action_id"))


# -- dashboard --


def action_reactions_trace(action, now=None) -> dict:
    """The candidates' reactions to one action, for its public trace page: every candidate of the
    campaign in panel order with the position recorded on the set (the latest event's; the
    eve-of-vote freeze applies as on the positions page) and their written reaction, or None for
    each; the events where the action went on the set; the replay links. Four queries and the
    replay's."""
    from .report import action_replay_links

    campaign = action.campaign
    candidates = candidate_list(campaign)
    freeze = election_freeze(campaign, now or timezone.now())
    positions = Position.objects.filter(item__action_id=action.pk, item__event__campaign_id=campaign.pk)
    if freeze is not None:
        positions = positions.filter(recorded_at__lt=freeze.freeze_window()[0])
    said: dict[int, Position] = {}
    for p in positions.select_related("item__event").order_by("item__event__starts_at", "recorded_at", "pk"):
        said[p.candidate_id] = p  # the latest event's wins
    written = {r.candidate_id: r for r in WrittenReaction.objects.filter(action_id=action.pk)}
    events = list(Event.objects.filter(campaign=campaign, items__action_id=action.pk).distinct()
                  .order_by("starts_at", "pk").values("pk", "title", "starts_at", "started_at", "status"))
    rows = [{"candidate": c, "position": said.get(c.pk), "written": written.get(c.pk)} for c in candidates]
    return {"rows": rows, "events": events, "replays": action_replay_links(action) if events else [],
            "positions": sum(1 for r in rows if r["position"] is not None),
            "written": sum(1 for r in rows if r["written"] is not None)}


# -- dashboard: the live audience peak --
# The stream hub tells ``live.record_watchers`` how many viewers of ``event:<id>`` (the live page and
# the overlays) one stream process holds each time one more connects; the highest is kept in the
# cache, never a viewer's identity. Several stream processes: each counts its own, so the record is
# a lower bound of the true peak. The cache may be emptied (a Redis flush): the figure is then gone.

AUDIENCE_KEY = "live_event:audience_peak:{}"


def audience_peak_record(ident: str, count: int) -> None:
    from django.core.cache import cache

    if not str(ident).isdigit():
        return
    key = AUDIENCE_KEY.format(int(ident))
    known = cache.get(key)
    if known is None or count > known["peak"]:
        cache.set(key, {"peak": count, "at": timezone.now().isoformat()}, timeout=None)


def audience_peak(campaign) -> dict | None:
    """The highest audience recorded for one of the campaign's events: ``{"peak", "at", "event"}``
    or None when nothing was recorded. One query and one cache round trip."""
    from django.core.cache import cache
    from django.utils.dateparse import parse_datetime

    events = {e.pk: e for e in Event.objects.filter(campaign=campaign).only("pk", "title", "starts_at")}
    if not events:
        return None
    found = cache.get_many([AUDIENCE_KEY.format(pk) for pk in events])
    best = None
    for pk, event in events.items():
        record = found.get(AUDIENCE_KEY.format(pk))
        if record and (best is None or record["peak"] > best["peak"]):
            best = {"peak": record["peak"], "at": parse_datetime(record["at"]), "event": event.title}
    return best


# --- Speaking turns (the facilitators' corrections page) -----------------------------------------

def turn_list(event, now=None) -> list[dict]:
    """The set's speaking turns in the order they were taken, each with its number (1, 2, …), the
    candidate timed, the action on air then and its length (the running turn counted up to ``now``)."""
    now = now or timezone.now()
    turns = (SpeakingTurn.objects.filter(event=event).select_related("candidate", "item", "item__action")
             .order_by("started_at", "pk"))
    return [{"n": n, "turn": t, "candidate": t.candidate, "item": t.item, "running": t.ended_at is None,
             "seconds": max(0.0, ((t.ended_at or now) - t.started_at).total_seconds())}
            for n, t in enumerate(turns, 1)]
