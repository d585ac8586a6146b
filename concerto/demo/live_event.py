"""Demo: the candidates' TV set at Saint-Jérôme, through the live-event services.

The seven lists (``content.LIVE_CANDIDATES``) get their candidate, tied to the accounts
candidate1@ … candidate7@; the election calendar gets its two rounds. Then two events:

- the first set, held yesterday evening after the last door-to-door afternoons: the 20 workshop
  actions grouped by theme with the resident presenting each, the reply order published a week
  before from a fixed seed, then the show as the facilitator ran it (on air, 7 turns per action
  in the published order, the 140 positions typed as people spoke, audience questions approved,
  shown or set aside) and ended;
- the second set, tomorrow evening: the residents' most supported proposals, its reply order
  published, not started, for anyone to run from the control room with the facilitator's account.

Every act goes through the service the control room uses, so permissions, ``Event.seq``, the live
states and the audit trail are those of a real show. The services stamp "now": the show is played
on a clock set to yesterday evening (``_show_clock``), the way the fieldwork demo passes ``now``
to the sync. The candidates' written reactions have no service in the foundation: they are written
with the ORM, dated before the show.

Everything is drawn from ``rng`` (its own stream: the rest of the demo is unchanged by it).
"""

import datetime as dt
import random
import uuid
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

from django.db.models import Count
from django.utils import timezone

from concerto.campaigns.models import ElectionRound, Phase, PhaseKind
from concerto.live_event import services as live
from concerto.live_event.models import (
    AudienceQuestion,
    Candidate,
    Event,
    EventStatus,
    Position,
    SpeakingTurn,
    Stance,
    WrittenReaction,
)
from concerto.live_event.selectors import speaking_gap, speaking_seconds
from concerto.proposals.models import Action, ActionStatus, Origin

from . import content as c

# The real first round of the 2026 municipal elections; a demo loaded after it takes the first
# Sundays after the synthesis phase, so the vote always follows the consultation.
MUNICIPALES_2026 = (dt.date(2026, 3, 15), dt.date(2026, 3, 22))
SHOW_START = dt.time(18, 30)
SECOND_EVENT_ACTIONS = 10

# Positions and their base weights; each list's leaning on a theme moves weight to commitments.
STANCE_WEIGHTS = {Stance.COMMITS: 2.0, Stance.FAVOURABLE: 3.4, Stance.WITH_CHANGES: 2.0, Stance.RESERVED: 1.5,
                  Stance.UNFAVOURABLE: 0.8, Stance.NO_ANSWER: 0.35}
MIN_NO_ANSWER = 5


class _Clock:
    """A settable "now" for the services while the past show is played."""

    def __init__(self, at):
        self.at = at

    def __call__(self):
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@contextmanager
def _show_clock(at):
    # The services and the audit trail read django.utils.timezone.now: the show happens at its
    # own time. The loader is a one-off command (or a test fixture), never a request in a server.
    clock = _Clock(at)
    with mock.patch("django.utils.timezone.now", clock):
        yield clock


def _uuid(rng: random.Random) -> uuid.UUID:
    # Not drawn from ``rng``: client ids are unique across the database, and a demo campaign renamed
    # in the admin keeps its rows when the demo is loaded again.
    return uuid.uuid4()


def _local(day: dt.date, at: dt.time):
    return timezone.make_aware(dt.datetime.combine(day, at))


def _election_rounds(campaign) -> list[ElectionRound]:
    synthesis = Phase.objects.filter(campaign=campaign, kind=PhaseKind.SYNTHESIS).first()
    after = timezone.localtime(synthesis.ends_at).date() if synthesis else timezone.localdate() + timedelta(days=60)
    if MUNICIPALES_2026[0] > after:
        dates = MUNICIPALES_2026
    else:
        first = after + timedelta(days=(6 - after.weekday()) % 7 or 7)  # the next Sunday
        dates = (first, first + timedelta(days=7))
    return [ElectionRound.objects.create(campaign=campaign, number=n, vote_date=d, polls_close=dt.time(20, 0))
            for n, d in enumerate(dates, 1)]


