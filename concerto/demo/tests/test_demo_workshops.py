"""The demo's workshops: two held and closed (the 20 workshop actions came out of them), one planned.

Loaded once for the module (``conftest.demo``), checked from the rows."""

import uuid
from collections import Counter

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from concerto.campaigns.models import Campaign
from concerto.campaigns.models import Phase as CampaignPhase
from concerto.core.models import AuditEntry
from concerto.dashboard.selectors import campaign_stats
from concerto.demo import workshops as demo_workshops
from concerto.demo.services import SLUG
from concerto.proposals.models import Action, ActionStatus, Origin
from concerto.residents.models import User
from concerto.selection.models import SeatStatus
from concerto.workshops import selectors, services
from concerto.workshops.models import (
    ROOM_CODE_ALPHABET,
    ActionSheet,
    Attendance,
    AttendeeSource,
    Dot,
    Idea,
    Phase,
    Prompt,
    Rsvp,
    SheetStatus,
    WallTheme,
    Workshop,
)

# Audit entries written before the workshop (invitations and answers); all others during it.
BEFORE = {"workshops.attendee.listed", "workshops.invitation.sent", "workshops.attendee.answered",
          "workshops.invitation.reminded"}


@pytest.fixture
def campaign(demo, db):
    return Campaign.objects.get(slug=SLUG)


@pytest.fixture
def held(campaign):
    return list(Workshop.objects.filter(campaign=campaign, phase=Phase.CLOSED).order_by("number"))


@pytest.fixture
def facilitator(campaign):
    return User.objects.get(email="animateur@example.org")


@pytest.mark.django_db
def test_figures(demo, campaign, held):
    counts = demo.counts
    assert counts["workshops"] == 2
    assert counts["actions_from_workshops"] == 20
    assert counts["workshop_participants"] == 12
    stats = campaign_stats(campaign)
    assert stats["actions_from_workshops"] == 20
    assert stats["workshop_participants"] == 12
    # ``workshops`` (held: closed, not cancelled), counted from the rows until the stat is there.
    assert len(held) == 2 and all(w.cancelled_at is None for w in held)
    assert Workshop.objects.filter(campaign=campaign).count() == 3
    assert 75 <= counts["workshop_ideas"] <= 90


@pytest.mark.django_db
def test_two_workshops_held_in_the_workshops_phase(campaign, held, facilitator):
    phase = CampaignPhase.objects.get(campaign=campaign, kind="workshops")
    first, second = held
    assert [w.number for w in held] == [1, 2]
    assert timezone.localtime(first.starts_at).date() == timezone.localtime(phase.starts_at).date()
    assert phase.starts_at <= first.starts_at < second.starts_at < second.ends_at <= phase.ends_at
    for workshop in held:
        assert workshop.place and workshop.address and workshop.access_notes
        assert [a.title for a in workshop.agenda.all()][0] == "Accueil et café" or workshop.number == 2
        assert sum(a.minutes for a in workshop.agenda.all()) == (
            workshop.ends_at - workshop.starts_at).total_seconds() / 60
        assert list(workshop.facilitators.all()) == [facilitator]
        assert workshop.selection_id is not None
        assert workshop.starts_at < workshop.closed_at <= workshop.ends_at
        assert workshop.phase_changed_at == workshop.closed_at
        assert workshop.minutes_pdf.name and workshop.minutes_pdf_version == workshop.version  # rendered inline in tests
        assert workshop.dots_per_participant == 5
    assert first.max_dots_per_item == 3 and second.max_dots_per_item is None


@pytest.mark.django_db
def test_the_drawn_panel_attended(campaign, held):
    panel = set(campaign.selections.get(pk=held[0].selection_id).seats.filter(status=SeatStatus.SELECTED)
                .values_list("volunteer__user_id", flat=True))
    assert len(panel) == 12
    first, second = held
    for workshop in held:
        seats = workshop.attendees.filter(source=AttendeeSource.PANEL)
        assert set(seats.values_list("user_id", flat=True)) == panel
        assert not seats.filter(rsvp=Rsvp.PENDING).exists()
        assert not seats.filter(attendance=Attendance.UNKNOWN).exists()
        assert not seats.filter(rsvp=Rsvp.NO).exclude(attendance=Attendance.EXCUSED).exists()
        consents = workshop.attendees.filter(name_consent=True).count()
        assert 0 < consents < workshop.attendees.count()  # most, not all
    assert Counter(first.attendees.values_list("attendance", flat=True)) == {"present": 11, "excused": 1}
    assert Counter(second.attendees.values_list("attendance", flat=True)) == {
        "present": 11, "excused": 1, "absent": 1}
    walk_in = second.attendees.get(source=AttendeeSource.WALK_IN)
    assert walk_in.user_id is None and walk_in.attendance == Attendance.PRESENT and not walk_in.name_consent


