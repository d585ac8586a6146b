"""The demo's TV set: the 7 lists and their accounts, the set held yesterday (140 positions, speaking
time within the equal-time gap, questions, replay chapters), the one of tomorrow ready to run, the
election calendar after the consultation, and the figures the stats and the summary show."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from concerto.api.tests.conftest import Api, token_for
from concerto.campaigns.models import Campaign, ElectionRound, Phase, PhaseKind
from concerto.campaigns.selectors import election_freeze
from concerto.dashboard.selectors import campaign_stats
from concerto.demo.management.commands import load_demo
from concerto.demo.services import SLUG, DemoResult
from concerto.fieldwork.models import Visit
from concerto.live_event import order, selectors, services
from concerto.live_event.models import (
    AirSpan,
    AudienceQuestion,
    Candidate,
    Event,
    EventStatus,
    Position,
    QuestionStatus,
    SpeakingTurn,
    Stance,
    WrittenReaction,
)
from concerto.residents.models import Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(demo, db):
    return Campaign.objects.get(slug=SLUG)


@pytest.fixture
def held(campaign):
    return Event.objects.get(campaign=campaign, status=EventStatus.ENDED)


@pytest.fixture
def upcoming(campaign):
    return Event.objects.get(campaign=campaign, status=EventStatus.SCHEDULED)


def test_seven_lists_each_with_its_candidate_account(campaign):
    candidates = selectors.candidate_list(campaign)
    assert len(candidates) == 7
    assert [c.ballot_order for c in candidates] == list(range(1, 8))
    assert all(c.contact_email.endswith("@example.org") for c in candidates)
    assert any(c.representative for c in candidates) and any(not c.representative for c in candidates)
    emails = {c.user.email for c in candidates}
    assert emails == {f"candidate{i}@example.org" for i in range(1, 8)}
    for c in candidates:
        assert c.user.check_password("concerto-demo")
        assert c.user.memberships.filter(campaign=campaign, role=Role.CANDIDATE).exists()


def test_the_facilitator_account_runs_the_set(campaign):
    julien = User.objects.get(email="animateur@example.org")
    assert julien.memberships.filter(campaign=campaign, role=Role.FACILITATOR).exists()
    assert julien.check_password("concerto-demo")


def test_the_held_set_every_action_has_seven_positions(campaign, held):
    items = selectors.running_items(held)
    assert len(items) == 20
    # Grouped by theme: a theme never comes back once the next one started.
    themes = [i.action.theme_id for i in items]
    assert len(set(themes)) == len([t for n, t in enumerate(themes) if n == 0 or themes[n - 1] != t])
    assert all(i.presenter for i in items)
    assert Position.objects.filter(item__event=held).count() == 140
    per_item = dict(Position.objects.filter(item__event=held).values_list("item").annotate(n=Count("id")))
    assert per_item == {i.pk: 7 for i in items}
    stances = set(Position.objects.filter(item__event=held).values_list("stance", flat=True))
    assert stances == set(Stance.values)  # every position occurs, « no answer » included
    positions = Position.objects.filter(item__event=held)
    assert all(p.summary and len(p.summary) <= 280 for p in positions)
    assert positions.values("summary").distinct().count() >= 110  # varied, not one sentence
    assert positions.exclude(improvement="").count() >= 20
    assert not positions.filter(stance=Stance.WITH_CHANGES, improvement="").exists()


def test_the_held_set_happened_yesterday_evening_after_the_door_to_door_rounds(campaign, held):
    now = timezone.now()
    assert held.started_at < held.ended_at < now
    assert (held.ended_at - held.started_at).total_seconds() < 3.5 * 3600
    assert held.order_published_at < held.started_at - timezone.timedelta(days=5)
    assert held.on_air is None and held.seq > 300
    door = Phase.objects.get(campaign=campaign, kind=PhaseKind.DOOR_TO_DOOR)
    assert door.starts_at < held.started_at
    last_visit = Visit.objects.filter(campaign=campaign).order_by("-captured_at").values_list("captured_at", flat=True)
    assert last_visit[0] < held.started_at
    positions = Position.objects.filter(item__event=held)
    assert not positions.filter(recorded_at__lt=held.started_at).exists()
    assert not positions.filter(recorded_at__gt=held.ended_at).exists()
    written = WrittenReaction.objects.filter(candidate__campaign=campaign)
    assert written.count() >= 5 and not written.filter(created_at__gte=held.started_at).exists()


def test_the_published_order_is_the_seeded_latin_square(held, campaign):
    items = selectors.running_items(held)
    panel = [c.pk for c in selectors.candidate_list(campaign)]
    assert [i.reply_order for i in items] == order.reply_orders(held.order_seed, panel, len(items))
    firsts = [i.reply_order[0] for i in items]
    assert max(firsts.count(c) for c in panel) - min(firsts.count(c) for c in panel) <= 1


def test_speaking_time_ends_within_the_equal_time_gap(held):
    totals = selectors.speaking_seconds(held)
    assert len(totals) == 7
    assert selectors.speaking_gap(totals) <= held.target_gap_seconds == 60
    assert all(row["total"] > 10 * 60 for row in totals.values())  # each list spoke over ten minutes
    turns = SpeakingTurn.objects.filter(event=held)
    assert turns.count() == 140 and not turns.filter(ended_at__isnull=True).exists()
    assert all(5 <= (t.ended_at - t.started_at).total_seconds() <= 90 for t in turns)
    # Each candidate spoke on each action, in the published order.
    for item in selectors.running_items(held):
        spoken = list(turns.filter(item=item).order_by("started_at").values_list("candidate_id", flat=True))
        assert spoken == item.reply_order


def test_replay_chapters_and_audience_questions(held):
    spans = AirSpan.objects.filter(event=held)
    assert spans.count() == 20 and not spans.filter(ended_at__isnull=True).exists()
    questions = AudienceQuestion.objects.filter(event=held)
    assert questions.filter(status=QuestionStatus.REJECTED).exists()
    assert questions.filter(status=QuestionStatus.APPROVED).count() >= 3
    assert not questions.filter(status=QuestionStatus.PENDING).exists()
    assert not questions.filter(shown_at__isnull=False).exists()  # nothing left on screen after the show


def test_the_next_set_is_scheduled_with_its_published_order(upcoming, campaign):
    assert upcoming.starts_at > timezone.now()
    assert upcoming.started_at is None and upcoming.seq > 0
    assert upcoming.order_published_at is not None and upcoming.order_seed
    items = selectors.running_items(upcoming)
    assert len(items) >= 8 and all(len(i.reply_order) == 7 for i in items)
    assert not Position.objects.filter(item__event=upcoming).exists()
    assert selectors.event_current(campaign) == upcoming


def test_a_facilitator_can_run_the_next_set(upcoming, campaign):
    julien = User.objects.get(email="animateur@example.org")
    services.event_start(actor=julien, event=upcoming)
    services.on_air_step(actor=julien, event=upcoming, step=1)
    upcoming.refresh_from_db()
    first = selectors.running_items(upcoming)[0]
    services.turn_start(actor=julien, event=upcoming, candidate_id=first.reply_order[0],
                        client_id="7f0c1a52-8c1b-4a0e-9d4e-3c2b1a0f9e8d")
    state = selectors.event_public_state(Event.objects.get(pk=upcoming.pk))
    assert state["status"] == "on_air" and state["on_air"]["item"] == first.pk
    assert state["speaking"]["candidate"] == first.reply_order[0]


def test_the_election_follows_the_consultation(campaign):
    rounds = list(ElectionRound.objects.filter(campaign=campaign).order_by("number"))
    assert [r.number for r in rounds] == [1, 2]
    assert all(r.vote_date.weekday() == 6 for r in rounds)
    assert (rounds[1].vote_date - rounds[0].vote_date).days == 7
    synthesis = Phase.objects.get(campaign=campaign, kind=PhaseKind.SYNTHESIS)
    assert rounds[0].freeze_window()[0] >= synthesis.ends_at
    assert election_freeze(campaign) is None


def test_stats_count_the_lists_and_their_reactions(campaign, demo, client):
    stats = campaign_stats(campaign)
    assert stats["candidates"] == 7
    assert stats["reactions"] >= 140
    assert stats["reactions"] == Position.objects.filter(item__event__campaign=campaign).count() + \
        WrittenReaction.objects.filter(candidate__campaign=campaign).count()
    body = Api(client).get(f"/campaigns/{SLUG}/stats").json()
    assert body["candidates"] == 7 and body["reactions"] >= 140
    assert demo.counts["live_candidates"] == 7 and demo.counts["live_positions"] == 140


def test_the_api_serves_the_held_set(campaign, held, client):
    api = Api(client)
    assert len(api.get(f"/campaigns/{SLUG}/candidates").json()) == 7
    matrix = api.get(f"/campaigns/{SLUG}/events/{held.pk}/positions").json()
    assert len(matrix["items"]) == 20 and all(len(row["positions"]) == 7 for row in matrix["items"])
    julien = User.objects.get(email="animateur@example.org")
    answer = api.post(f"/campaigns/{SLUG}/events/{held.pk}/on-air", {"step": "next"}, token=token_for(julien))
    assert answer.status_code == 400 and answer.json()["code"] == "event_ended"


def test_the_summary_tells_the_live_event_in_french(demo, held, upcoming, monkeypatch):
    monkeypatch.setattr(load_demo, "demo_load", lambda reset=False: DemoResult(True, demo.counts, 1.0))
    out = StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert "Plateau en direct : 7 listes" in text and "140 positions" in text
    assert f"/c/{SLUG}/direct/{held.pk}/ordre/" in text
    assert f"Prochain plateau, à animer depuis la régie : « {upcoming.title} »" in text
    assert f"/c/{SLUG}/direct/{upcoming.pk}/regie/" in text
    assert Candidate.objects.filter(campaign__slug=SLUG).count() == 7