def _candidates(campaign, organiser, accounts) -> list[Candidate]:
    out = []
    for user, (name, list_name, representative, ballot) in zip(accounts, c.LIVE_CANDIDATES, strict=True):
        out.append(live.candidate_create(
            actor=organiser, campaign=campaign, name=name, list_name=list_name, representative=representative,
            contact_email=f"{_slugify(list_name)}@{c.EMAIL_DOMAIN}", ballot_order=ballot, user=user))
    return out


def _slugify(text: str) -> str:
    from django.utils.text import slugify

    return slugify(text.replace("'", " "))


def _stances(rng, candidates, items, themes) -> dict:
    """(candidate index, item index) → stance, each list leaning by theme; a few "no answer"."""
    stances = {}
    names, base = list(STANCE_WEIGHTS), list(STANCE_WEIGHTS.values())
    for ci, _cand in enumerate(candidates):
        leaning = c.LIVE_LEANINGS[ci]
        for ii, theme in enumerate(themes):
            lean = leaning.get(theme, 1.0)
            weights = [w * lean if s in (Stance.COMMITS, Stance.FAVOURABLE) else
                       w / lean if s in (Stance.RESERVED, Stance.UNFAVOURABLE) else w
                       for s, w in zip(names, base, strict=True)]
            stances[(ci, ii)] = rng.choices(names, weights)[0]
    missing = MIN_NO_ANSWER - sum(1 for s in stances.values() if s == Stance.NO_ANSWER)
    for key in rng.sample(sorted(k for k, s in stances.items() if s != Stance.NO_ANSWER), max(0, missing)):
        stances[key] = Stance.NO_ANSWER
    return stances


def _summary(rng, stance: str, topic: str, ci: int) -> str:
    text = rng.choice(c.LIVE_SUMMARIES[stance]).format(objet=topic, Objet=topic[0].upper() + topic[1:])
    aside = rng.choice(c.LIVE_ASIDES[ci])
    if stance != Stance.NO_ANSWER and rng.random() < 0.55 and len(text) + 1 + len(aside) <= 280:
        text = f"{text} {aside}"
    return text[:280]


def _durations(rng, stances, n_candidates, n_items) -> dict:
    """(candidate index, item index) → seconds spoken. Turns of 20–55 s, shorter for "no answer";
    the facilitator evens them out over the show, so the totals end within about 40 s of each other."""
    heat = [rng.uniform(0.8, 1.25) for _ in range(n_items)]
    raw = {(ci, ii): (rng.uniform(8, 15) if stances[(ci, ii)] == Stance.NO_ANSWER else rng.uniform(22, 50) * heat[ii])
           for ci in range(n_candidates) for ii in range(n_items)}
    totals = [sum(raw[(ci, ii)] for ii in range(n_items)) for ci in range(n_candidates)]
    mean = sum(totals) / n_candidates
    offsets = [rng.uniform(-20, 20) for _ in range(n_candidates)]
    return {(ci, ii): seconds * (mean + offsets[ci]) / totals[ci] for (ci, ii), seconds in raw.items()}