@pytest.mark.django_db
def test_ideas(campaign, held, facilitator):
    ideas = Idea.objects.filter(workshop__in=held)
    assert 75 <= ideas.count() <= 90
    assert set(ideas.values_list("prompt", flat=True)) == set(Prompt.values)
    assert ideas.exclude(place="").count() >= 40
    assert not ideas.filter(attendee__isnull=True).exists()
    assert not ideas.exclude(attendee__attendance=Attendance.PRESENT).exists()
    proxied = ideas.filter(proxy_by__isnull=False)
    assert proxied.count() >= 2 and set(proxied.values_list("proxy_by", flat=True)) == {facilitator.pk}
    merged = ideas.filter(merged_into__isnull=False)
    assert merged.count() >= 2
    for idea in merged:
        assert idea.theme_id is None and idea.merged_into.workshop_id == idea.workshop_id
        assert idea.merged_into.merged_into_id is None
    for workshop in held:
        counts = Counter(workshop.ideas.values_list("created_at", flat=True))
        assert all(workshop.starts_at < at < workshop.ends_at for at in counts)
        ungrouped = workshop.ideas.filter(theme__isnull=True, merged_into__isnull=True)
        assert 1 <= ungrouped.count() <= 2
        # Positions are 0..n-1 in each column of the wall (a theme, or outside any theme).
        live = workshop.ideas.filter(merged_into__isnull=True)
        for theme_id in set(live.values_list("theme_id", flat=True)):
            positions = sorted(live.filter(theme_id=theme_id).values_list("position", flat=True))
            assert positions == list(range(len(positions)))
        assert len(set(workshop.ideas.values_list("text", flat=True))) == workshop.ideas.count()


@pytest.mark.django_db
def test_themes_and_a_theme_without_dots(held):
    for workshop in held:
        themes = WallTheme.objects.filter(workshop=workshop).annotate(
            dots_n=Sum("dots__count"), ideas_n=Count("ideas", distinct=True))
        assert 6 <= themes.count() <= 8
        assert all(t.ideas_n >= 2 for t in themes)
        assert [t.name for t in themes if not t.dots_n]  # kept on the wall and in the minutes
        assert sorted(t.position for t in themes) == list(range(themes.count()))
        assert themes.filter(from_suggestion=True).exists() and themes.filter(from_suggestion=False).exists()


@pytest.mark.django_db
def test_dots_within_the_limits(held, facilitator):
    for workshop in held:
        dots = Dot.objects.filter(workshop=workshop)
        per_attendee = dict(dots.values_list("attendee").annotate(n=Sum("count")).order_by())
        present = set(workshop.attendees.filter(attendance=Attendance.PRESENT).values_list("pk", flat=True))
        assert set(per_attendee) == present
        assert set(per_attendee.values()) == {workshop.dots_per_participant}
        pairs = Counter((d.attendee_id, d.theme_id, d.idea_id) for d in dots)
        assert max(pairs.values()) == 1  # one row per attendee and item
        if workshop.max_dots_per_item:
            assert max(dots.values_list("count", flat=True)) <= workshop.max_dots_per_item
        assert not dots.filter(idea__merged_into__isnull=False).exists()
        assert not dots.filter(idea__theme__isnull=False).exists()  # dots on ideas only outside themes
        assert not dots.exclude(theme__isnull=True).exclude(theme__workshop=workshop).exists()
        proxied = dots.filter(proxy_by__isnull=False)
        assert proxied.exists() and set(proxied.values_list("proxy_by", flat=True)) == {facilitator.pk}


@pytest.mark.django_db
def test_every_workshop_action_has_exactly_one_published_sheet(campaign, held):
    actions = Action.objects.filter(campaign=campaign, origin=Origin.WORKSHOP, status=ActionStatus.PUBLISHED)
    assert actions.count() == 20
    sheets = ActionSheet.objects.filter(workshop__campaign=campaign)
    assert sheets.count() == 20 and not sheets.exclude(status=SheetStatus.PUBLISHED).exists()
    assert set(sheets.values_list("action_id", flat=True)) == set(actions.values_list("pk", flat=True))
    assert [w.sheets.count() for w in held] == [11, 9]
    for sheet in sheets.select_related("action", "theme"):
        assert sheet.title == sheet.action.title
        assert sheet.problem and sheet.proposal and sheet.place == sheet.action.place
        assert "**" not in sheet.problem + sheet.proposal
        assert sheet.actors and sheet.cost and sheet.horizon
        assert sheet.theme.workshop_id == sheet.workshop_id
        linked = list(sheet.ideas.all())
        assert len(linked) >= 2
        assert all(i.workshop_id == sheet.workshop_id and i.theme_id == sheet.theme_id for i in linked)
        assert sheet.workshop.starts_at < sheet.created_at <= sheet.updated_at < sheet.workshop.ends_at


