"""The demo dates its acts in the campaign's calendar, not at the moment it was loaded (issue 15):
charts over time (joins, supports, contributions) have a shape, and every date is possible."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import F, Max, Min
from django.utils import timezone

from concerto.campaigns.models import Campaign, Phase
from concerto.core.models import AuditEntry
from concerto.demo.clock import DemoClock, Rhythm
from concerto.demo.services import SLUG
from concerto.fieldwork.models import Participation, Visit
from concerto.letters.models import CodeUse
from concerto.proposals.models import Action, Comment, CommentReport, Origin, Support
from concerto.residents.models import Membership, Role, User
from concerto.selection.models import Selection
from concerto.volunteers.models import Volunteer
from concerto.workshops.models import ActionSheet, Workshop


@pytest.fixture
def campaign(demo, db):
    return Campaign.objects.get(slug=SLUG)


@pytest.fixture
def phases(campaign):
    return {p.kind: p for p in Phase.objects.filter(campaign=campaign)}


def _day(at):
    return timezone.localtime(at).date()


def test_nothing_is_dated_at_the_load_or_after_it(demo, campaign):
    # The acts of the campaign lie before the load started, not in its minutes (the run's shared demo
    # may have been loaded well before this module).
    loaded = demo.started_at
    residents = User.objects.filter(memberships__campaign=campaign, memberships__role=Role.RESIDENT)
    dated = {
        "supports": Support.objects.filter(action__campaign=campaign).values_list("created_at", flat=True),
        "actions": Action.objects.filter(campaign=campaign).values_list("created_at", flat=True),
        "published": Action.objects.filter(campaign=campaign, published_at__isnull=False).values_list(
            "published_at", flat=True),
        "comments": Comment.objects.filter(action__campaign=campaign).values_list("created_at", flat=True),
        "joined": residents.values_list("date_joined", flat=True),
        "memberships": Membership.objects.filter(campaign=campaign).values_list("created_at", flat=True),
        "code uses": CodeUse.objects.filter(code__campaign=campaign).values_list("created_at", flat=True),
        "volunteers": Volunteer.objects.filter(campaign=campaign).values_list("consent_at", flat=True),
    }
    for name, values in dated.items():
        values = list(values)
        assert values, name
        assert max(values) < loaded, name
    # The journal tells the same story (the second show, announced for tomorrow, excepted: none of it is dated
    # later than its set-up a few days ago).
    # The synthesis and the follow-up are played at their places in the calendar, after today (below).
    late = (AuditEntry.objects.filter(scope=SLUG, at__gte=loaded).exclude(code__startswith="synthesis.")
            .values_list("code", flat=True))
    assert not list(late)


def test_the_synthesis_lies_in_its_phase_and_the_follow_up_after_the_election(campaign, phases):
    from concerto.campaigns.models import ElectionRound
    from concerto.synthesis.models import ActionVersion, Amendment, CommitmentUpdate, Dispatch

    synthesis = phases["synthesis"]
    moments = {
        # v2 after the contributions may come before the phase; the candidates' versions come in it.
        "versions": ActionVersion.objects.filter(action__campaign=campaign, stage="candidates").values_list(
            "created_at", flat=True),
        "decisions": Amendment.objects.filter(campaign=campaign).values_list("decided_at", flat=True),
        "dispatches": Dispatch.objects.filter(document__campaign=campaign).values_list("sent_at", flat=True),
    }
    for name, values in moments.items():
        values = list(values)
        assert values, name
        assert all(synthesis.starts_at <= at < synthesis.ends_at for at in values), name
    after_contributions = ActionVersion.objects.filter(action__campaign=campaign, stage="contributions")
    assert all(v.created_at < synthesis.ends_at for v in after_contributions)
    last_vote = ElectionRound.objects.filter(campaign=campaign).order_by("-vote_date").first().vote_date
    updates = list(CommitmentUpdate.objects.filter(commitment__campaign=campaign).values_list("happened_on", flat=True))
    assert updates and min(updates) > last_vote


def test_no_day_holds_most_of_the_acts(campaign):
    for name, values in {
        "supports": Support.objects.filter(action__campaign=campaign, channel="online").values_list(
            "created_at", flat=True),
        "contributions": Action.objects.filter(campaign=campaign).exclude(origin=Origin.WORKSHOP).values_list(
            "created_at", flat=True),
        "joins": CodeUse.objects.filter(code__campaign=campaign).values_list("created_at", flat=True),
        "comments": Comment.objects.filter(action__campaign=campaign).values_list("created_at", flat=True),
        "journal": AuditEntry.objects.filter(scope=SLUG).values_list("at", flat=True),
    }.items():
        days = Counter(_day(at) for at in values)
        busiest = max(days.values())
        assert busiest < sum(days.values()) / 4, (name, days.most_common(3))
        assert len(days) >= 10, name


def test_residents_join_after_the_letters_most_of_them_in_the_first_weeks(campaign, phases):
    invitation = phases["invitation"]
    uses = sorted(CodeUse.objects.filter(code__campaign=campaign).values_list("created_at", flat=True))
    assert uses[0] > invitation.starts_at
    first_two_weeks = [at for at in uses if at < uses[0] + timedelta(days=14)]
    assert len(first_two_weeks) > len(uses) / 2
    # An account is made, then the code typed: the same minutes.
    for user in User.objects.filter(memberships__campaign=campaign, memberships__role=Role.RESIDENT,
                                    email__isnull=False).prefetch_related("code_uses"):
        (use,) = user.code_uses.all()
        assert timedelta(0) < use.created_at - user.date_joined < timedelta(minutes=30)


def test_volunteers_sign_up_after_joining_and_before_the_selection(campaign, phases):
    selection = Selection.objects.get(campaign=campaign, drawn_at__isnull=False)
    assert phases["selection"].starts_at < selection.created_at < selection.drawn_at < phases["selection"].ends_at
    for volunteer in Volunteer.objects.filter(campaign=campaign).select_related("user"):
        assert volunteer.user.date_joined < volunteer.consent_at < selection.created_at


def test_actions_go_online_from_their_workshop_then_are_supported_in_the_participation_phase(campaign, phases):
    participation = phases["participation"]
    for sheet in ActionSheet.objects.filter(workshop__campaign=campaign, action__isnull=False).select_related(
            "action", "workshop"):
        workshop, action = sheet.workshop, sheet.action
        assert workshop.starts_at < action.published_at <= workshop.closed_at
        assert action.created_at == action.published_at
        created = AuditEntry.objects.get(code="proposals.action.created", target=f"proposals.action:{action.pk}")
        assert created.at == action.published_at
    for support in Support.objects.filter(action__campaign=campaign).select_related("action", "user"):
        action = support.action.merged_into or support.action
        if support.channel == "workshop":
            workshop = Workshop.objects.get(sheets__action=action)
            assert workshop.starts_at < support.created_at <= workshop.ends_at
        else:
            assert participation.starts_at < support.created_at < participation.ends_at
            assert support.created_at >= support.user.date_joined  # at the door: the same moment


def test_contributions_are_moderated_hours_or_days_after_they_were_sent(campaign, phases):
    participation = phases["participation"]
    contributions = Action.objects.filter(campaign=campaign).exclude(origin=Origin.WORKSHOP)
    gaps = []
    for action in contributions.filter(published_at__isnull=False):
        assert participation.starts_at < action.created_at < action.published_at
        gaps.append(action.published_at - action.created_at)
    assert min(gaps) > timedelta(minutes=1) and max(gaps) > timedelta(days=1)
    # Supported after it was published (a merged contribution's supports moved with it, dates kept).
    early = Support.objects.filter(action__in=contributions, action__published_at__gt=F("created_at"))
    assert not early.exists()
    # The ones still waiting were sent lately.
    pending = contributions.filter(status="pending")
    assert pending.exists() and pending.aggregate(m=Min("created_at"))["m"] > timezone.now() - timedelta(days=3)
    # The moderator's journal: each decision at the moment of the act it records.
    for entry in AuditEntry.objects.filter(scope=SLUG, code="proposals.action.published"):
        action = contributions.filter(pk=int(entry.target.rpartition(":")[2])).first()
        if action is not None:
            assert entry.at == action.published_at


def test_a_support_and_its_journal_entry_carry_the_same_time(campaign):
    entries = Counter((e.actor_id, e.target, e.at) for e in AuditEntry.objects.filter(
        scope=SLUG, code="proposals.support.added"))
    supports = Counter((s.user_id, f"proposals.action:{s.action_id}", s.created_at) for s in Support.objects.filter(
        action__campaign=campaign, channel__in=("online", "workshop"), action__merged_into__isnull=True))
    assert supports and not supports - entries


def test_people_take_part_in_the_evening_more_than_at_night(campaign):
    hours = Counter(timezone.localtime(at).hour for at in Support.objects.filter(
        action__campaign=campaign, channel="online").values_list("created_at", flat=True))
    evening = sum(hours[h] for h in range(18, 23))
    night = sum(hours[h] for h in range(1, 6))
    assert evening > 4 * max(night, 1)


def test_comments_follow_the_action_and_reports_follow_the_comment(campaign):
    for comment in Comment.objects.filter(action__campaign=campaign).select_related("action", "author"):
        assert comment.created_at > comment.action.published_at
        assert comment.created_at > comment.author.date_joined
    for report in CommentReport.objects.filter(comment__action__campaign=campaign).select_related("comment"):
        assert report.created_at > report.comment.created_at


def test_door_to_door_acts_at_the_visits(campaign, phases):
    door = phases["door_to_door"]
    for participation in Participation.objects.filter(campaign=campaign).select_related("user", "visit"):
        assert door.starts_at < participation.created_at < timezone.now()
        assert participation.user.date_joined == participation.created_at
    span = Visit.objects.filter(campaign=campaign).aggregate(lo=Min("captured_at"), hi=Max("captured_at"))
    assert door.starts_at < span["lo"] <= span["hi"] < timezone.now()


@pytest.mark.django_db
def test_the_rhythm_is_reproducible_and_stays_in_its_span():
    start = timezone.now() - timedelta(days=20)
    end = timezone.now() - timedelta(hours=1)
    one, two = Rhythm(start, end, random.Random(7)), Rhythm(start, end, random.Random(7))
    drawn = [one.draw() for _i in range(300)]
    assert drawn == [two.draw() for _i in range(300)]
    assert all(start <= at <= end for at in drawn)
    after = end - timedelta(days=2)
    assert all(after < one.draw(after=after) <= end for _i in range(100))
    # Nothing left after ``after``: never past the end all the same.
    assert one.draw(after=end + timedelta(hours=1)) <= end


def test_the_clock_is_the_real_time_outside_a_moment():
    clock = DemoClock(timezone.now)
    moment = timezone.now() - timedelta(days=3)
    with clock.moment(moment):
        assert clock() == moment
    assert abs(clock() - timezone.now()) < timedelta(seconds=5)