def _past_event(*, campaign, organiser, facilitator, candidates, actions, presenters, askers, rng) -> Event:
    day = timezone.localdate() - timedelta(days=1)
    start = _local(day, SHOW_START)
    items_spec = [(a.pk, presenters[i % len(presenters)]) for i, a in enumerate(actions)]
    with _show_clock(start - timedelta(days=12, hours=-3)) as clock:
        event = live.event_create(actor=organiser, campaign=campaign, title=c.LIVE_TITLES[0], starts_at=start,
                                  place=c.LIVE_PLACE, stream_url=c.LIVE_STREAM_URL, frame_origins=c.LIVE_FRAME_ORIGINS)
        Event.objects.filter(pk=event.pk).update(created_at=clock.at, questions_open=True)
        clock.advance(86400 * 2)
        live.running_order_set(actor=organiser, event=event, items=items_spec)
        clock.advance(86400 * 3)  # published a week before the show
        live.event_order_publish(actor=organiser, event=event, seed=c.LIVE_ORDER_SEED)
        event.refresh_from_db()
        _written_reactions(candidates, {a.pk: a for a in actions}, clock.at, rng)

        clock.at = start - timedelta(minutes=2)
        live.event_start(actor=facilitator, event=event)
        clock.advance(150)  # the welcome and the rules of the set
        items = list(event.items.order_by("position").select_related("action"))
        by_id = {cand.pk: ci for ci, cand in enumerate(candidates)}
        themes = [a.theme.slug if a.theme else "" for a in (i.action for i in items)]
        stances = _stances(rng, candidates, items, themes)
        durations = _durations(rng, stances, len(candidates), len(items))
        keys = {a.pk: wa.key for a, wa in zip(actions, c.WORKSHOP_ACTIONS, strict=True)}
        questions = {key: [q for q in c.LIVE_QUESTIONS if q[1] == key] for key in keys.values()}
        stray = [q for q in c.LIVE_QUESTIONS if q[1] is None]
        for ii, item in enumerate(items):
            key = keys[item.action_id]
            topic, improvements = c.LIVE_TOPICS[key]
            live.on_air_set(actor=facilitator, event=event, item_id=item.pk)
            clock.advance(rng.uniform(50, 85))  # the resident presents the action
            asked = [(q, _ask(event, askers, q[0], item.pk, rng)) for q in questions[key]]
            if ii == 4 and stray:
                asked += [(q, _ask(event, askers, q[0], None, rng)) for q in stray]
            for fate, question in ((q[2], question) for q, question in asked):
                clock.advance(rng.uniform(5, 20))
                live.question_decide(actor=facilitator, event=event, question_id=question.pk,
                                     approve=fate != "rejected")
            previous = None
            for candidate_id in item.reply_order:
                ci = by_id[candidate_id]
                clock.advance(rng.uniform(1.5, 4))
                live.turn_start(actor=facilitator, event=event, candidate_id=candidate_id, client_id=_uuid(rng))
                seconds = durations[(ci, ii)]
                if previous is not None:  # typed while the next one speaks
                    typing = min(6.0, seconds / 3)
                    clock.advance(typing)
                    _position(facilitator, event, item, candidates[previous], previous, stances[(previous, ii)],
                              topic, improvements, rng)
                    clock.advance(seconds - typing)
                else:
                    clock.advance(seconds)
                previous = ci
            live.turn_stop(actor=facilitator, event=event)
            clock.advance(rng.uniform(3, 6))
            _position(facilitator, event, item, candidates[previous], previous, stances[(previous, ii)], topic,
                      improvements, rng)
            for (_text, _key, fate), question in asked:
                if fate == "shown":  # the facilitator reads it out; the candidates answered in their turns
                    live.question_show(actor=facilitator, event=event, question_id=question.pk)
                    clock.advance(rng.uniform(20, 35))
                    live.question_show(actor=facilitator, event=event, question_id=None)
            clock.advance(rng.uniform(15, 30))  # thanks, and the next resident comes to the desk
        live.on_air_set(actor=facilitator, event=event, item_id=None)
        clock.advance(180)  # the closing words
        live.event_end(actor=facilitator, event=event)
    event.refresh_from_db()
    return event


def _ask(event, askers, text, item_id, rng) -> AudienceQuestion:
    question, _created = live.question_submit(actor=rng.choice(askers), event=event, text=text,
                                              client_id=_uuid(rng), item_id=item_id)
    return question


def _position(facilitator, event, item, candidate, ci, stance, topic, improvements, rng) -> None:
    improvement = ""
    if stance == Stance.WITH_CHANGES or (stance in (Stance.COMMITS, Stance.FAVOURABLE) and rng.random() < 0.12):
        improvement = rng.choice(improvements)
    live.position_record(actor=facilitator, event=event, item_id=item.pk, candidate_id=candidate.pk, stance=stance,
                         summary=_summary(rng, stance, topic, ci), improvement=improvement, client_id=_uuid(rng))