@pytest.mark.django_db
def test_the_wall_history_is_audited_in_order_during_the_workshop(campaign, held):
    for workshop in held:
        entries = list(AuditEntry.objects.filter(scope=SLUG, data__workshop=workshop.pk).order_by("pk"))
        at = [e.at for e in entries]
        assert at == sorted(at)
        for entry in entries:
            if entry.code in BEFORE:
                assert entry.at < workshop.starts_at, entry.code
            else:
                assert workshop.starts_at <= entry.at <= workshop.ends_at, entry.code
        phases = [e.data["phase"] for e in entries if e.code == "workshops.phase.changed"]
        assert phases == ["collect", "reveal", "cluster", "vote", "sheets", "closed"]
        assert at[-1] == workshop.closed_at
        codes = Counter(e.code for e in entries)
        # Every wall write bumped it once; a sheet's own "published" entry goes with the step's.
        assert workshop.version == len(entries) - codes["workshops.sheet.published"]
        assert codes["workshops.attendee.answered"] == 12
        assert codes["workshops.attendee.joined"] == workshop.attendees.filter(joined_at__isnull=False).count()
        assert codes["workshops.sheets.published"] == codes["workshops.vote.configured"] == 1
        assert codes["workshops.idea.added"] == workshop.ideas.count()
        assert codes["workshops.sheet.published"] == workshop.sheets.count()
        assert codes["workshops.dot.set"] == workshop.dots.count()
        created = AuditEntry.objects.get(code="workshops.workshop.created", target=f"workshops.workshop:{workshop.pk}")
        assert created.at < workshop.starts_at


@pytest.mark.django_db
def test_the_follow_up_is_planned_with_the_panel_invited(demo, campaign, facilitator):
    third = Workshop.objects.get(campaign=campaign, number=3)
    assert third.phase == Phase.PLANNED and third.closed_at is None and third.version == 0
    assert third.starts_at > timezone.now()
    event = CampaignPhase.objects.get(campaign=campaign, kind="live_event")
    assert third.starts_at < event.starts_at
    assert timezone.localtime(third.starts_at).weekday() < 5
    assert list(third.facilitators.all()) == [facilitator]
    assert third.agenda.count() >= 5
    attendees = third.attendees.all()
    assert attendees.count() == 12
    assert set(attendees.values_list("rsvp", flat=True)) == {Rsvp.PENDING}
    assert not attendees.filter(token_hash__isnull=True).exists() and not attendees.filter(user__isnull=True).exists()
    assert not third.ideas.exists() and not third.themes.exists()
    assert len(third.room_code) == 6 and set(third.room_code) <= set(ROOM_CODE_ALPHABET)
    assert selectors.workshop_by_room_code(third.room_code.lower()) == third
    assert demo.counts["next_workshop"]["room_code"] == third.room_code


@pytest.mark.django_db
def test_the_facilitator_can_run_the_follow_up_and_a_panel_member_can_post(campaign, facilitator):
    third = Workshop.objects.get(campaign=campaign, number=3)
    third = services.workshop_phase_set(by=facilitator, workshop=third, phase=Phase.COLLECT)
    seat = third.attendees.order_by("pk").first()
    assert selectors.seat_for(seat.user, third) == seat
    idea, created = services.idea_add(workshop=third, attendee=seat, prompt=Prompt.PROPOSE,
                                      text="Présenter les trois actions les plus soutenues en premier.",
                                      client_id=uuid.uuid4(), by=seat.user)
    assert created and idea.proxy_by_id is None


def test_every_action_sheet_fact_is_a_workshop_action():
    from concerto.demo import content

    keys = {wa.key for wa in content.WORKSHOP_ACTIONS}
    assert set(demo_workshops.SHEETS_1) | set(demo_workshops.SHEETS_2) == keys == set(demo_workshops.SHEET_FACTS)
    assert not set(demo_workshops.SHEETS_1) & set(demo_workshops.SHEETS_2)
    for ideas in (demo_workshops.IDEAS_1, demo_workshops.IDEAS_2):
        assert all(len(i.text) <= 280 for i in ideas)