def _written_reactions(candidates, actions_by_id, at, rng) -> None:
    keys = {wa.key: pk for pk, wa in zip(actions_by_id, c.WORKSHOP_ACTIONS, strict=True)}
    rows = []
    for ci, key, stance, text in c.LIVE_WRITTEN:
        when = at + timedelta(hours=rng.uniform(2, 120))
        rows.append(WrittenReaction(candidate=candidates[ci], action_id=keys[key], stance=stance, text=text,
                                    created_at=when, updated_at=when))
    WrittenReaction.objects.bulk_create(rows)


def _next_event(*, campaign, organiser, askers) -> Event:
    """Tomorrow evening: the residents' most supported proposals, the reply order published."""
    start = _local(timezone.localdate() + timedelta(days=1), SHOW_START)
    event = live.event_create(actor=organiser, campaign=campaign, title=c.LIVE_TITLES[1], starts_at=start,
                              place=c.LIVE_PLACE, stream_url=c.LIVE_STREAM_URL, frame_origins=c.LIVE_FRAME_ORIGINS)
    Event.objects.filter(pk=event.pk).update(questions_open=True)
    proposals = list(Action.objects.filter(campaign=campaign, status=ActionStatus.PUBLISHED)
                     .exclude(origin=Origin.WORKSHOP).select_related("theme", "author")
                     .order_by("-support_count", "pk")[:SECOND_EVENT_ACTIONS])
    proposals.sort(key=lambda a: (a.theme.position if a.theme else 99, -a.support_count, a.pk))
    live.running_order_set(actor=organiser, event=event,
                           items=[(a.pk, a.author.public_name if a.author else "") for a in proposals])
    live.event_order_publish(actor=organiser, event=event, seed=c.LIVE_ORDER_SEED.replace("-1", "-2"))
    event.refresh_from_db()
    return event


def load_live_event(*, campaign, organiser, facilitator, candidate_accounts, workshop_actions, presenters,
                    askers, rng: random.Random) -> dict:
    """Candidates, calendar, the set held yesterday and the one of tomorrow. ``workshop_actions``:
    the 20 actions in ``content.WORKSHOP_ACTIONS`` order (grouped by theme already)."""
    rounds = _election_rounds(campaign)
    candidates = _candidates(campaign, organiser, candidate_accounts)
    held = _past_event(campaign=campaign, organiser=organiser, facilitator=facilitator, candidates=candidates,
                       actions=workshop_actions, presenters=presenters, askers=askers, rng=rng)
    upcoming = _next_event(campaign=campaign, organiser=organiser, askers=askers)
    return {"rounds": rounds, "candidates": candidates, "held": held, "upcoming": upcoming}


def live_figures(campaign) -> dict:
    """The demo's live-event figures, for the summary of ``load_demo``."""
    events = list(Event.objects.filter(campaign=campaign).order_by("starts_at"))
    held = next((e for e in events if e.status == EventStatus.ENDED), None)
    upcoming = next((e for e in events if e.status == EventStatus.SCHEDULED), None)
    positions = Position.objects.filter(item__event__campaign=campaign)
    gap = speaking_gap(speaking_seconds(held)) if held else 0.0
    return {
        "live_candidates": Candidate.objects.filter(campaign=campaign).count(),
        "live_positions": positions.count(),
        "live_no_answer": positions.filter(stance=Stance.NO_ANSWER).count(),
        "live_improvements": positions.exclude(improvement="").count(),
        "live_written": WrittenReaction.objects.filter(candidate__campaign=campaign).count(),
        "live_turns": SpeakingTurn.objects.filter(event__campaign=campaign).count(),
        "live_questions": dict(AudienceQuestion.objects.filter(event__campaign=campaign).values_list("status")
                               .annotate(n=Count("id")).order_by()),
        "live_gap": round(gap, 1),
        "live_held": None if held is None else {"id": held.pk, "title": held.title, "started_at": held.started_at,
                                                "ended_at": held.ended_at, "seed": held.order_seed},
        "live_next": None if upcoming is None else {"id": upcoming.pk, "title": upcoming.title,
                                                    "starts_at": upcoming.starts_at, "seed": upcoming.order_seed,
                                                    "items": upcoming.items.count()},
        "election_rounds": [r.vote_date for r in ElectionRound.objects.filter(campaign=campaign).order_by("number")],
    }
